"""``fql lint``: find problems in rule files, ruff-style.

Stages, one module each: :mod:`.sources` reads a file and decides what it holds (an FQL
expression, a trigger, a mapping, destination filters, device-mode rules) and lints it
into :class:`~fql.Diagnostic` records located in the file; :mod:`.registry` documents
every code; :mod:`.formatters` prints findings as text, JSON, SARIF 2.1.0 or GitHub
annotations. The command itself (:mod:`fql.cli.lint_cmd`) only wires them together.
"""

from .registry import explain, registry
from .sources import Finding, lint_path

__all__ = ["Finding", "explain", "lint_path", "registry"]
