"""The interactive shell behind ``fql repl``: a thin layer over the public API.

:class:`Repl` holds the state (the loaded event, the mode, the last input) and turns one
line of input into the text to print, so it can be tested without a terminal; the
prompt_toolkit front end in :mod:`fql.cli.repl_cmd` adds history, highlighting,
completion and multi-line input around it.
"""

from __future__ import annotations

import copy
import json
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .. import BACKEND, FqlError, compile, format_node, parse
from ..datafile import load_json
from ..explain import explain
from ..expression import Expression
from ..functions import FUNCTIONS
from ..parser import split_path
from ..values import json_type

HELP = """\
Type an expression to see its value against the loaded event.
  :load FILE [N]     load an event (JSON), or line N of a JSON Lines file (default 1)
  :event             show the loaded event
  :set PATH VALUE    set a field of the event (VALUE is JSON, or text)
  :ast [EXPR]        the syntax tree      :ir [EXPR]   Segment's device-mode IR
  :fmt [EXPR]        the canonical text   :explain [EXPR]  why it matched or not
  :mode fql|trigger|mapping               :backend   the evaluator in use
  :help   :quit
Values are shown with their FQL type; what `fql lint` would say about the input is
shown below it. In trigger mode input is a Destination Actions trigger, read as FQL
reads it (as `fql filter --trigger` and `fql lint` do); in mapping mode a JSON mapping."""

NO_EVENT = ("hint: no event is loaded, so every field reads as null "
            "(:load FILE, or start with fql repl EVENT)")

MODES = ("fql", "trigger", "mapping")


class QuitRepl(Exception):
    """Raised by ``:quit``."""


class Repl:
    def __init__(self) -> None:
        self.event: dict[str, Any] = {}
        self.mode = "fql"
        self.last: str | None = None

    def handle(self, line: str) -> str:
        """The output for one input (an expression or a ``:`` command)."""
        text = line.strip()
        if not text:
            return ""
        if text.startswith(":"):
            name, _, rest = text[1:].partition(" ")
            command = getattr(self, f"cmd_{name}", None)
            if command is None:
                return f"unknown command :{name} (try :help)"
            try:
                return command(rest.strip())
            except FqlError as exc:
                return exc.render("<input>")
        self.last = text
        try:
            return self.evaluate(text)
        except FqlError as exc:
            return exc.render("<input>")

    def evaluate(self, text: str) -> str:
        """Evaluate ``text`` in the current mode (FQL expression, trigger or mapping) against
        the loaded event and return what to print; raises :class:`fql.FqlError` for invalid
        input, which :meth:`handle` renders.
        """
        if self.mode == "trigger":
            from actions import Trigger

            from .trigger_reading import reading_notes

            trigger = Trigger.parse(text)
            verdict = "match" if trigger.matches(self.event) else "no match"
            return "\n".join([verdict, *reading_notes(text, "default", "<input>"),
                              *self._no_event(), json.dumps(trigger.conditions, indent=2)])
        if self.mode == "mapping":
            import actions

            try:
                mapping = load_json(text)
            except ValueError as exc:
                return f"mapping mode takes a JSON mapping: {exc}"
            try:
                return json.dumps(actions.compile_mapping(mapping).apply(self.event), indent=2)
            except actions.MappingError as exc:
                return str(exc)
        value = compile(text).evaluate(self.event)
        return "\n".join([f"{json.dumps(value, ensure_ascii=False)}  ({json_type(value)})",
                          *self.findings(text), *self._no_event()])

    def findings(self, text: str) -> list[str]:
        """What ``fql lint`` says about ``text`` (its warnings: errors stop before)."""
        from .. import check

        return [d.render(text, "<input>") for d in check(text) if d.severity != "error"]

    def _no_event(self) -> list[str]:
        return [] if self.event else [NO_EVENT]

    def _expression(self, rest: str) -> Expression:
        text = rest or self.last
        if text is None:
            raise FqlError("no expression yet: type one, or give it after the command")
        return compile(text)

    def cmd_help(self, rest: str) -> str:
        """``:help``: the list of commands."""
        return HELP

    def cmd_quit(self, rest: str) -> str:
        """``:quit`` / ``:exit``: end the session (the loop catches :class:`QuitRepl`)."""
        raise QuitRepl

    cmd_exit = cmd_quit

    def cmd_backend(self, rest: str) -> str:
        """``:backend``: which backend is active (compiled kernels or the pure-Python twins)."""
        return BACKEND

    def cmd_mode(self, rest: str) -> str:
        """``:mode [fql|trigger|mapping]``: switch what a plain input line is read as; without
        a valid name, says the current mode and the choices.
        """
        if rest not in MODES:
            return f"mode is {self.mode}; choose one of {', '.join(MODES)}"
        self.mode = rest
        if rest == "trigger":
            return ("mode: trigger (read as FQL reads it, as fql filter --trigger and fql "
                    "lint do; where Segment's trigger parser differs, a note says how)")
        return f"mode: {rest}"

    def cmd_load(self, rest: str) -> str:
        """``:load FILE [N]``: make a JSON event file, or line ``N`` of a JSON Lines file, the
        current event. Every problem is returned as text, so a typo never ends the session.
        """
        parts = shlex.split(rest)
        if not parts:
            return "usage: :load FILE [N]"
        path, line_number = Path(parts[0]), parts[1] if len(parts) > 1 else "1"
        if not line_number.isdigit():
            return "usage: :load FILE [N] (N: a line number of a JSON Lines file)"
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            return str(exc)
        except UnicodeDecodeError as exc:
            return f"{path} is not UTF-8 text (byte offset {exc.start})"
        try:
            event = load_json(text)
        except ValueError:
            number = int(line_number)
            lines = [x for x in text.splitlines() if x.strip()]
            if not 1 <= number <= len(lines):
                return f"{path} has {len(lines)} lines"
            try:
                event = load_json(lines[number - 1])
            except ValueError as exc:  # a typo in a file must not end the session
                return f"{path}: line {number} is not JSON: {exc}"
        if not isinstance(event, dict):
            return "an event must be a JSON object"
        self.event = event
        return f"loaded {path} ({len(event)} top-level fields)"

    def cmd_event(self, rest: str) -> str:
        """``:event``: the current event as indented JSON."""
        return json.dumps(self.event, indent=2, ensure_ascii=False)

    def cmd_set(self, rest: str) -> str:
        """``:set PATH VALUE``: set one field of the current event (VALUE as JSON, else as a
        string), creating objects on the way. The event is copied first, so an event loaded
        from elsewhere is never changed in place.
        """
        path_text, _, value_text = rest.partition(" ")
        if not path_text:
            return "usage: :set PATH VALUE"
        try:
            value = load_json(value_text)
        except ValueError:
            value = value_text
        keys = split_path(path_text)
        event = copy.deepcopy(self.event)
        target = event
        for key in keys[:-1]:
            child = target.get(key)
            if not isinstance(child, dict):
                child = target[key] = {}
            target = child
        target[keys[-1]] = value
        self.event = event
        return f"{path_text} = {json.dumps(value, ensure_ascii=False)}"

    def cmd_ast(self, rest: str) -> str:
        """``:ast [EXPR]``: the syntax tree of an expression (the last one by default)."""
        return repr(self._expression(rest).ast)

    def cmd_ir(self, rest: str) -> str:
        """``:ir [EXPR]``: the JSON IR of an expression (the last one by default), as Segment
        stores compiled filters.
        """
        return json.dumps(self._expression(rest).to_ir(), ensure_ascii=False)

    def cmd_fmt(self, rest: str) -> str:
        """``:fmt [EXPR]``: an expression (the last one by default) in the canonical layout of
        ``fql fmt``.
        """
        return format_node(parse(rest or self.last or ""))

    def cmd_explain(self, rest: str) -> str:
        """``:explain [EXPR]``: why an expression matches the current event or not, clause by
        clause, with the lint warnings about it.
        """
        expr = self._expression(rest)
        lines = list(explain(expr.ast, self.event))
        value = expr.evaluate(self.event)
        verdict = "matches" if value is True else "does not match"
        return "\n".join([f"{verdict}: value {json.dumps(value, ensure_ascii=False)}", *lines,
                          *self.findings(expr.text),
                          *self._no_event()])


def field_paths(value: Any, prefix: str = "") -> Iterator[str]:
    """Every field path of an event, for completion."""
    if isinstance(value, dict):
        for key, item in value.items():
            segment = "".join(c if c.isalnum() or c in "_-" else "\\" + c for c in str(key))
            path = f"{prefix}.{segment}" if prefix else segment
            yield path
            yield from field_paths(item, path)


def rule_paths(repl: Repl) -> list[str]:
    """The fields the last rule typed reads (``Expression.paths``, ``Trigger.paths``,
    ``Mapping.paths``), so completion offers them even when the loaded event lacks them;
    nothing when there is no last rule or it does not compile."""
    if repl.last is None or repl.last.startswith(":"):
        return []
    try:
        if repl.mode == "trigger":
            from actions import Trigger

            return list(Trigger.parse(repl.last).paths)
        if repl.mode == "mapping":
            import actions

            return [p.removeprefix("$.") for p in
                    actions.compile_mapping(json.loads(repl.last)).paths]
        return list(compile(repl.last).paths)
    except (FqlError, ValueError, ImportError):
        return []


def completions(repl: Repl, word: str) -> list[str]:
    """Function names, field paths of the loaded event and the fields the last rule
    reads, that start with ``word``."""
    paths = set(field_paths(repl.event)) | set(rule_paths(repl))
    names = [f"{name}(" for name in FUNCTIONS] + sorted(paths)
    return [n for n in names if n.startswith(word)]
