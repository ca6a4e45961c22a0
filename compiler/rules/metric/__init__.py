"""METRIC: metrics from the registry, in their area, in range and direction."""

MODULES = (
    "metric001_unknown_metric",
    "metric002_metric_alias",
    "metric003_off_area_kpi",
    "metric004_rate_out_of_range",
    "metric005_primary_kpi",
    "metric006_unit_mismatch",
    "metric007_guardrail_direction",
)
"""The family's rule modules, in code order: each is imported when one of its rules
runs or is shown, never before."""
