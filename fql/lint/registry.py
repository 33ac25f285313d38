"""Every diagnostic code and its documentation (:mod:`.codes`), for ``--explain``,
SARIF rule descriptions, selector validation and docs/lint-rules.md."""

from __future__ import annotations

from functools import lru_cache

from .codes import code_docs


@lru_cache(maxsize=1)
def registry() -> dict[str, str]:
    """Code -> documentation, for every code the linter and the engine can report."""
    return {code: doc.render() for code, doc in sorted(code_docs().items())}


def explain(code: str) -> str | None:
    """The documentation of ``code`` (any case), or None if no such code exists."""
    return registry().get(code.strip().upper())
