"""One reading of a trigger in every tool: ``fql filter --trigger``, ``fql map
--trigger``, the REPL's trigger mode and ``fql lint`` all read trigger text as FQL reads
it (``Trigger.parse``'s default mode), and say so when Segment's own trigger parser,
which the Actions UI uses, would read the same text differently (the TRG1xx findings
of ``check_trigger``). ``--trigger-mode segment`` evaluates Segment's reading instead.
"""

from __future__ import annotations

from typing import Any

MODES = ("default", "segment")


def parse(text: str, mode: str) -> Any:
    """Parse trigger ``text`` in ``mode`` (``"default"``: as FQL reads it, ``"segment"``: as
    Segment's parser does); the one place every command parses a trigger, so they all read
    it alike.
    """
    from actions import Trigger

    return Trigger.parse(text, mode=mode)


def reading_notes(text: str, mode: str, source: str = "<trigger>") -> list[str]:
    """The notes to print before using ``text`` in ``mode``: none when both parsers read
    it alike; otherwise which reading is used and each difference, located."""
    from actions import check_trigger

    differences = [d for d in check_trigger(text) if d.code.startswith("TRG1")]
    if not differences:
        return []
    if mode == "default":
        head = ("note: this trigger is read as FQL reads it (the default); Segment's "
                "trigger parser reads it differently (--trigger-mode segment for its "
                "reading):")
    else:
        head = ("note: this trigger is read as Segment's trigger parser reads it "
                "(--trigger-mode segment), which differs from FQL's reading:")
    return [head, *(d.render(text, source) for d in differences)]
