"""Destination Actions triggers: text ⇄ condition tree ⇄ matching, two readings, lint.

Stages, one module each: ``segment_lexer``/``segment_parser`` (Segment's reading),
``from_fql`` (the FQL reading), ``conditions`` (the tree and the operator mapping),
``generate`` (tree → text), ``plan`` (tree → plan) and ``matcher`` (plan → callable, the
only per-event code), ``check`` (the linter), ``expression`` (exact FQL conversions).
"""

from .check import check_trigger
from .errors import TriggerError, TriggerMatchError
from .trigger import Trigger

__all__ = ["Trigger", "TriggerError", "TriggerMatchError", "check_trigger"]
