"""The ``fql`` command line: ``main(argv) -> int`` (STYLE.md §10).

Each subcommand lives in its own module and registers itself with :func:`register`;
``main`` builds the parser, dispatches, and maps failures to exit codes: 0 success,
1 "the answer is no / findings", 2 usage or internal error. Nothing below
:func:`console_main` calls ``sys.exit``.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import importlib
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import TextIO

from .. import BACKEND, FqlError, __version__

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2

Handler = Callable[[argparse.Namespace, TextIO, TextIO], int]

#: Subcommand modules, in help order. Each defines ``NAME``, ``HELP``,
#: ``configure(parser)`` and ``run(args, stdout, stderr) -> int``.
SUBCOMMANDS = ("eval_cmd", "filter_cmd", "map_cmd", "route_cmd", "lint_cmd", "fmt_cmd", "test_cmd",
               "repl_cmd")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fql", description="Segment's rule languages: FQL, filters, triggers, mappings.")
    parser.add_argument("--version", action="version",
                        version=f"fql {__version__} (backend: {BACKEND})")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in SUBCOMMANDS:
        module = importlib.import_module(f"{__name__}.{module_name}")
        command = sub.add_parser(module.NAME, help=module.HELP, description=module.__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
        module.configure(command)
        command.set_defaults(handler=module.run)
    return parser


def main(argv: Sequence[str] | None = None, stdout: TextIO | None = None,
         stderr: TextIO | None = None) -> int:
    """Run the command line with ``argv``; returns the exit code."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    parser = build_parser()
    try:
        # argparse prints --help, --version and usage errors to sys.stdout/sys.stderr;
        # send them to the caller's streams like everything else.
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            args = parser.parse_args(list(argv) if argv is not None else None)
    except SystemExit as exc:  # argparse exits on --help, --version and usage errors
        return int(exc.code or 0) if exc.code in (0, None) else EXIT_ERROR
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(out)
        return EXIT_ERROR
    try:
        return handler(args, out, err)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except OSError as exc:  # a file that cannot be read or written, a full device
        print(f"fql {args.command}: {os_error_text(exc)}", file=err)
        return EXIT_ERROR
    except UnicodeDecodeError as exc:  # a file or stdin that is not UTF-8
        print(f"fql {args.command}: {decode_error_text(exc)}", file=err)
        return EXIT_ERROR
    except FqlError as exc:  # a rule, event or file error a command did not report itself
        print(f"fql {args.command}: {exc.code} {exc.message}", file=err)
        return EXIT_ERROR
    except Exception:  # a bug, not a finding: CI must not read it as exit 1
        print("fql: internal error (please report it with this traceback)", file=err)
        traceback.print_exc(file=err)
        return EXIT_ERROR


def os_error_text(exc: OSError) -> str:
    """One line for an operating-system error: what failed, on which file."""
    reason = exc.strerror or str(exc)
    if exc.filename is not None:
        return f"{exc.filename}: {reason}"
    return f"cannot write the output: {reason}" if exc.errno in _WRITE_ERRORS else reason


#: Errors that, without a file name, come from writing (a full or failing device).
_WRITE_ERRORS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


def decode_error_text(exc: UnicodeDecodeError) -> str:
    """One line for input that is not UTF-8."""
    return f"the input is not UTF-8 text (byte {exc.object[exc.start:exc.start + 1]!r} " \
           f"at offset {exc.start})"


def console_main() -> None:
    """Entry point of the ``fql`` console script. Standard output is flushed here, so a
    full device or a closed pipe is reported (or, for a pipe, ignored) as one line
    instead of Python's message at interpreter exit."""
    code = main()
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _discard_stdout()
    except OSError as exc:
        _discard_stdout()
        print(f"fql: {os_error_text(exc)}", file=sys.stderr)
        code = EXIT_ERROR
    sys.exit(code)


def _discard_stdout() -> None:
    """Point the standard output at the null device, so the interpreter's last flush of
    what could not be written raises nothing more."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
