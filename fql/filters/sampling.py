"""Sampling for destination filters: keep a given fraction of matching events.

Two modes, as Segment's ``SAMPLE`` action describes them:

* **Consistent** (a ``path`` is given): the decision depends only on the value at that
  path. The value is serialised as ``JSON.stringify`` would (``fql.js.js_json``; a
  missing field is the text ``undefined``, as in Segment's device-mode sampler), hashed
  with MD5, and the digest is turned into a uniform real ``u`` in ``[0, 1)``. The event
  is kept iff ``u < percent``. The same user (``path="userId"``) is therefore always
  kept or always dropped, on every machine and in every run, and over many distinct
  keys the keep rate equals the percent.
* **Random** (no path): ``random() < percent`` from an injectable ``random.Random``.

The digest-to-real step is Campbell's ``random_real`` as Segment's sampler describes it
(see ``segmentio/tsub-js`` ``sampleConsistentPercent``, which cites the Go sampler): the
first 8 digest bytes are a 64-bit significand at exponent -64; when it has ``lz``
leading zero bits it is shifted left and refilled from the next 8 bytes (exponent
-64-lz); the lowest bit is set (a sticky bit, so the value is never a rounding tie);
``ldexp`` gives the real. Segment's *device-mode* JavaScript port reads the hex text of
the digest instead of its bytes and keeps about 8-12% of keys whatever the percent
(conformance README, quirk 41). We do not copy that; ``docs/semantics/filters.md``
records the difference. Rejected alternative: ``int(digest[:8]) / 2**64`` is simpler but
is not the documented algorithm and wastes the low-order resolution near 0.

``percent`` is a fraction in ``[0, 1]`` here, as in the Public API ("a decimal between 0
and 1") and in tsub; ``fql.filters`` converts ``"5%"`` strings before calling in.
"""

from __future__ import annotations

import hashlib
import math
import random
from typing import Any

from ..js import js_json

#: The largest double below 1.0. Only an all-ones significand can round up to 1.0 when
#: converted to a double (probability 2**-54); it is clamped so the range stays [0, 1).
_BELOW_ONE = math.nextafter(1.0, 0.0)

#: What Segment's sampler hashes for a field that is missing (``String(undefined)``).
MISSING_KEY_TEXT = "undefined"


def uniform_from_bytes(data: bytes) -> float:
    """A uniform real in ``[0, 1)`` derived from the MD5 digest of ``data``."""
    digest = hashlib.md5(data, usedforsecurity=False).digest()
    significand = int.from_bytes(digest[:8], "big")
    exponent = -64
    leading_zeros = 64 - significand.bit_length()
    if leading_zeros:
        exponent -= leading_zeros
        refill = int.from_bytes(digest[8:], "big") >> (64 - leading_zeros)
        significand = ((significand << leading_zeros) | refill) & (2**64 - 1)
    significand |= 1
    return min(math.ldexp(float(significand), exponent), _BELOW_ONE)


def sampling_key(value: Any, *, missing: bool = False) -> bytes:
    """The bytes that are hashed for a sampling key: ``JSON.stringify(value)`` as UTF-8,
    or ``undefined`` when the field is missing. Lone surrogates (possible in Python
    strings, not in JSON text) are encoded as U+FFFD, as a JS ``TextEncoder`` would."""
    text = MISSING_KEY_TEXT if missing else js_json(value)
    return (text or MISSING_KEY_TEXT).encode("utf-8", errors="replace")


def keep_consistent(value: Any, percent: float, *, missing: bool = False) -> bool:
    """Keep decision for a consistent sample keyed on ``value`` (see module docstring)."""
    if percent <= 0:
        return False
    if percent >= 1:
        return True
    return uniform_from_bytes(sampling_key(value, missing=missing)) < percent


def device_mode_fraction(data: bytes) -> float:
    """The number Segment's device-mode sampler compares with the percent for ``data``
    (conformance README, quirk 41): the MD5 digest's *hex text* read as if each
    character were a byte (a digit ``d`` gives the 8 bits of ``d``, a letter ``a-f``
    gives zeros). Significand: the bits of characters 0-7; with ``lz`` leading zero
    bits (always >= 4), it loses them and gains the first ``64 - lz`` bits of characters
    9-15 followed by 8 zero bits (character 8 is skipped), at exponent ``-64 - lz``;
    then bit 63 is flipped, or a 0 appended when there are fewer than 64 bits."""
    hexdigest = hashlib.md5(data, usedforsecurity=False).hexdigest()

    def bits(chars: str) -> str:
        return "".join(format(int(ch), "08b") if ch.isdigit() else "0" * 8 for ch in chars)

    significand = bits(hexdigest[:8])
    leading = len(significand) - len(significand.lstrip("0"))
    exponent = -64
    if leading:
        refill = bits(hexdigest[9:16]) + "0" * 8
        exponent -= leading
        significand = significand[leading:] + refill[: 64 - leading]
    if len(significand) > 63:
        flipped = "1" if significand[63] == "0" else "0"
        significand = significand[:63] + flipped + significand[64:]
    else:
        significand += "0"
    return math.ldexp(float(int(significand, 2)), exponent)


def keep_device_mode(value: Any, percent: float, *, missing: bool = False) -> bool:
    """Keep decision of Segment's device-mode sampler (``mode="tsub"``): the same key
    text as :func:`keep_consistent`, judged by :func:`device_mode_fraction`. It keeps
    about 8-12% of keys whatever the percent; use it to predict what browsers do."""
    if percent <= 0:
        return False
    if percent >= 1:
        return True
    return device_mode_fraction(sampling_key(value, missing=missing)) < percent


def keep_random(percent: float, rng: random.Random | None = None) -> bool:
    """Keep decision for a random sample; ``rng`` makes it reproducible in tests."""
    if percent <= 0:
        return False
    if percent >= 1:
        return True
    return (rng or random).random() < percent
