"""Start-up time of short commands, as a pre-commit hook or a CI step pays it.

``python -m benchmarks.startup [--repeats N]`` runs each command N times in a fresh
interpreter, alternating commands so that a change in the machine's load hits all of
them alike, and prints for each the median wall time, the median CPU time (user +
system of the child, less sensitive to other processes on a shared machine) and both as
a ratio to a bare ``python -c pass`` measured in the same run. ``--instructions`` counts
the instructions each command runs under valgrind's callgrind instead: slow, but the
same on a loaded machine as on a quiet one. Targets: ``fql --version`` and ``fql lint
FILE`` within 3x bare Python, ``import fql`` within 40 ms of it.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).parent.parent


def _fql() -> list[str]:
    script = Path(sys.executable).with_name("fql")
    return [str(script)] if script.exists() else [sys.executable, "-m", "fql"]


COMMANDS: dict[str, list[str]] = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "import fql": [sys.executable, "-c", "import fql"],
    "import fql; compile": [sys.executable, "-c",
                            "import fql; fql.compile('type = \"track\"').matches({})"],
    "fql --version": [*_fql(), "--version"],
    "fql lint FILE.fql": [*_fql(), "lint", "examples/rules/big-orders.fql"],
    "fql lint FILE.trigger": [*_fql(), "lint", "examples/rules/order-events.trigger"],
    "fql lint examples/rules/": [*_fql(), "lint", "--exit-zero", "examples/rules/"],
}


#: The children may write their bytecode caches (an installed package has them: pip
#: compiles on install); without them every run would compile every module it imports.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def measure(command: list[str]) -> tuple[float, float]:
    """(wall, cpu) seconds of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=False, env=ENV)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def instructions(command: list[str]) -> int:
    """The instructions one run executes (valgrind --tool=callgrind)."""
    run = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
                          *command], cwd=ROOT, capture_output=True, text=True, env=ENV,
                         check=False)
    found = re.search(r"Collected : (\d+)", run.stderr)
    if found is None:
        raise RuntimeError(f"no instruction count from valgrind: {run.stderr[-300:]}")
    return int(found.group(1))


def count_instructions() -> int:
    for command in COMMANDS.values():  # write the .pyc files first
        measure(command)
    counts = {name: instructions(command) for name, command in COMMANDS.items()}
    bare = counts["python -c pass"]
    print(f"{'command':28} {'instructions':>14} {'x bare':>7}")
    for name, count in counts.items():
        print(f"{name:28} {count:14,} {count / bare:7.2f}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=21)
    parser.add_argument("--instructions", action="store_true",
                        help="count instructions under callgrind (load-independent)")
    args = parser.parse_args(argv)
    if args.instructions:
        return count_instructions()
    for command in COMMANDS.values():  # warm the file cache, write the .pyc files
        measure(command)
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in COMMANDS}
    for _ in range(args.repeats):
        for name, command in COMMANDS.items():
            runs[name].append(measure(command))
    wall0 = statistics.median(w for w, _ in runs["python -c pass"])
    cpu0 = statistics.median(c for _, c in runs["python -c pass"])
    print(f"{args.repeats} runs each, medians; load average {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} cores")
    print(f"{'command':28} {'wall ms':>8} {'x bare':>7} {'cpu ms':>8} {'x bare':>7}")
    for name in COMMANDS:
        wall = statistics.median(w for w, _ in runs[name])
        cpu = statistics.median(c for _, c in runs[name])
        print(f"{name:28} {wall * 1000:8.1f} {wall / wall0:7.2f} {cpu * 1000:8.1f} "
              f"{cpu / cpu0 if cpu0 else float('nan'):7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
