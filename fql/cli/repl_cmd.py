"""fql repl [EVENT]: an interactive shell for FQL, triggers and mappings.

Type an expression to see its value (with its FQL type) against the loaded event, and
what fql lint would say about it; :explain shows why it matched or not. History
(~/.fql_history, or $FQL_REPL_HISTORY), syntax highlighting, completion of function
names and of field paths from the loaded event, multi-line input (a line with an
unclosed parenthesis, bracket or quote continues on the next). :help lists the
commands. Needs the [repl] extra.

examples:
  fql repl examples/event.json
  fql repl        (then :load examples/events.jsonl 3)
"""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

from . import EXIT_ERROR, EXIT_OK
from .repl import QuitRepl, Repl, completions

NAME = "repl"
HELP = "Interactive shell: evaluate FQL against a sample event."

_WORD = re.compile(r"[A-Za-z0-9_\-.\\]+$")
_TOKENS = re.compile(r"""(?P<string>"(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?)"""
                     r"""|(?P<number>-?\d+(?:\.\d+)?)"""
                     r"""|(?P<keyword>\b(?:and|or|in|true|false|null|all)\b)|(?P<op>[!=<>]=?)"""
                     r"""|(?P<name>[A-Za-z_][A-Za-z0-9_\-.\\]*)""")


_STYLES = {"string": "ansigreen", "number": "ansicyan", "keyword": "ansimagenta bold",
           "op": "ansiyellow", "name": ""}


def configure(parser: argparse.ArgumentParser) -> None:
    """Declare the arguments of ``fql repl`` on its subcommand parser; the command table of
    :mod:`fql.cli` calls this once when it builds the parser.
    """
    parser.add_argument("event", nargs="?", type=Path, help="an event to load at start")


def unfinished(text: str) -> bool:
    """True while parentheses, brackets or braces are open or a string is unterminated."""
    depth, quote, escaped = 0, "", False
    for ch in text:
        if quote:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch in "([{":  # braces: a JSON mapping typed over several lines
            depth += 1
        elif ch in ")]}":
            depth -= 1
    return bool(quote) or depth > 0


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run ``fql repl`` with the parsed ``args``, writing results to ``out`` and problems to
    ``err``; returns the exit code of the module doc. It never calls ``sys.exit``, so tests
    and embedding programs can call it directly.
    """
    try:
        from prompt_toolkit import PromptSession
        from prompt_toolkit.completion import Completer, Completion
        from prompt_toolkit.document import Document
        from prompt_toolkit.history import FileHistory
        from prompt_toolkit.lexers import Lexer
    except ImportError:
        print("fql repl needs prompt_toolkit: pip install 'fql-engine[repl]'", file=err)
        return EXIT_ERROR

    repl = Repl()
    if args.event:
        print(repl.handle(f":load {args.event}"), file=out)

    class FieldCompleter(Completer):
        def get_completions(self, document: Document, complete_event: Any) -> Iterable[Any]:
            m = _WORD.search(document.text_before_cursor)
            word = m.group(0) if m else ""
            for name in completions(repl, word):
                yield Completion(name, start_position=-len(word))

    class FqlLexer(Lexer):

        def lex_document(self, document: Document) -> Any:
            def line(number: int) -> list[tuple[str, str]]:
                text = document.lines[number]
                parts: list[tuple[str, str]] = []
                pos = 0
                for m in _TOKENS.finditer(text):
                    parts.append(("", text[pos:m.start()]))
                    parts.append((_STYLES[m.lastgroup or "name"], m.group(0)))
                    pos = m.end()
                parts.append(("", text[pos:]))
                return parts

            return line

    history = os.environ.get("FQL_REPL_HISTORY", str(Path.home() / ".fql_history"))
    session: PromptSession[str] = PromptSession(
        history=FileHistory(history), completer=FieldCompleter(), lexer=FqlLexer())
    print("fql repl — :help for commands, :quit to leave", file=out)
    while True:
        try:
            text = session.prompt(f"{repl.mode}> ")
            while unfinished(text):
                text += "\n" + session.prompt("... ")
        except EOFError:
            return EXIT_OK
        except KeyboardInterrupt:
            continue
        try:
            result = repl.handle(text)
        except QuitRepl:
            return EXIT_OK
        if result:
            print(result, file=out, flush=True)

