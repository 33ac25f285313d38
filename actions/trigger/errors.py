"""Errors of the trigger stages. ``TriggerError`` is an :class:`fql.FqlError`, so it
carries a stable ``code`` and, when there is text, a span, and prints with the same
caret renderer as every other rule error in the project.

Code families (docs/semantics/triggers.md lists every code):

* ``TRG0xx`` Segment's trigger parser rejects the text (``segment`` mode);
* ``FQL1xx`` the text is not FQL (``default`` mode re-raises the FQL parser's error);
* ``TRG1xx`` the two readings differ (warnings from :func:`check_trigger`);
* ``TRG2xx`` a construct Segment's trigger language cannot express;
* ``TRG3xx`` condition-tree problems (printing, lookups that throw in Segment's code);
* ``TRG4xx`` no exact conversion between a trigger and an FQL expression.
"""

from __future__ import annotations

from fql.errors import FqlError


class TriggerError(FqlError, ValueError):
    """A trigger could not be read, printed, converted or evaluated."""

    code = "TRG000"


class TriggerMatchError(TriggerError):
    """Segment's ``validate`` throws for this trigger on this event (a field name with no
    usable segment, a malformed node): the reference never answers, so neither do we.
    Callers that deliver on ``True`` only fail closed by treating it as no match."""

    code = "TRG310"
