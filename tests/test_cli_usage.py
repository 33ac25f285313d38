"""The command line as a new user meets it: --help in plain text with an example per
command (golden files), argument order, one trigger reading in every tool, the route
summary and ``fql route --explain`` (golden file)."""

from __future__ import annotations

import io
import json
import os
import re
from pathlib import Path

import pytest

from fql.cli import SUBCOMMANDS, main

ROOT = Path(__file__).parent.parent
EXAMPLES = Path("examples")
GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("FQL_UPDATE_GOLDEN") == "1"
COMMANDS = [name.removesuffix("_cmd") for name in SUBCOMMANDS]


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    cwd = os.getcwd()
    os.chdir(ROOT)  # golden files hold paths relative to the project
    try:
        code = main(list(argv), out, err)
    finally:
        os.chdir(cwd)
    return code, out.getvalue(), err.getvalue()


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"golden file {name} differs"


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_help_is_plain_text_with_examples(command: str,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")  # argparse wraps to the terminal's width
    code, out, _ = run(*([command] if command else []), "--help")
    assert code == 0
    assert "\nexamples:\n  fql " in out
    assert not re.search(r"``|:(?:mod|func|class|data):`", out), "reStructuredText in help"
    # The golden file holds the description and examples (ours); the usage line and
    # the option list are argparse's, whose layout changes between Python versions.
    description = out.split("\n\n", 1)[1]
    description = re.split(r"\n(?:positional arguments|options):\n", description)[0]
    check_golden(f"help.{command or 'fql'}.txt", description)


def test_version_names_the_backend() -> None:
    code, out, _ = run("--version")
    assert code == 0 and re.fullmatch(r"fql \S+ \(backend: (cython|python)\)\n", out)


def test_filter_without_an_expression_names_the_mistake() -> None:
    code, out, err = run("filter", "examples/events.jsonl")
    assert (code, out) == (2, "")
    assert err.startswith("fql filter: 'examples/events.jsonl' is a file: give the FQL "
                          "expression first")


def test_files_may_follow_options() -> None:
    """argparse fills a list positional once; the files after an option join it."""
    code, _, err = run("filter", "--filters", "examples/filters.json",
                         "examples/events.jsonl", "--output", os.devnull,
                         "examples/events.jsonl")
    assert code == 0 and err.endswith("invalid 0\n") and err.startswith("read 80,")
    code, _, err = run("filter", 'type = "track"', "--filters", "examples/filters.json",
                       "examples/events.jsonl")
    assert code == 2 and "give one or the other" in err
    assert run("filter", "--trigger", "type = 'x'", "examples/events.jsonl", "--bogus")[0] == 2


def test_one_trigger_reading_everywhere() -> None:
    """fql filter --trigger reads the trigger as FQL does (as the REPL and fql lint do)
    and says that Segment's parser reads it differently; --trigger-mode segment
    evaluates Segment's reading."""
    code, out, err = run("filter", "--trigger", "type = 'track'", "examples/events.jsonl")
    kept = len(out.splitlines())
    assert code == 0 and kept > 0 and f"kept {kept}," in err
    assert err.startswith("note: this trigger is read as FQL reads it (the default); "
                          "Segment's trigger parser reads it differently")
    assert "TRG105" in err
    code, out, err = run("filter", "--trigger-mode", "segment", "--trigger", "type = 'track'",
                         "examples/events.jsonl")
    assert code == 0 and out == "" and "kept 0," in err
    _, _, err = run("map", "--trigger", "type = 'track'", "examples/mapping.json",
                    "examples/events.jsonl")
    assert "TRG105" in err and f"mapped {kept}," in err
    _, _, err = run("filter", "--trigger", 'type = "track"', "examples/events.jsonl")
    assert "note:" not in err  # both parsers read it alike: nothing to say


def test_route_summary_counts_the_events_read() -> None:
    code, _, err = run("route", "--config", "examples/workspace.yaml",
                       "examples/routing-events.jsonl")
    assert code == 0 and err.splitlines()[-1] == "read 6, routed 6, invalid 0"


def test_route_explain_golden() -> None:
    """Each event of the example: every destination's stages and its outcome."""
    text = ""
    for line in range(1, 7):
        code, out, _ = run("route", "--config", "examples/workspace.yaml", "--explain",
                           "--line", str(line), "examples/routing-events.jsonl")
        assert code == 0
        text += out
    check_golden("route.explain.txt", text)


def test_route_explain_agrees_with_route() -> None:
    """The outcome line of each destination is what route() gives for the event."""
    from fql.routing import Router, load_config
    from fql.routing.explain import explain_route

    router = Router(load_config(ROOT / "examples" / "workspace.yaml"))
    for line in (ROOT / "examples" / "events.jsonl").read_text().splitlines():
        event = json.loads(line)
        explained = explain_route(router, event)
        assert [e.delivery for e in explained.destinations] == \
            list(router.route(event).deliveries)


def test_route_explain_of_a_single_event_file() -> None:
    code, out, _ = run("route", "--config", "examples/workspace.yaml", "--explain",
                       "examples/event.json")
    assert code == 0 and out.startswith("event examples/event.json\n")
    code, _, err = run("route", "--config", "examples/workspace.yaml", "--explain",
                       "--line", "99", "examples/routing-events.jsonl")
    assert code == 2 and "has no line 99" in err


def test_coverage_golden() -> None:
    code, out, _ = run("test", "--coverage", "examples/tests/")
    assert code == 0
    check_golden("test.coverage.txt", out)


def test_the_readme_shows_the_main_job_as_it_runs() -> None:
    """The README's main job routes events where consent and the integrations object
    decide; its summary and its --explain example are this run's output."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "fql route --config examples/workspace.yaml examples/routing-events.jsonl" in readme
    _, _, err = run("route", "--config", "examples/workspace.yaml",
                    "examples/routing-events.jsonl")
    assert f"```\n{err}```" in readme
    assert "Filtered by end user consent" in err and "Filtered by integrations object" in err
    _, out, _ = run("route", "--config", "examples/workspace.yaml", "--explain", "--line", "3",
                    "examples/routing-events.jsonl")
    assert out in readme


def test_explain_golden() -> None:
    """--explain for one code of each checked family: summary, explanation, example."""
    text = "".join(run("lint", "--explain", code)[1]
                   for code in ("FQL302", "FQL310", "TRG101", "MAP101", "LNT003"))
    check_golden("lint.explain.txt", text)
