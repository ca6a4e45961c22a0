"""BUDGET: budgets that add up, in known currencies, within their caps."""

MODULES = (
    "budget001_allocation_mismatch",
    "budget002_non_positive_amount",
    "budget003_unknown_currency",
    "budget004_pacing_mismatch",
    "budget005_cap_exceeded",
    "budget006_contingency_share",
)
"""The family's rule modules, in code order: each is imported when one of its rules
runs or is shown, never before."""
