"""EXP: experiments that can be decided: weights, power, metrics, guardrails."""

from __future__ import annotations

from compiler.rules.exp import (
    exp001_variant_weights,
    exp002_underpowered_duration,
    exp003_primary_metric_area,
    exp004_no_guardrail,
    exp005_baseline_range,
    exp006_undetectable_mde,
)

RULES = (
    exp001_variant_weights.RULE,
    exp002_underpowered_duration.RULE,
    exp003_primary_metric_area.RULE,
    exp004_no_guardrail.RULE,
    exp005_baseline_range.RULE,
    exp006_undetectable_mde.RULE,
)
"""The family's rules, in code order."""
