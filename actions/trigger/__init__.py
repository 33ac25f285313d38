"""Destination Actions triggers: text ⇄ condition tree ⇄ matching, two readings, lint."""

from .errors import TriggerError, TriggerMatchError

__all__ = ["TriggerError", "TriggerMatchError"]
