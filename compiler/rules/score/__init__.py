"""SCORE: lead-scoring models whose examples, thresholds and decays hold."""

MODULES = (
    "score001_example_mismatch",
    "score002_unreachable_threshold",
    "score003_zero_decay",
    "score004_duplicate_rule",
    "score005_history_unreadable",
)
"""The family's rule modules, in code order: each is imported when one of its rules
runs or is shown, never before."""
