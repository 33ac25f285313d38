"""Progress bars: on stderr for every long-running command when stderr is a terminal
(lines or files, rate, elapsed), never otherwise, and cleared before the summary."""

from __future__ import annotations

import io
from pathlib import Path

from fql.cli import main

EXAMPLES = Path(__file__).parent.parent / "examples"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def bar_and_rest(argv: list[str]) -> tuple[str, str]:
    err = Terminal()
    main(argv, io.StringIO(), err)
    bar, _, rest = err.getvalue().rpartition("\r\x1b[K")
    return bar, rest


def test_map_and_route_draw_a_bar_on_a_terminal_only(tmp_path: Path) -> None:
    source = tmp_path / "events.jsonl"
    source.write_text('{"type": "track", "event": "Order Completed"}\n' * 5000)
    for argv in (["map", str(EXAMPLES / "mapping.json"), str(source)],
                 ["route", "--config", str(EXAMPLES / "workspace.yaml"), str(source)]):
        bar, rest = bar_and_rest(argv)
        assert "4,096 lines" in bar and "lines/s" in bar and " 82% " in bar, argv
        assert rest.splitlines()[-1].startswith("read 5000"), argv
        err = io.StringIO()
        main(argv, io.StringIO(), err)
        assert "\r" not in err.getvalue()


def test_fql_test_over_many_files_draws_a_bar(tmp_path: Path) -> None:
    text = (EXAMPLES / "tests" / "rules.yaml").read_text()
    files = []
    for i in range(3):
        (tmp_path / f"t{i}.yaml").write_text(text)
        files.append(str(tmp_path / f"t{i}.yaml"))
    bar, rest = bar_and_rest(["test", *files])
    assert f"{len(files)} files" in bar and "] 100%" in bar
    assert rest == ""  # the summary is on stdout
