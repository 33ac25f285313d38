"""Deterministic sampling (fql.filters.sampling): the keep rate equals the percent, the same key
always gets the same answer, and the boundaries behave (DESIGN "Sampling", AM-02)."""

from __future__ import annotations

import hashlib
import random

import pytest

from fql.filters.sampling import (
    MISSING_KEY_TEXT,
    keep_consistent,
    keep_random,
    sampling_key,
    uniform_from_bytes,
)

KEYS = [f"user-{i}" for i in range(100_000)]


@pytest.fixture(scope="module")
def uniforms() -> list[float]:
    return [uniform_from_bytes(sampling_key(key)) for key in KEYS]


@pytest.mark.parametrize("percent", [0.01, 0.10, 0.50, 0.90])
def test_keep_rate_within_half_a_point_over_100k_keys(uniforms: list[float], percent: float):
    kept = sum(u < percent for u in uniforms)
    assert abs(kept / len(KEYS) - percent) <= 0.005


@pytest.mark.parametrize("percent", [0.01, 0.10, 0.50, 0.90])
def test_keep_consistent_agrees_with_the_uniform(uniforms: list[float], percent: float):
    sample = range(0, len(KEYS), 997)
    assert [keep_consistent(KEYS[i], percent) for i in sample] == [
        uniforms[i] < percent for i in sample
    ]


def test_uniforms_lie_in_the_half_open_unit_interval(uniforms: list[float]):
    assert all(0.0 <= u < 1.0 for u in uniforms)


def test_same_key_same_answer_every_time():
    for key in ("user-1", 42, {"a": [1, "x"]}, None):
        first = keep_consistent(key, 0.5)
        assert all(keep_consistent(key, 0.5) == first for _ in range(5))


def test_a_kept_key_stays_kept_as_the_percent_grows():
    # monotone in percent: raising the rate never drops a user who was kept
    for key in KEYS[:2000]:
        assert not keep_consistent(key, 0.3) or keep_consistent(key, 0.6)


def test_key_text_is_json_stringify():
    assert sampling_key("abc") == b'"abc"'
    assert sampling_key(1.0) == b"1"
    assert sampling_key(1e21) == b"1e+21"
    assert sampling_key({"a": [1, True, None]}) == b'{"a":[1,true,null]}'
    assert sampling_key(None, missing=True) == MISSING_KEY_TEXT.encode()
    assert sampling_key("zoë") == '"zoë"'.encode()


def test_integer_and_float_keys_hash_alike_as_in_js():
    assert keep_consistent(5, 0.5) == keep_consistent(5.0, 0.5)


def test_boundaries():
    assert keep_consistent("anyone", 0) is False
    assert keep_consistent("anyone", -1) is False
    assert keep_consistent("anyone", 1) is True
    assert keep_random(0, random.Random(1)) is False
    assert keep_random(1, random.Random(1)) is True


def test_random_sampling_rate_and_reproducibility():
    rng = random.Random(7)
    kept = sum(keep_random(0.25, rng) for _ in range(40_000))
    assert abs(kept / 40_000 - 0.25) < 0.01
    a, b = random.Random(3), random.Random(3)
    assert [keep_random(0.5, a) for _ in range(50)] == [keep_random(0.5, b) for _ in range(50)]


def test_uniform_is_pinned():
    # A change to the algorithm changes which users are sampled, so it must show here.
    assert uniform_from_bytes(b'"user-1"') == 0.7170107421443237
    assert uniform_from_bytes(b"undefined") == 0.3684722387156422


@pytest.mark.parametrize("key", KEYS[:500])
def test_uniform_is_the_digest_read_as_a_binary_fraction(key: str):
    digest = hashlib.md5(sampling_key(key)).digest()
    fraction = int.from_bytes(digest, "big") / 2**128
    assert uniform_from_bytes(sampling_key(key)) == pytest.approx(fraction, rel=2**-52, abs=0)
