"""Destination Actions: triggers (condition tree ⇄ FQL) and mappings (directives).

Names are loaded lazily from the two subpackages so that importing one half does not
pay for the other.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    # triggers
    "Trigger": "actions.trigger",
    "TriggerError": "actions.trigger",
    "TriggerMatchError": "actions.trigger",
    "check_trigger": "actions.trigger",
    # mappings
    "compile_mapping": "actions.mapping",
    "Mapping": "actions.mapping",
    "MappingError": "actions.mapping",
    "check_mapping": "actions.mapping",
    "coalesce": "actions.mapping",
    "replace": "actions.mapping",
    "flatten": "actions.mapping",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'actions' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
