"""Errors and diagnostic codes for destination filters, tsub rules and Protocols
transformations (``fql.filters``, ``fql.tsub``, ``fql.filters.transformations``).

Every problem in a rule file is a :class:`RuleError` that names the rule (its index and,
when it has one, its title or name) and the field, as a JSON-pointer-like path inside
the rule file (``/3/actions/0/percent``). Tools read ``code``, ``rule`` and ``field``;
the message is for people. Codes are stable and listed in ``docs/semantics/filters.md``:

=======  ==================================================================
FLT100   the rule does not have the documented shape (missing or mistyped field)
FLT101   unknown action, transformer or matcher type
FLT102   the ``if`` condition (or a matcher's IR, or an ``fql`` value) is not valid FQL
FLT103   a sample ``percent`` outside [0, 1] (or an unreadable ``"N%"`` text)
FLT110   more filters for one destination than the configured limit
FLT200   Protocols transformation conflict Segment rejects (TR-05, TR-07)
FLT201   Protocols path not allowed (depth over the limit, ``.$.`` array path, root)
FLT300   the event cannot be processed (not a JSON object, non-JSON value, too deep,
         cyclic)
FLT301   a tsub ``map_properties`` write through a ``null`` parent (Segment throws)
FLT302   a tsub ``map_properties`` write far past an array's end (``max_array_growth``)
=======  ==================================================================

Runtime problems with *rules* never raise from ``apply``: a filter whose ``if`` is invalid
fails closed (the event is dropped and the result says why). Problems with the *event*
raise :class:`RuleEventError`, a subclass of :class:`fql.FqlEventError`.
"""

from __future__ import annotations

from pydantic import ValidationError
from pydantic_core import PydanticCustomError

from ..errors import FqlError, FqlEventError

RULE_SHAPE = "FLT100"
UNKNOWN_TYPE = "FLT101"
INVALID_CONDITION = "FLT102"
INVALID_PERCENT = "FLT103"
TOO_MANY_FILTERS = "FLT110"
TRANSFORMATION_CONFLICT = "FLT200"
INVALID_PATH = "FLT201"
BAD_EVENT = "FLT300"
NULL_PARENT = "FLT301"
ARRAY_GROWTH = "FLT302"


class RuleError(FqlError, ValueError):
    """A filter, tsub rule or transformation is invalid.

    ``rule`` is how the rule is called in messages (``filter 2 "Drop tests"``), ``field``
    the path of the offending field inside the rule file (``/2/actions/0/percent``).
    ``cause`` keeps the underlying error (an ``FqlSyntaxError`` for a bad ``if``).
    """

    code = RULE_SHAPE

    def __init__(
        self,
        message: str,
        *,
        code: str = RULE_SHAPE,
        rule: str | None = None,
        field: str | None = None,
        cause: Exception | None = None,
        problems: tuple[tuple[str, str], ...] = (),
    ) -> None:
        where = ", ".join(part for part in (rule, f"field {field}" if field else None) if part)
        super().__init__(f"{where}: {message}" if where else message, code=code)
        self.rule = rule
        self.field = field
        self.cause = cause
        #: Every ``(field, message)`` found, when validation reports more than one.
        self.problems = problems or ((field or "", message),)


class RuleEventError(FqlEventError):
    """The event handed to a filter, tsub transform or transformation cannot be
    processed: it is not a JSON object, holds a non-JSON value where a rule reads it, is
    nested deeper than ``max_event_depth`` or is cyclic."""

    code = BAD_EVENT

    def __init__(self, message: str, *, code: str = BAD_EVENT) -> None:
        super().__init__(message, code=code)


def pointer(*parts: object) -> str:
    """A JSON-pointer-like path (``/2/actions/0/percent``) from path parts."""
    return "".join(f"/{part}" for part in parts)


def from_validation_error(err: ValidationError, *, rule: str, base: str = "") -> RuleError:
    """A :class:`RuleError` for the first problem pydantic found, naming the field.

    ``base`` is the pointer of the validated object inside the rule file. Every problem
    stays readable in ``problems``.
    """
    items = err.errors()
    problems = tuple((base + pointer(*item["loc"]), str(item["msg"])) for item in items)
    field, message = problems[0]
    code = str((items[0].get("ctx") or {}).get("code", RULE_SHAPE))
    return RuleError(
        message, code=code, rule=rule, field=field or None, cause=err, problems=problems
    )


def invalid(code: str, message: str) -> Exception:
    """A validation error for a pydantic validator that carries one of our codes."""
    return PydanticCustomError("fql_rule", message, {"code": code})
