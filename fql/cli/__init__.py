"""The ``fql`` command line: ``main(argv) -> int`` (STYLE.md §10).

Each subcommand lives in its own module and registers itself with :func:`register`;
``main`` builds the parser, dispatches, and maps failures to exit codes: 0 success,
1 "the answer is no / findings", 2 usage or internal error. Nothing below
:func:`console_main` calls ``sys.exit``.

Start-up counts (every pre-commit hook run pays it): only the module of the command
being run is imported (``fql lint`` never loads the REPL or the router), and
``--version`` imports nothing but the backend switch.
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
from pathlib import Path
from typing import TextIO

from .. import __version__
from ..errors import FqlError

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2

Handler = Callable[[argparse.Namespace, TextIO, TextIO], int]

#: Subcommand modules, in help order. ``<name>_cmd`` defines ``NAME``, ``HELP``,
#: ``configure(parser)`` and ``run(args, stdout, stderr) -> int``; its docstring, plain
#: text ending with examples, is the command's ``--help``.
SUBCOMMANDS = ("eval_cmd", "filter_cmd", "map_cmd", "route_cmd", "lint_cmd", "fmt_cmd", "test_cmd",
               "repl_cmd")

DESCRIPTION = """\
Segment's rule languages: FQL, destination filters, Actions triggers and mappings,
and the routing of events through a workspace.

examples:
  fql eval 'type = "track"' examples/event.json
  fql lint examples/rules/
  fql route --config examples/workspace.yaml examples/routing-events.jsonl
  fql COMMAND --help   (each command's options and examples)"""


class _Version(argparse.Action):
    """``--version``: the backend is looked up only when asked for."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS,
                 **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS,
                         help="print the version and the evaluator backend, and exit")

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        from ..backend import BACKEND

        parser._print_message(f"fql {__version__} (backend: {BACKEND})\n", sys.stdout)
        parser.exit()


def build_parser(command: str | None = None, *, commands: bool = True,
                 ) -> argparse.ArgumentParser:
    """The parser; with ``command`` (a subcommand's name), only that subcommand's module
    is imported and configured, the others are left out; with ``commands=False``, none
    is (``fql --version``)."""
    parser = argparse.ArgumentParser(
        prog="fql", description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action=_Version)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in SUBCOMMANDS:
        if not commands or (command is not None and module_name != f"{command}_cmd"):
            continue
        module = importlib.import_module(f"{__name__}.{module_name}")
        parsed = sub.add_parser(module.NAME, help=module.HELP, description=module.__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
        module.configure(parsed)
        parsed.set_defaults(handler=module.run)
    return parser


def _command(argv: list[str]) -> str | None:
    """The subcommand named in ``argv`` (the first word that is not an option; the
    top-level options take no value), when it is one."""
    first = next((a for a in argv if not a.startswith("-")), None)
    return first if first is not None and f"{first}_cmd" in SUBCOMMANDS else None


def main(argv: Sequence[str] | None = None, stdout: TextIO | None = None,
         stderr: TextIO | None = None) -> int:
    """Run the command line with ``argv``; returns the exit code."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    arguments = list(argv) if argv is not None else sys.argv[1:]
    command = _command(arguments)
    parser = build_parser(command, commands=command is not None or "--version" not in arguments)
    try:
        # argparse prints --help, --version and usage errors to sys.stdout/sys.stderr;
        # send them to the caller's streams like everything else.
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            args, extra = parser.parse_known_args(arguments)
            _intermix(parser, args, extra)
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


#: The positional lists a command's trailing file names belong to, with their type.
_FILE_LISTS = {"arguments": str, "inputs": Path, "files": Path, "paths": Path}


def _intermix(parser: argparse.ArgumentParser, args: argparse.Namespace,
              extra: list[str]) -> None:
    """File names given after an option (``fql filter --filters f.json a.jsonl
    b.jsonl``) join the command's file list: argparse fills a list positional once,
    from the words before the first option, and leaves the rest unrecognised."""
    if not extra:
        return
    target = next((name for name in _FILE_LISTS if isinstance(getattr(args, name, None),
                                                               list)), None)
    if target is None or any(word.startswith("-") and word != "-" for word in extra):
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    getattr(args, target).extend(_FILE_LISTS[target](word) for word in extra)


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
