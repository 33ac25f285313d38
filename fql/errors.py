"""The exception hierarchy of the ``fql`` package.

Every error raised for rule text carries a stable ``code`` and, where there is source
text, a :class:`~fql.diagnostics.Span`; ``str(err)`` is the rendered message with a
caret, and :meth:`FqlError.diagnostic` turns the error into the same record that
``fql.check`` returns. Tools read fields, never message text.
"""

from __future__ import annotations

from .diagnostics import Diagnostic, Span, render_location


class FqlError(Exception):
    """Root of every error this package raises about rules or events."""

    code: str = "FQL000"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        span: Span | None = None,
        source: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.span = span
        self.source = source
        self.hint = hint

    # Positions are exposed flat, as tools (and the issue tracker) expect.
    @property
    def line(self) -> int:
        """The 1-based line where the error starts (1 when it has no span)."""
        return self.span.line if self.span else 1

    @property
    def column(self) -> int:
        """The 1-based column where the error starts (1 when it has no span)."""
        return self.span.column if self.span else 1

    @property
    def end_line(self) -> int:
        """The 1-based line where the error's span ends."""
        return self.span.end_line if self.span else 1

    @property
    def end_column(self) -> int:
        """The 1-based column just past the error's span."""
        return self.span.end_column if self.span else 1

    def diagnostic(self) -> Diagnostic:
        """This error as a :class:`Diagnostic` (severity ``error``)."""
        return Diagnostic.at(self.span, self.code, self.message, "error", hint=self.hint)

    def render(self, filename: str = "<fql>") -> str:
        """The message with the source line and a caret under the span."""
        if self.span is None:
            text = f"{filename}: {self.code} {self.message}"
            return f"{text}\n  hint: {self.hint}" if self.hint else text
        s = self.span
        return render_location(
            filename,
            s.line,
            s.column,
            s.end_line,
            s.end_column,
            f"{self.code} {self.message}",
            self.source,
            self.hint,
        )

    def __str__(self) -> str:
        return self.render()


class FqlSyntaxError(FqlError, ValueError):
    """The text is not FQL. ``expected`` lists what could have come next, in words."""

    code = "FQL100"

    def __init__(self, message: str, *, expected: tuple[str, ...] = (), code: str | None = None,
                 span: Span | None = None, source: str | None = None,
                 hint: str | None = None) -> None:
        super().__init__(message, code=code, span=span, source=source, hint=hint)
        self.expected = expected


class FqlTypeError(FqlError, ValueError):
    """A rule is well-formed but wrong: wrong arity, a literal of the wrong type."""

    code = "FQL200"


class FqlLimitError(FqlError, ValueError):
    """A configured limit (source size, nesting depth, list length) was exceeded."""

    code = "FQL400"


class FqlIRError(FqlError, ValueError):
    """A Segment IR document could not be turned into FQL."""

    code = "FQL500"


class FqlEventError(FqlError, TypeError):
    """An event could not be evaluated: a value that is not a JSON type, or a structure
    nested deeper than the evaluator will follow (cyclic input ends up here too)."""

    code = "FQL600"
