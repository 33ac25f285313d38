"""Test configuration: Hypothesis runs derandomized (a fixed seed per test) so a CI run
is reproducible; set ``HYPOTHESIS_PROFILE=explore`` to search with fresh random data."""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
