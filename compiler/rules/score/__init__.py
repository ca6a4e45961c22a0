"""SCORE: lead-scoring models whose examples, thresholds and decays hold."""

from __future__ import annotations

from compiler.rules.score import (
    score001_example_mismatch,
    score002_unreachable_threshold,
    score003_zero_decay,
    score004_duplicate_rule,
)

RULES = (
    score001_example_mismatch.RULE,
    score002_unreachable_threshold.RULE,
    score003_zero_decay.RULE,
    score004_duplicate_rule.RULE,
)
"""The family's rules, in code order."""
