"""The command line never prints a traceback for a user error: each gets one clear line
on stderr and exit 2 (files that cannot be read or written, a full device, missing
extras, bad encodings, hostile YAML), special files are inputs like any other, and an
invalid filter in a filter file is a warning (``--strict``: an error)."""

from __future__ import annotations

import io
import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fql.cli import main

EVENT = '{"type": "track", "event": "x"}\n'
RULE = 'type = "track"'


def run(*argv: str, stdin: str | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    if stdin is not None:
        saved = sys.stdin
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin.encode()), encoding="utf-8")
        try:
            code = main(list(argv), out, err)
        finally:
            sys.stdin = saved
    else:
        code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def fql_process(*argv: str, stdout: object = subprocess.PIPE,
                prelude: str = "") -> subprocess.CompletedProcess[str]:
    """The real console script (its own stdout handling included), in a subprocess."""
    code = f"{prelude}\nimport sys\nfrom fql.cli import console_main\n" \
           f"sys.argv = ['fql', *{list(argv)!r}]\nconsole_main()"
    return subprocess.run([sys.executable, "-c", code], stdout=stdout,  # type: ignore[call-overload]
                          stderr=subprocess.PIPE, text=True, timeout=120)


def one_line_error(code: int, err: str) -> None:
    assert code == 2, err
    assert "Traceback" not in err and "internal error" not in err, err
    assert len(err.strip().splitlines()) == 1, err


@pytest.fixture
def events(tmp_path: Path) -> Path:
    path = tmp_path / "events.jsonl"
    path.write_text(EVENT, encoding="utf-8")
    return path


@pytest.mark.parametrize("target", ["a directory", "a missing directory", "a proc file"])
def test_output_that_cannot_be_written(tmp_path, events, target):
    path = {"a directory": str(tmp_path),
            "a missing directory": str(tmp_path / "missing" / "out.jsonl"),
            "a proc file": "/proc/version"}[target]
    if target == "a proc file" and not os.path.exists(path):
        pytest.skip("no /proc")
    code, _, err = run("filter", RULE, str(events), "-o", path)
    one_line_error(code, err)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
@pytest.mark.parametrize("command", [["filter", RULE], ["eval", RULE]])
def test_a_full_device(events, command):
    with open("/dev/full", "w") as full:
        done = fql_process(*command, str(events), stdout=full)
    one_line_error(done.returncode, done.stderr)
    assert "No space left" in done.stderr
    done = fql_process("filter", RULE, str(events), "-o", "/dev/full")
    one_line_error(done.returncode, done.stderr)


def test_a_closed_pipe_is_not_an_error(tmp_path):
    source = tmp_path / "many.jsonl"
    source.write_text(EVENT * 50_000, encoding="utf-8")
    script = f"{shlex.quote(sys.executable)} -c 'from fql.cli import console_main; " \
             f"import sys; sys.argv=[\"fql\", \"filter\", \"type = \\\"track\\\"\", " \
             f"\"{source}\"]; console_main()' | head -1"
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=120)
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr


@pytest.mark.skipif(not os.path.exists("/proc/self/mem"), reason="no /proc")
def test_an_input_that_cannot_be_read(tmp_path):
    code, _, err = run("filter", RULE, "/proc/self/mem")  # reading offset 0 fails (EIO)
    one_line_error(code, err)
    code, _, err = run("filter", RULE, str(tmp_path))  # a directory
    one_line_error(code, err)
    code, _, err = run("eval", RULE, str(tmp_path))
    one_line_error(code, err)


def test_special_files_are_inputs(events):
    code, out, err = run("filter", RULE, "/dev/null")
    assert code == 0 and out == "" and "read 0" in err
    code, out, _ = run("filter", RULE, "-", stdin=EVENT)
    assert code == 0 and json.loads(out) == json.loads(EVENT)
    code, out, _ = run("map", str(Path(__file__).parents[2] / "examples" / "mapping.json"),
                       "-", stdin=EVENT)
    assert code in (0, 1) and "Traceback" not in out


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_process_substitution_is_an_input(events):
    script = (f"{shlex.quote(sys.executable)} -c 'from fql.cli import console_main; import sys;"
              f" sys.argv = [\"fql\", \"filter\", \"type = \\\"track\\\"\", sys.argv[1]];"
              f" console_main()' <(cat {shlex.quote(str(events))})")
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == json.loads(EVENT)


def test_input_that_is_not_utf8(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b'{"type": "\xff"}\n')
    code, _, err = run("eval", RULE, str(bad))
    one_line_error(code, err)
    assert "UTF-8" in err


def test_repl_load_of_a_file_that_is_not_utf8(tmp_path):
    from fql.cli.repl import Repl

    bad = tmp_path / "bad.json"
    bad.write_bytes(b'{"type": "\xff"}')
    assert "not UTF-8" in Repl().handle(":load " + str(bad))
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000)
    assert "not JSON" in Repl().handle(":load " + str(deep))


def test_a_missing_yaml_extra_names_the_extra(tmp_path, events):
    config = tmp_path / "workspace.yaml"
    config.write_text("destinations: []\n")
    tests = tmp_path / "tests.yaml"
    tests.write_text("tests: []\n")
    block = "import sys; sys.modules['yaml'] = None"  # as if PyYAML were not installed
    for argv in (["route", "--config", str(config), str(events)], ["test", str(tests)]):
        done = fql_process(*argv, prelude=block)
        one_line_error(done.returncode, done.stderr)
        assert "fql-engine[yaml]" in done.stderr


@pytest.mark.parametrize("text", ["destinations: " + "[" * 5000 + "]" * 5000,
                                  "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
                                      f"{n}: &{n} [{', '.join(['*' + p] * 9)}]\n"
                                      for p, n in zip("abcdefgh", "bcdefghi", strict=True))])
def test_hostile_yaml_config_and_tests(tmp_path, events, text):
    config = tmp_path / "workspace.yaml"
    config.write_text(text)
    code, _, err = run("route", "--config", str(config), str(events))
    one_line_error(code, err)
    tests = tmp_path / "tests.yaml"
    tests.write_text(text.replace("destinations", "tests"))
    code, _, err = run("test", str(tests))
    one_line_error(code, err)


def test_a_python_tag_in_a_test_file(tmp_path):
    tests = tmp_path / "tests.yaml"
    tests.write_text("tests: !!python/object/apply:os.system ['echo hacked']\n")
    code, out, err = run("test", str(tests))
    one_line_error(code, err)
    assert "hacked" not in out


def test_an_invalid_filter_warns_and_strict_makes_it_an_error(tmp_path, events):
    filters = tmp_path / "filters.json"
    filters.write_text('[{"title": "broken", "if": "type = ", "actions": [{"type": "DROP"}]}]')
    code, out, err = run("filter", "--filters", str(filters), str(events))
    assert code == 0 and out == ""  # fails closed: the event is dropped
    assert "warning" in err and "FLT102" in err
    code, out, err = run("filter", "--filters", str(filters), "--strict", str(events))
    one_line_error(code, err)
    assert out == ""
    good = tmp_path / "good.json"
    good.write_text('[{"if": "type = \\"page\\"", "actions": [{"type": "DROP"}]}]')
    code, out, err = run("filter", "--filters", str(good), "--strict", str(events))
    assert code == 0 and "warning" not in err and out.strip()


def test_a_deep_rule_file(tmp_path, events):
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    code, _, err = run("filter", "--filters", str(deep), str(events))
    one_line_error(code, err)
    code, _, err = run("map", str(deep), str(events))
    one_line_error(code, err)
