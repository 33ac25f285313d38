"""``fql repl``: the command handler directly, and the real shell through a pty."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from fql.cli.repl import Repl, completions
from fql.cli.repl_cmd import unfinished

ROOT = Path(__file__).parent.parent
EVENT = ROOT / "examples" / "event.json"


@pytest.fixture
def repl() -> Repl:
    shell = Repl()
    assert shell.handle(f":load {EVENT}").startswith("loaded")
    return shell


def test_expression_value(repl: Repl) -> None:
    assert repl.handle("type") == '"track"  (string)'
    assert repl.handle("lowercase(event) = 'order completed'") == "true  (bool)"
    assert repl.handle("properties.products") == "[]  (list)"


def test_load_nth_line_of_json_lines(repl: Repl) -> None:
    assert repl.handle(f":load {ROOT / 'examples' / 'events.jsonl'} 3").startswith("loaded")
    assert repl.handle("messageId") == '"msg-0002"  (string)'


def test_load_reports_bad_input_instead_of_failing(repl: Repl, tmp_path: Path) -> None:
    lines = tmp_path / "events.jsonl"
    lines.write_text('{"type": "track"}\n{"type": \n')
    assert repl.handle(f":load {lines} two").startswith("usage: :load FILE [N]")
    assert repl.handle(f":load {lines} 3") == f"{lines} has 2 lines"
    assert repl.handle(f":load {lines} 2").startswith(f"{lines}: line 2 is not JSON")
    assert repl.handle("type") == '"track"  (string)'  # the event loaded before is kept


def test_multi_line_input_continues_while_anything_is_open() -> None:
    assert unfinished("contains(event,") and unfinished("type in ['a',")
    assert unfinished('{"kind": {"@path": "$.type"}') and unfinished("event = 'Order")
    assert not unfinished('{"kind": {"@path": "$.type"}}') and not unfinished("type = ')'")


def test_set_changes_a_copy_of_the_event(repl: Repl) -> None:
    before = repl.event
    assert repl.handle(":set properties.plan 'gold'") == "properties.plan = \"'gold'\""
    assert repl.handle(':set traits.vip true') == "traits.vip = true"
    assert repl.handle("traits.vip") == "true  (bool)"
    assert "vip" not in before.get("traits", {})


def test_explain_marks_the_deciding_part(repl: Repl) -> None:
    out = repl.handle(':explain type = "page" or event = "Order Completed"')
    lines = out.splitlines()
    assert lines[0] == "matches: value true"
    assert lines[1:] == ['type = "page" or event = "Order Completed"  =>  true',
                         '  type = "page"  =>  false',
                         '    type  =>  "track"',
                         '  event = "Order Completed"  =>  true  <- decided here',
                         '    event  =>  "Order Completed"']


def test_inspection_commands_use_the_last_expression(repl: Repl) -> None:
    repl.handle("type='track'")
    assert repl.handle(":fmt") == 'type = "track"'
    assert repl.handle(":ir") == '["=", "type", {"value": "track"}]'
    assert repl.handle(":ast").startswith("Compare(op='='")


def test_lint_findings_are_shown_for_what_is_typed(repl: Repl) -> None:
    out = repl.handle("properties.total > '100'").splitlines()
    assert out[0] == "false  (bool)"
    assert out[1] == "<input>:1:20: FQL302 '>' against a string compares text, not numbers"
    out = repl.handle(":explain properties.total > '100'")
    assert "FQL302" in out


def test_a_hint_when_no_event_is_loaded() -> None:
    shell = Repl()
    assert shell.handle("type").splitlines() == [
        "null  (null)", "hint: no event is loaded, so every field reads as null "
        "(:load FILE, or start with fql repl EVENT)"]


def test_trigger_mode_reads_as_fql_and_says_where_segment_differs(repl: Repl) -> None:
    """The REPL, fql filter --trigger and fql lint read a trigger the same way."""
    assert repl.handle(":mode trigger").startswith("mode: trigger (read as FQL reads it")
    out = repl.handle("type = 'track' and event = 'x' or event = 'Order Completed'")
    lines = out.splitlines()
    assert lines[0] == "match"
    assert lines[1].startswith("note: this trigger is read as FQL reads it")
    assert "TRG101" in out and "TRG105" in out


def test_modes(repl: Repl) -> None:
    assert repl.handle(":mode trigger").startswith("mode: trigger")
    assert repl.handle('type = "track"').startswith("match")
    assert repl.handle(":mode mapping") == "mode: mapping"
    assert '"kind": "track"' in repl.handle('{"kind": {"@path": "$.type"}}')
    assert repl.handle(":mode nonsense").startswith("mode is mapping")


def test_errors_render_with_a_caret(repl: Repl) -> None:
    assert repl.handle("type == 'x'").splitlines()[2].strip() == "^~"


def test_completion_of_paths_and_functions(repl: Repl) -> None:
    assert "context.library.version" in completions(repl, "context.lib")
    assert completions(repl, "lowerc") == ["lowercase("]


pexpect = pytest.importorskip("pexpect")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")
def test_repl_through_a_terminal(tmp_path: Path) -> None:
    env = dict(os.environ, FQL_REPL_HISTORY=str(tmp_path / "history"), TERM="xterm",
               PROMPT_TOOLKIT_NO_CPR="1")
    child = pexpect.spawn(sys.executable, ["-m", "fql", "repl", str(EVENT)], env=env,
                          encoding="utf-8", timeout=20, cwd=str(ROOT), dimensions=(40, 200))
    child.delaybeforesend = 0.3  # let prompt_toolkit take the terminal before typing
    try:
        child.expect("fql>")
        child.send("length(messageI")
        child.send("\t")  # unique completion: messageId
        child.send(")\r")
        child.expect(r"[^0-9]8  \(number\)\r\n")  # "msg-0000" is 8 bytes
        child.expect("fql>")
        child.send(':explain type = "track"\r')
        child.expect("matches: value true")
        child.expect("fql>")
        child.send("type == 'x'\r")
        child.expect(r"\^~")
        child.expect("fql>")
        child.send(":quit\r")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
