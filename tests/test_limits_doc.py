"""Every limit in ``fql.limits`` is listed in docs/limits.md with its default."""

from __future__ import annotations

from pathlib import Path

import pytest

from fql import limits

DOC = (Path(__file__).parent.parent / "docs" / "limits.md").read_text(encoding="utf-8")
SETTINGS = [limits.Limits, limits.FilterLimits, limits.TriggerLimits, limits.MappingLimits,
            limits.YamlLimits]


def _row(name: str, section: str = "") -> str:
    """The table row for ``name`` in the section whose title names ``section``."""
    for part in DOC.split("\n## "):
        title, _, body = part.partition("\n")
        if section in title:
            for line in body.splitlines():
                if line.startswith(f"| `{name}` |"):
                    return line
    return ""


@pytest.mark.parametrize("field", [(cls, name) for cls in SETTINGS
                                   for name, _ in cls.__record_fields__],
                         ids=lambda cf: f"{cf[0].__name__}.{cf[1]}")
def test_each_limit_is_documented_with_its_default(field):
    cls, name = field
    row = _row(name, f"`{cls.__name__}`")
    assert row, f"docs/limits.md has no row for {cls.__name__}.{name}"
    default = getattr(cls(), name)
    shown = {f"{default:,}", f"{default:g}", str(default)}
    if isinstance(default, int) and default % (1024 * 1024) == 0:
        shown.add(f"{default // (1024 * 1024)} MiB")
    assert any(text in row for text in shown), (name, default, row)


def test_the_event_depth_default_is_documented():
    assert f"{limits.DEFAULT_EVENT_DEPTH} levels" in _row("DEFAULT_EVENT_DEPTH")
