"""``fql route`` through ``main(argv)``."""

from __future__ import annotations

import io
import json
from pathlib import Path

from fql.cli import main
from fql.routing import Router, load_config

EXAMPLES = Path(__file__).parent.parent / "examples"


def test_route_writes_one_line_per_payload_and_a_summary() -> None:
    out, err = io.StringIO(), io.StringIO()
    code = main(["route", "--config", str(EXAMPLES / "workspace.yaml"),
                 str(EXAMPLES / "events.jsonl")], out, err)
    assert code == 0
    router = Router(load_config(EXAMPLES / "workspace.yaml"))
    events = [json.loads(x) for x in (EXAMPLES / "events.jsonl").read_text().splitlines()]
    expected = [{"line": n, "destination": d.destination, "payload": p}
                for n, e in enumerate(events, start=1)
                for d in router.route(e).deliveries for p in d.payloads]
    assert [json.loads(x) for x in out.getvalue().splitlines()] == expected
    assert "Salesforce: No matching mapping: " in err.getvalue()


def test_route_rejects_an_invalid_configuration(tmp_path: Path) -> None:
    bad = tmp_path / "w.json"
    bad.write_text('{"destinations": [{"name": ""}]}')
    err = io.StringIO()
    assert main(["route", "--config", str(bad)], io.StringIO(), err) == 2
    assert "destinations[0].name" in err.getvalue()


def test_route_names_every_configuration_error(tmp_path: Path) -> None:
    bad = tmp_path / "w.json"
    bad.write_text(json.dumps({"consentCategories": [{"id": "ad"}], "destinations": [
        {"name": "A", "consentCategories": ["ads"]},
        {"name": "B", "mappings": [{"trigger": "type == 1", "mapping": {}}]}]}))
    err = io.StringIO()
    assert main(["route", "--config", str(bad)], io.StringIO(), err) == 2
    assert err.getvalue().splitlines() == [
        f"{bad}: destinations[0].consentCategories[0]: RTE103 consent category 'ads' is not "
        "declared in consentCategories",
        f"{bad}: destinations[1].mappings[0].trigger: FQL104 '==' is not an FQL operator"]
