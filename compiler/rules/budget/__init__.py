"""BUDGET: budgets that add up, in known currencies, within their caps."""

from __future__ import annotations

from compiler.rules.budget import (
    budget001_allocation_mismatch,
    budget002_non_positive_amount,
    budget003_unknown_currency,
    budget004_pacing_mismatch,
    budget005_cap_exceeded,
    budget006_contingency_share,
)

RULES = (
    budget001_allocation_mismatch.RULE,
    budget002_non_positive_amount.RULE,
    budget003_unknown_currency.RULE,
    budget004_pacing_mismatch.RULE,
    budget005_cap_exceeded.RULE,
    budget006_contingency_share.RULE,
)
"""The family's rules, in code order."""
