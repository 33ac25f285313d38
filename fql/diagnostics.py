"""Source positions and diagnostics shared by every stage (parser, checker, linters).

A :class:`Span` locates a piece of rule text; a :class:`Diagnostic` is one finding about
it. Both are plain frozen records so tools read fields, never message text, and the
same caret renderer serves the parser's errors, ``fql.check`` and ``fql lint``.
"""

from __future__ import annotations

from typing import Literal

from .records import field, record

Severity = Literal["error", "warning", "info"]


@record
class Span:
    """A half-open character range ``[start, end)`` of the source, with 1-based
    line/column for both ends (columns count code points, as editors do)."""

    start: int
    end: int
    line: int
    column: int
    end_line: int
    end_column: int

    @classmethod
    def from_offsets(cls, text: str, start: int, end: int) -> Span:
        """Compute line/column for offsets into ``text``."""
        line, column = _line_col(text, start)
        end_line, end_column = _line_col(text, end)
        return cls(start, end, line, column, end_line, end_column)

    def merge(self, other: Span) -> Span:
        """The smallest span covering both spans."""
        first = self if self.start <= other.start else other
        last = self if self.end >= other.end else other
        return Span(first.start, last.end, first.line, first.column, last.end_line, last.end_column)


def _line_col(text: str, offset: int) -> tuple[int, int]:
    offset = max(0, min(offset, len(text)))
    line = text.count("\n", 0, offset) + 1
    line_start = text.rfind("\n", 0, offset) + 1
    return line, offset - line_start + 1


@record
class Diagnostic:
    """One finding: a stable ``code`` (prefix per family), a severity, a message, and
    where it is: a text span (``line``/``column``/``end_*``, 1-based) and, for JSON
    rule files, a JSON-pointer-like ``path`` (``/user_id/@if``)."""

    code: str
    message: str
    severity: Severity = "error"
    line: int = 1
    column: int = 1
    end_line: int = 1
    end_column: int = 1
    path: str | None = None
    hint: str | None = None
    extra: dict[str, object] = field(default_factory=dict, compare=False, hash=False)

    @classmethod
    def at(
        cls,
        span: Span | None,
        code: str,
        message: str,
        severity: Severity = "error",
        *,
        path: str | None = None,
        hint: str | None = None,
    ) -> Diagnostic:
        """A diagnostic located at ``span`` (or at 1:1 when there is no text span)."""
        if span is None:
            return cls(code, message, severity, path=path, hint=hint)
        return cls(
            code,
            message,
            severity,
            span.line,
            span.column,
            span.end_line,
            span.end_column,
            path=path,
            hint=hint,
        )

    def render(self, source: str | None = None, filename: str = "<fql>") -> str:
        """``file:line:col: CODE message``, then the source line and a caret."""
        return render_location(
            filename,
            self.line,
            self.column,
            self.end_line,
            self.end_column,
            f"{self.code} {self.message}",
            source,
            self.hint,
        )


def render_location(
    filename: str,
    line: int,
    column: int,
    end_line: int,
    end_column: int,
    message: str,
    source: str | None,
    hint: str | None = None,
) -> str:
    """The one renderer for every located message in the project.

    Prints the header, the offending source line (tabs kept so the caret lines up) and
    a caret under the span (``^~~~``), then an optional ``hint:`` line.
    """
    out = [f"{filename}:{line}:{column}: {message}"]
    if source is not None:
        lines = source.split("\n")
        if 1 <= line <= len(lines):
            text = lines[line - 1].rstrip("\r")
            width = (end_column - column) if end_line == line else len(text) - column + 1
            width = max(1, width)
            pad = "".join("\t" if ch == "\t" else " " for ch in text[: column - 1])
            out.append(f"  {text}")
            out.append(f"  {pad}^{'~' * (width - 1)}")
    if hint:
        out.append(f"  hint: {hint}")
    return "\n".join(out)
