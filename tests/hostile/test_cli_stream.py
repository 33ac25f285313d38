"""JSON Lines streams as a careless or hostile producer writes them: exact numbers end to
end, and one policy for every bad line in ``fql filter``, ``map``, ``route`` and ``eval``
(reported with its line number in the project's words, counted, written to the rejected
output where there is one; the stream goes on)."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import actions
import fql
from fql.cli import main
from fql.jsontext import MAX_JSON_DEPTH, FqlJsonError, dumps, loads, loads_event
from fql.routing import Router

EXAMPLES = Path(__file__).parent.parent.parent / "examples"

#: Numbers orjson alone would change (2**64, 10**30) or refuse (1e400), and -0.0.
EXACT = ['{"id":18446744073709551616}', '{"id":1000000000000000000000000000000}',
         '{"id":-0.0}', '{"id":1e400}', '{"id":-18446744073709551617}',
         '{"id":123456789012345678901234567890.5}']


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("text", EXACT)
def test_reading_is_exactly_the_standard_librarys(text: str) -> None:
    ours, reference = loads(text)["id"], json.loads(text)["id"]
    assert type(ours) is type(reference) and repr(ours) == repr(reference)
    assert loads(text.encode())["id"] == reference or reference != reference


def test_big_integers_are_written_exactly() -> None:
    for value in (2**64, -(2**64) - 1, 10**30, 10**400):
        assert dumps({"id": value}) == f'{{"id":{value}}}'
    assert dumps({"z": -0.0}) == '{"z":-0.0}'
    assert dumps({"inf": float("inf"), "nan": float("nan")}) == '{"inf":null,"nan":null}'


def test_fql_filter_compares_and_keeps_big_integers_exactly(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text("".join(line + "\n" for line in EXACT))
    code, out, _ = run("filter", "id = 1000000000000000000000000000000", str(source))
    assert code == 0 and out == EXACT[1] + "\n"
    code, out, _ = run("filter", "id = 18446744073709551616", str(source))
    assert out == EXACT[0] + "\n"  # not 18446744073709551617, nor a float
    # Every line kept: each written as its own bytes, numbers untouched.
    code, out, _ = run("filter", "true", str(source))
    assert out.splitlines() == EXACT


def test_fql_route_and_map_write_big_integers_exactly(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"type":"track","event":"x","n":123456789012345678901234567890,'
                      '"z":-0.0}\n')
    config = tmp_path / "w.json"
    config.write_text(json.dumps({"destinations": [{"name": "Warehouse"}]}))
    code, out, _ = run("route", "--config", str(config), str(source))
    payload = json.loads(out)["payload"]
    assert code == 0 and payload["n"] == 123456789012345678901234567890
    assert repr(payload["z"]) == "-0.0"
    mapping = tmp_path / "m.json"
    mapping.write_text('{"z": {"@path": "$.z"}, "t": {"@path": "$.type"}}')
    code, out, _ = run("map", str(mapping), str(source))
    assert code == 0 and out == '{"z":-0.0,"t":"track"}\n'


# -- one message per kind of bad line, everywhere ------------------------------------

BAD = {
    "not an object": ("[1,2]", "FQL603 an event is a JSON object, not an array"),
    "malformed": ("{not json", "FQL604 malformed JSON at column 2"),
    "not UTF-8": (b'{"a": "\xff"}', "FQL604 not UTF-8"),
    "NaN": ('{"a": NaN}', "FQL604 malformed JSON: NaN is not a JSON number"),
    "too deep": ('{"a":' * 1200 + "1" + "}" * 1200, "FQL602 nested too deeply"),
}


def stream_with(bad: str | bytes) -> bytes:
    """Good, bad, good: the bad line is line 2."""
    middle = bad if isinstance(bad, bytes) else bad.encode()
    return b'{"type":"track","userId":"a"}\n' + middle + b'\n{"type":"track","userId":"b"}\n'


def commands(tmp_path: Path, source: Path) -> dict[str, list[str]]:
    mapping = tmp_path / "m.json"
    mapping.write_text('{"user": {"@path": "$.userId"}}')
    return {
        "filter": ["filter", "type = 'track'", str(source)],
        "map": ["map", str(mapping), str(source)],
        "route": ["route", "--config", str(EXAMPLES / "workspace.yaml"), str(source)],
        "eval": ["eval", "type = 'track'", str(source)],
    }


@pytest.mark.parametrize("kind", list(BAD))
def test_a_bad_line_gets_one_message_in_every_command_and_the_stream_goes_on(
        tmp_path: Path, kind: str) -> None:
    text, message = BAD[kind]
    source = tmp_path / "in.jsonl"
    source.write_bytes(stream_with(text))
    seen = {}
    for name, argv in commands(tmp_path, source).items():
        code, out, err = run(*argv)
        lines = [line for line in err.splitlines() if ": invalid line: " in line]
        assert len(lines) == 1, (name, err)
        assert lines[0].startswith(f"{source}:2: invalid line: {message}"), (name, err)
        seen[name] = lines[0]
        assert "orjson" not in err and "char " not in err and "Traceback" not in err
        assert code in (1, 2) if name == "eval" else code == 1
        # the good line after the bad one was processed
        assert ("b" in out) if name != "eval" else ("3: true" in out), (name, out)
    assert len(set(seen.values())) == 1  # the same words everywhere


def test_summaries_count_bad_lines(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(stream_with(BAD["not an object"][0]))
    argv = commands(tmp_path, source)
    assert run(*argv["filter"])[2].splitlines()[-1] == "read 3, kept 2, dropped 0, invalid 1"
    assert run(*argv["map"])[2].splitlines()[-1] == \
        "read 3, mapped 2, skipped 0, failed 0, invalid 1"
    assert run(*argv["route"])[2].splitlines()[-1] == "read 3, routed 2, invalid 1"


def test_bad_lines_go_to_the_dropped_output(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(stream_with(b"[1,2]"))
    dropped = tmp_path / "dropped.jsonl"
    code, out, _ = run("filter", "userId = 'a'", str(source), "--dropped", str(dropped))
    records = [json.loads(line) for line in dropped.read_text().splitlines()]
    assert code == 1 and out == '{"type":"track","userId":"a"}\n'
    assert records[0] == {"file": str(source), "line": 2, "reason": "invalid line",
                          "error": "FQL603 an event is a JSON object, not an array",
                          "text": "[1,2]"}
    assert records[1]["line"] == 3 and records[1]["reason"] == "no match"


@pytest.mark.parametrize("command", ["filter", "route"])
def test_an_event_nested_1000_levels_in_the_middle_does_not_stop_the_stream(
        tmp_path: Path, command: str) -> None:
    deep = '{"type":"track","a":' + '{"a":' * 1000 + "1" + "}" * 1001
    source = tmp_path / "in.jsonl"
    source.write_bytes(stream_with(deep))
    code, out, err = run(*commands(tmp_path, source)[command])
    assert code == 1 and "Traceback" not in err
    assert f"{source}:2: invalid line: FQL602 nested too deeply" in err
    assert '"userId":"a"' in out and '"userId":"b"' in out


def test_deep_but_allowed_lines_are_answered_or_reported_never_a_traceback(
        tmp_path: Path) -> None:
    """Between the rules' own depth limits and the reader's: a project error or an
    answer, for every command."""
    for depth in (120, 300, MAX_JSON_DEPTH - 1):
        deep = '{"type":"track","a":' + "[" * depth + "]" * depth + "}"
        source = tmp_path / "in.jsonl"
        source.write_bytes(stream_with(deep))
        for name, argv in commands(tmp_path, source).items():
            _, out, err = run(*argv)
            assert "Traceback" not in err and "internal error" not in err, (name, depth)
            assert ("b" in out) if name != "eval" else ("3: true" in out), (name, depth)


def test_eval_prints_the_good_lines_around_a_bad_one(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(stream_with(b"[1,2]"))
    code, out, err = run("eval", "userId = 'b'", str(source))
    assert out == "1: false\tno match\n3: true\tmatch\n"
    assert code == 2 and err == f"{source}:2: invalid line: FQL603 an event is a JSON " \
        "object, not an array\n"


# -- the library's JSON entry points ------------------------------------------------

def test_json_entry_points_read_exactly_and_raise_the_project_error() -> None:
    text = b'{"type":"track","id":18446744073709551616}'
    assert fql.compile("id = 18446744073709551616").matches_json(text)
    assert not fql.compile("id = 18446744073709551617").matches_json(text)
    assert fql.compile("id = 18446744073709551616").matches_many_json([text, text]) == \
        [True, True]
    assert actions.Trigger.parse('type = "track"').matches_json(text)
    mapping = actions.compile_mapping({"t": {"@path": "$.type"}})
    assert mapping.apply_json(text) == {"t": "track"}
    router = Router({"destinations": [{"name": "W"}]})
    assert router.route_json(text)["W"].payloads == ({"type": "track",
                                                      "id": 18446744073709551616},)
    for call in (fql.compile("true").matches_json, mapping.apply_json, router.route_json,
                 actions.Trigger.parse('type = "track"').matches_json):
        for bad, code in ((b"[1]", "FQL603"), (b"{x", "FQL604"), (b"\xff", "FQL604"),
                          (b"[" * 5000 + b"]" * 5000, "FQL602")):
            with pytest.raises(FqlJsonError) as info:
                call(bad)
            assert info.value.code == code
            assert not re.search(r"orjson|char \d", str(info.value))


def test_loads_event_refuses_what_is_not_an_object() -> None:
    for text, kind in (("1", "a number"), ('"s"', "a string"), ("null", "null"),
                       ("true", "a boolean"), ("[]", "an array")):
        with pytest.raises(FqlJsonError, match=f"not {kind}$"):
            loads_event(text)


# -- generated numbers and texts: the fast reader agrees with json.loads --------------

_numbers = st.one_of(st.integers(min_value=-(10**40), max_value=10**40),
                     st.floats(allow_nan=False, allow_infinity=False),
                     st.integers(0, 40).map(lambda e: 2**64 - 2 + e),
                     st.integers(0, 40).map(lambda e: -(2**63) + 2 - e))
_number_texts = st.one_of(
    _numbers.map(json.dumps),
    st.tuples(st.integers(-(10**25), 10**25), st.integers(0, 10**20),
              st.integers(-400, 400)).map(lambda t: f"{t[0]}.{t[1]}e{t[2]}"))


@settings(max_examples=500, deadline=None)
@given(st.lists(_number_texts, min_size=1, max_size=5), st.booleans())
def test_generated_numbers_read_exactly_as_the_standard_library(
        texts: list[str], as_bytes: bool) -> None:
    text = '{"a":[' + ",".join(texts) + "]}"
    ours = loads(text.encode() if as_bytes else text)["a"]
    reference = json.loads(text)["a"]
    assert [(type(x), repr(x)) for x in ours] == [(type(x), repr(x)) for x in reference]
    assert json.loads(dumps(ours)) == [x if x not in (float("inf"), float("-inf")) else None
                                       for x in reference]
