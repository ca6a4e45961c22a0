"""EXP: experiments that can be decided: weights, power, metrics, guardrails."""

MODULES = (
    "exp001_variant_weights",
    "exp002_underpowered_duration",
    "exp003_primary_metric_area",
    "exp004_no_guardrail",
    "exp005_baseline_range",
    "exp006_undetectable_mde",
    "exp007_underpowered_send",
    "exp008_unplanned_runtime",
    "exp009_locked_design",
    "exp010_amended_design",
)
"""The family's rule modules, in code order: each is imported when one of its rules
runs or is shown, never before."""
