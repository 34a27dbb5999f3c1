"""How much the hardening tests do, from the environment: the defaults keep them within CI's budget,
larger values let a person run them longer (see the README, Development)."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

FUZZ_SCALE = float(os.environ.get("VENDING_FUZZ_EXAMPLES", "1"))
"""Multiplies every fuzzer's number of examples (default 1)."""
KILL_POINTS = int(os.environ.get("VENDING_KILL_POINTS", "30"))
"""How many kills the kill loop makes, cycling through its named points (default 30: each once)."""
SOAK_RUNS = int(os.environ.get("VENDING_SOAK_RUNS", "1"))
"""How many rounds of 16 concurrent applies the soak makes (default 1)."""


def examples(default: int) -> int:
    return max(1, round(default * FUZZ_SCALE))


def fuzz_settings(default: int) -> settings:
    """Hypothesis settings for a fuzzer that runs `default` examples at scale 1. No deadline: the
    inputs are run through the real CLI (and git), whose time varies with the machine's load."""
    return settings(max_examples=examples(default), deadline=None, suppress_health_check=list(HealthCheck))
