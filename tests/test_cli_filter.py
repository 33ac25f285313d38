"""``fql filter`` and ``fql map`` through ``main(argv)``."""

from __future__ import annotations

import io
import json
from pathlib import Path

import actions
import fql
from benchmarks.events import generate
from fql.cli import main
from fql.filters import FilterList

EXAMPLES = Path(__file__).parent.parent / "examples"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def test_filter_100k_lines_keeps_what_the_library_keeps(tmp_path: Path) -> None:
    events = generate(100_000)
    source = tmp_path / "events.jsonl"
    source.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    rule = 'type = "track" and properties.revenue > 100'
    code, out, err = run("filter", rule, str(source))
    expected = fql.compile(rule).filter(events)
    assert code == 0
    assert [json.loads(line) for line in out.splitlines()] == expected
    assert err.strip() == (f"read 100000, kept {len(expected)}, "
                           f"dropped {100_000 - len(expected)}, invalid 0")


def test_malformed_lines_are_reported_and_skipped(tmp_path: Path) -> None:
    source = tmp_path / "events.jsonl"
    source.write_text('{"type": "track"}\n{not json\n[1, 2]\n{"type": "page"}\n')
    code, out, err = run("filter", "type = 'track'", str(source))
    assert code == 1
    assert out == '{"type": "track"}\n'  # the kept line's own bytes
    assert f"{source}:2: invalid line" in err and f"{source}:3: invalid line" in err
    assert err.splitlines()[-1] == "read 4, kept 1, dropped 1, invalid 2"
    code, _, err = run("filter", "--fail-fast", "type = 'track'", str(source))
    assert code == 1 and err.splitlines()[-1] == "read 2, kept 1, dropped 0, invalid 1"


def test_filter_with_destination_filters_and_dropped_file(tmp_path: Path) -> None:
    dropped = tmp_path / "dropped.jsonl"
    code, out, _ = run("filter", "--filters", str(EXAMPLES / "filters.json"),
                       str(EXAMPLES / "events.jsonl"), "--dropped", str(dropped))
    assert code == 0
    filters = FilterList.load(json.loads((EXAMPLES / "filters.json").read_text()))
    events = [json.loads(x) for x in (EXAMPLES / "events.jsonl").read_text().splitlines()]
    results = [filters.apply(e) for e in events]
    assert [json.loads(x) for x in out.splitlines()] == [r.event for r in results
                                                         if not r.dropped]
    reasons = [json.loads(x) for x in dropped.read_text().splitlines()]
    assert len(reasons) == sum(r.dropped for r in results)
    assert all(r["reason"] and r["line"] >= 1 for r in reasons)


def test_filter_with_a_trigger() -> None:
    trigger = 'type = "track" and event = "Order Completed"'
    code, out, _ = run("filter", "--trigger", trigger, str(EXAMPLES / "events.jsonl"))
    events = [json.loads(x) for x in (EXAMPLES / "events.jsonl").read_text().splitlines()]
    t = actions.Trigger.parse(trigger)
    assert code == 0
    assert [json.loads(x) for x in out.splitlines()] == [e for e in events if t.matches(e)]


def test_filter_rejects_invalid_rules_with_a_caret() -> None:
    code, _, err = run("filter", "type == 'x'", str(EXAMPLES / "events.jsonl"))
    assert code == 2 and "FQL104" in err and "^~" in err


def test_map_applies_mapping_to_triggered_events() -> None:
    code, out, err = run("map", str(EXAMPLES / "mapping.json"),
                         str(EXAMPLES / "events.jsonl"), "--trigger", 'type = "track"')
    mapping = actions.compile_mapping(json.loads((EXAMPLES / "mapping.json").read_text()))
    events = [json.loads(x) for x in (EXAMPLES / "events.jsonl").read_text().splitlines()]
    tracks = [e for e in events if e["type"] == "track"]
    assert code == 0
    assert [json.loads(x) for x in out.splitlines()] == [mapping.apply(e) for e in tracks]
    assert err.strip() == (f"read {len(events)}, mapped {len(tracks)}, "
                           f"skipped {len(events) - len(tracks)}, failed 0, invalid 0")


def test_map_rejects_invalid_mapping(tmp_path: Path) -> None:
    bad = tmp_path / "m.json"
    bad.write_text('{"a": {"@path": "$.x", "@template": "y"}}')
    code, _, err = run("map", str(bad), str(EXAMPLES / "events.jsonl"))
    assert code == 2 and "/a" in err


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal(tmp_path: Path) -> None:
    source = tmp_path / "events.jsonl"
    source.write_text('{"type": "track"}\n' * 10_000)
    err = Terminal()
    assert main(["filter", "type = 'track'", str(source)], io.StringIO(), err) == 0
    bar, _, summary = err.getvalue().rpartition("\r\x1b[K")
    assert "] " in bar and "8,192 lines" in bar and "lines/s" in bar
    assert summary == "read 10000, kept 10000, dropped 0, invalid 0\n"
    assert "\r" not in run("filter", "type = 'track'", str(source))[2]


def test_lines_that_are_not_utf8_are_invalid_lines(tmp_path: Path) -> None:
    source = tmp_path / "events.jsonl"
    source.write_bytes(b'{"type": "track"}\n\xff\xfe\n')
    code, out, err = run("filter", "type = 'track'", str(source))
    assert code == 1 and out == '{"type": "track"}\n'
    assert f"{source}:2: invalid line" in err


def test_missing_input_file_is_a_usage_error(tmp_path: Path) -> None:
    code, out, err = run("filter", "type = 'track'", str(tmp_path / "nope.jsonl"))
    assert (code, out) == (2, "") and "no such file" in err
    assert run("map", str(EXAMPLES / "mapping.json"), str(tmp_path / "nope.jsonl"))[0] == 2
