"""METRIC: metrics from the registry, in their area, in range and direction."""

from __future__ import annotations

from compiler.rules.metric import (
    metric001_unknown_metric,
    metric002_metric_alias,
    metric003_off_area_kpi,
    metric004_rate_out_of_range,
    metric005_primary_kpi,
    metric006_unit_mismatch,
    metric007_guardrail_direction,
)

RULES = (
    metric001_unknown_metric.RULE,
    metric002_metric_alias.RULE,
    metric003_off_area_kpi.RULE,
    metric004_rate_out_of_range.RULE,
    metric005_primary_kpi.RULE,
    metric006_unit_mismatch.RULE,
    metric007_guardrail_direction.RULE,
)
"""The family's rules, in code order."""
