"""``fql eval`` through ``main(argv)``: output and exit codes."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from fql.cli import main

EXAMPLES = Path(__file__).parent.parent / "examples"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def test_single_event_match(tmp_path: Path) -> None:
    event = tmp_path / "e.json"
    event.write_text(json.dumps({"type": "track", "event": "Order Completed"}))
    code, out, _ = run("eval", "type = 'track'", str(event))
    assert (code, out) == (0, "true\tmatch\n")


def test_value_and_no_match(tmp_path: Path) -> None:
    event = tmp_path / "e.json"
    event.write_text(json.dumps({"properties": {"name": "Ada"}}))
    code, out, _ = run("eval", "lowercase(properties.name)", str(event))
    assert (code, out) == (1, '"ada"\tno match\n')


def test_json_lines_file() -> None:
    code, out, _ = run("eval", "type = 'track'", str(EXAMPLES / "events.jsonl"))
    lines = out.splitlines()
    events = [json.loads(x) for x in (EXAMPLES / "events.jsonl").read_text().splitlines()]
    assert len(lines) == len(events)
    for line, event in zip(lines, events, strict=True):
        assert line.endswith("\tmatch") == (event["type"] == "track")
    assert code == 1  # not every event is a track


def test_syntax_error_is_rendered_with_caret() -> None:
    code, out, err = run("eval", "type == 'x'", str(EXAMPLES / "event.json"))
    assert code == 2 and out == ""
    assert err.splitlines() == [
        "<expression>:1:6: FQL104 '==' is not an FQL operator",
        "  type == 'x'",
        "       ^~",
        "  hint: FQL compares with a single '='",
    ]


def test_version_shows_backend() -> None:
    code, out, _ = run("--version")
    assert code == 0 and out.startswith("fql ") and "backend:" in out


def test_usage_errors_go_to_the_given_stream() -> None:
    code, out, err = run("eval")
    assert code == 2 and out == "" and "usage: fql eval" in err
    code, out, _ = run("--help")
    assert code == 0 and "lint" in out and "repl" in out


def test_internal_errors_exit_2(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object) -> int:
        raise RuntimeError("boom")

    monkeypatch.setattr("fql.cli.eval_cmd.run", broken)
    code, _, err = run("eval", "type = 'x'", str(EXAMPLES / "event.json"))
    assert code == 2 and "internal error" in err and "RuntimeError: boom" in err


class _LinesOnly(io.BytesIO):
    """Standard input that can be read a line at a time but not whole."""

    def read(self, size: int | None = -1) -> bytes:
        raise AssertionError("fql eval read its whole input")


def test_json_lines_are_read_a_line_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Memory stays constant over JSON Lines: 100 MB of lines took 856 MB when the
    whole input was read first."""
    lines = b"".join(json.dumps({"type": t}).encode() + b"\n" for t in ("track", "page") * 500)
    monkeypatch.setattr("sys.stdin", type("Stdin", (), {"buffer": _LinesOnly(lines)})())
    code, out, _ = run("eval", "type = 'track'", "-")
    assert code == 1
    assert out.splitlines()[:2] == ["1: true\tmatch", "2: false\tno match"]
    assert len(out.splitlines()) == 1000


def test_a_document_over_several_lines_is_one_event(tmp_path: Path) -> None:
    path = tmp_path / "event.json"
    path.write_text(json.dumps({"type": "track", "n": [1, 2]}, indent=2))
    assert run("eval", "type = 'track'", str(path))[:2] == (0, "true\tmatch\n")
