"""Output formats for lint findings, one class each (STYLE.md §9).

- :class:`TextFormatter`: ``path:line:col: severity CODE message``, the source line and
  a caret (the one renderer of :mod:`fql.diagnostics`), then a summary that counts
  errors and warnings apart;
- :class:`JsonFormatter`: a JSON array of findings, for tools;
- :class:`SarifFormatter`: SARIF 2.1.0, for code-scanning dashboards;
- :class:`GithubFormatter`: GitHub Actions workflow commands (``::warning file=...``),
  the hint on the annotation's second line.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from .. import __version__
from ..diagnostics import render_location
from .codes import code_docs

if TYPE_CHECKING:
    from .sources import Finding


class Formatter:
    name: ClassVar[str]

    def format(self, findings: Sequence[Finding]) -> str:
        """Render ``findings`` as one text in this formatter's format (``name``), ready to
        print; the linter collects the findings first, so every format reports the same
        ones.
        """
        raise NotImplementedError


class TextFormatter(Formatter):
    name = "text"

    def format(self, findings: Sequence[Finding]) -> str:
        blocks = []
        for f in findings:
            d = f.diagnostic
            source = f.source if d.line >= 1 and f.source is not None else None
            blocks.append(render_location(f.path, d.line, d.column, d.end_line, d.end_column,
                                          f"{d.severity} {d.code} {d.message}", source,
                                          d.hint))
        return "\n".join([*blocks, summary(findings)]) + "\n" if findings else ""


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def summary(findings: Sequence[Finding]) -> str:
    """``Found 3 problems (1 error, 2 warnings).``: errors (the rule is rejected or
    fails closed) counted apart from warnings and notes (it runs, maybe not as meant)."""
    counts = {severity: sum(1 for f in findings if f.diagnostic.severity == severity)
              for severity in ("error", "warning", "info")}
    parts = [_plural(counts["error"], "error"), _plural(counts["warning"], "warning")]
    if counts["info"]:
        parts.append(_plural(counts["info"], "note"))
    return f"Found {_plural(len(findings), 'problem')} ({', '.join(parts)})."


def _record(f: Finding) -> dict[str, object]:
    d = f.diagnostic
    return {"path": f.path, "code": d.code, "severity": d.severity, "message": d.message,
            "line": d.line, "column": d.column, "end_line": d.end_line,
            "end_column": d.end_column, "pointer": d.path, "hint": d.hint}


class JsonFormatter(Formatter):
    name = "json"

    def format(self, findings: Sequence[Finding]) -> str:
        return json.dumps([_record(f) for f in findings], indent=2, ensure_ascii=False) + "\n"


_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


class SarifFormatter(Formatter):
    name = "sarif"

    def format(self, findings: Sequence[Finding]) -> str:
        docs = code_docs()
        codes = sorted({f.diagnostic.code for f in findings})
        rules = [{"id": code,
                  "shortDescription": {"text": docs[code].summary if code in docs else code},
                  "fullDescription": {"text": docs[code].explanation if code in docs
                                      else code}} for code in codes]
        results = []
        for f in findings:
            d = f.diagnostic
            message = d.message + (f" (hint: {d.hint})" if d.hint else "")
            results.append({
                "ruleId": d.code,
                "ruleIndex": codes.index(d.code),
                "level": _SARIF_LEVEL[d.severity],
                "message": {"text": message},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": f.path.replace("\\", "/")},
                    "region": {"startLine": d.line, "startColumn": d.column,
                               "endLine": d.end_line, "endColumn": max(d.end_column,
                                                                        d.column + 1)},
                }}],
            })
        log = {
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [{"tool": {"driver": {"name": "fql-lint", "version": __version__,
                                          "rules": rules}},
                      "results": results}],
        }
        return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _escape_property(value: str) -> str:
    return (value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
            .replace(":", "%3A").replace(",", "%2C"))


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


class GithubFormatter(Formatter):
    name = "github"

    def format(self, findings: Sequence[Finding]) -> str:
        lines = []
        for f in findings:
            d = f.diagnostic
            level = {"error": "error", "warning": "warning", "info": "notice"}[d.severity]
            props = (f"file={_escape_property(f.path)},line={d.line},col={d.column},"
                     f"endLine={d.end_line},endColumn={d.end_column},"
                     f"title={_escape_property(d.code)}")
            message = f"{d.code} {d.message}" + (f"\nhint: {d.hint}" if d.hint else "")
            lines.append(f"::{level} {props}::{_escape_data(message)}")
        return "\n".join(lines) + "\n" if lines else ""


FORMATTERS: dict[str, type[Formatter]] = {
    cls.name: cls for cls in (TextFormatter, JsonFormatter, SarifFormatter, GithubFormatter)
}
