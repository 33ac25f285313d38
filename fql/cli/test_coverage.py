"""``fql test --coverage``: what the test cases exercised, per test file and in total.

Like a policy engine's test coverage, but counted in the units a rule author thinks
in rather than in source lines:

- an FQL expression or a trigger is *covered* when the cases saw it both match and not
  match (a rule only ever seen matching could be ``all`` for all the tests know);
- a destination filter is covered when some case's event meets its condition (its
  action ran), whether that case tested it or a filter before it decided;
- a mapping field (each output key, nested keys included, down to a directive or a
  constant) is covered when some case's payload holds it.

Rules are identified by where they are written: a file (``filters: ../filters.json``)
or the test file's case (``rules.yaml#3``).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..datafile import load_json


@dataclass
class _Item:
    kind: str  # "rule", "filter" or "field"
    source: str  # where the rule is written
    name: str  # the rule's text, the filter's title, the field's path
    seen: set[str] = field(default_factory=set)

    @property
    def needs(self) -> set[str]:
        return {"match", "no match"} if self.kind == "rule" else {"hit"}

    @property
    def covered(self) -> bool:
        return self.needs <= self.seen

    def record(self) -> dict[str, Any]:
        return {"kind": self.kind, "source": self.source, "name": self.name,
                "covered": self.covered, "seen": sorted(self.seen)}


class Coverage:
    """Collects what each case exercised; :meth:`report` prints it."""

    def __init__(self) -> None:
        self.files: dict[str, dict[tuple[str, str, str], _Item]] = {}

    def _item(self, test_file: str, kind: str, source: str, name: str) -> _Item:
        items = self.files.setdefault(test_file, {})
        return items.setdefault((kind, source, name), _Item(kind, source, name))

    def record(self, test_file: str, case: dict[str, Any], base: Path, verdict: str,
               output: Any) -> None:
        """One case that ran: its rule, its verdict and its output."""
        event = case["event"]
        if "fql" in case or "trigger" in case:
            text = case.get("fql", case.get("trigger"))
            matched = verdict != "no match"
            self._item(test_file, "rule", test_file,
                       str(text)).seen.add("match" if matched else "no match")
        if "mapping" in case:
            mapping, source = _data(case["mapping"], base, test_file)
            for path in _fields(mapping):
                item = self._item(test_file, "field", source, path)
                if verdict == "mapped" and _has(output, path):
                    item.seen.add("hit")
        if "filters" in case:
            filters, source = _data(case["filters"], base, test_file)
            self._filters(test_file, filters, source, event)

    def _filters(self, test_file: str, filters: Any, source: str, event: Any) -> None:
        from .. import compile as compile_fql

        items = filters.get("filters") if isinstance(filters, dict) else filters
        for index, item in enumerate(items if isinstance(items, list) else []):
            if not isinstance(item, dict):
                continue
            title = str(item.get("title") or f"filter {index + 1}")
            condition: Any = item.get("if")  # the file's data: compiling checks it
            covered = self._item(test_file, "filter", source, title)
            try:
                hit = condition == "all" or compile_fql(condition).matches(event)
            except Exception:
                hit = False
            if hit:
                covered.seen.add("hit")

    def report(self, fmt: str) -> str:
        """The coverage report in ``fmt`` (``"json"`` or text): per test file, which rules saw
        both outcomes and which filters and fields were hit, so a rule tested only on
        matching events shows up.
        """
        items = {name: list(found.values()) for name, found in self.files.items()}
        everything = [item for found in items.values() for item in found]
        if fmt == "json":
            return json.dumps({
                "files": {name: {"covered": sum(i.covered for i in found),
                                 "total": len(found),
                                 "items": [i.record() for i in found]}
                          for name, found in items.items()},
                "covered": sum(i.covered for i in everything),
                "total": len(everything),
            }, indent=2, ensure_ascii=False) + "\n"
        lines = ["", "coverage:"]
        for name, found in items.items():
            lines.append(f"  {name}: {_ratio(found)}")
            for kind, label in (("rule", "rules"), ("filter", "filters"),
                                ("field", "mapping fields")):
                of_kind = [i for i in found if i.kind == kind]
                if not of_kind:
                    continue
                lines.append(f"    {label}: {_ratio(of_kind)}")
                lines.extend(f"      not covered: {_describe(i)}" for i in of_kind
                             if not i.covered)
        lines.append(f"  total: {_ratio(everything)}")
        return "\n".join(lines) + "\n"


def _ratio(items: list[_Item]) -> str:
    covered = sum(i.covered for i in items)
    share = f" ({100 * covered // len(items)}%)" if items else ""
    return f"{covered}/{len(items)}{share}"


def _describe(item: _Item) -> str:
    if item.kind == "rule":
        missing = " and ".join(sorted(item.needs - item.seen))
        return f"{item.name} (never seen: {missing})"
    where = "" if item.kind == "field" else f" in {item.source}"
    if item.kind == "field":
        where = f" of {item.source}"
    return f"{item.name}{where}"


def _data(value: Any, base: Path, test_file: str) -> tuple[Any, str]:
    """The rule and where it is written (a file beside the test file, or inline)."""
    if isinstance(value, str):
        path = base / value
        return load_json(path.read_text(encoding="utf-8")), os.path.normpath(path)
    return value, f"{test_file} (inline)"


def _fields(mapping: Any, prefix: str = "") -> list[str]:
    """The output paths of a mapping: each key, down to a directive or a constant."""
    if not isinstance(mapping, dict) or any(str(k).startswith("@") for k in mapping):
        return [prefix] if prefix else []
    paths: list[str] = []
    for key, value in mapping.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        nested = _fields(value, path)
        paths.extend(nested or [path])
    return paths


def _has(payload: Any, path: str) -> bool:
    value = payload
    for key in path.split("."):
        if not isinstance(value, dict) or key not in value:
            return False
        value = value[key]
    return True
