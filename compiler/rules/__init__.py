"""The explicit rule registry: one module per rule, listed here by hand."""

from __future__ import annotations

from compiler.rules import (
    budget001_allocation_mismatch,
    budget002_non_positive_amount,
    budget003_unknown_currency,
    budget004_pacing_mismatch,
    budget005_cap_exceeded,
    budget006_contingency_share,
    cal001_frequency_cap,
    cal002_quiet_hours,
    cal003_closed_day,
    cal004_outside_window,
    cal005_local_time,
    cal006_rrule_start,
    cal007_overlapping_experiments,
    email001_template_error,
    email002_missing_unsubscribe,
    email003_unsafe_link,
    email004_image_without_alt,
    email005_subject_length,
    email006_missing_preheader,
    email007_gmail_clipping,
    email008_sender_domain,
    email009_unused_variable,
    email010_unsafe_filter,
    email011_utm_mismatch,
    email012_utm_outside_conventions,
    email013_text_part_lost_link,
    exp001_variant_weights,
    exp002_underpowered_duration,
    exp003_primary_metric_area,
    exp004_no_guardrail,
    exp005_baseline_range,
    exp006_undetectable_mde,
    meta001_owner_format,
    meta002_missing_description,
    metric001_unknown_metric,
    metric002_metric_alias,
    metric003_off_area_kpi,
    metric004_rate_out_of_range,
    metric005_primary_kpi,
    metric006_unit_mismatch,
    metric007_guardrail_direction,
    ref001_duplicate_id,
    ref002_unresolved_reference,
    ref003_duplicate_conventions,
    ref004_unused_spec,
    ref005_unused_template,
    ref006_id_file_mismatch,
    ref007_duplicate_item_id,
    route001_domain_mismatch,
    route002_folder_mismatch,
    route003_missing_handoff,
    score001_example_mismatch,
    score002_unreachable_threshold,
    score003_zero_decay,
    score004_duplicate_rule,
    seq001_unreachable_step,
    seq002_instant_loop,
    seq003_sequence_frequency_cap,
    seq004_zero_wait,
    seq005_branch_missing_arm,
    seq006_endless_path,
    seq007_unreachable_goal,
    seq008_quiet_hours_after_waits,
)
from compiler.rules.base import Rule
from compiler.rules.load import LOAD_RULES, UNUSED_NOQA

RULE_MODULES = (
    score001_example_mismatch,
    score002_unreachable_threshold,
    score003_zero_decay,
    score004_duplicate_rule,
    exp001_variant_weights,
    exp002_underpowered_duration,
    exp003_primary_metric_area,
    exp004_no_guardrail,
    exp005_baseline_range,
    exp006_undetectable_mde,
    budget001_allocation_mismatch,
    budget002_non_positive_amount,
    budget003_unknown_currency,
    budget004_pacing_mismatch,
    budget005_cap_exceeded,
    budget006_contingency_share,
    cal001_frequency_cap,
    cal002_quiet_hours,
    cal003_closed_day,
    cal004_outside_window,
    cal005_local_time,
    cal006_rrule_start,
    cal007_overlapping_experiments,
    email001_template_error,
    email002_missing_unsubscribe,
    email003_unsafe_link,
    email004_image_without_alt,
    email005_subject_length,
    email006_missing_preheader,
    email007_gmail_clipping,
    email008_sender_domain,
    email009_unused_variable,
    email010_unsafe_filter,
    email011_utm_mismatch,
    email012_utm_outside_conventions,
    email013_text_part_lost_link,
    metric001_unknown_metric,
    metric002_metric_alias,
    metric003_off_area_kpi,
    metric004_rate_out_of_range,
    metric005_primary_kpi,
    metric006_unit_mismatch,
    metric007_guardrail_direction,
    ref001_duplicate_id,
    ref002_unresolved_reference,
    ref003_duplicate_conventions,
    ref004_unused_spec,
    ref005_unused_template,
    ref006_id_file_mismatch,
    ref007_duplicate_item_id,
    meta001_owner_format,
    meta002_missing_description,
    route001_domain_mismatch,
    route002_folder_mismatch,
    route003_missing_handoff,
    seq001_unreachable_step,
    seq002_instant_loop,
    seq003_sequence_frequency_cap,
    seq004_zero_wait,
    seq005_branch_missing_arm,
    seq006_endless_path,
    seq007_unreachable_goal,
    seq008_quiet_hours_after_waits,
)

RULES: dict[str, Rule] = {
    **LOAD_RULES,
    UNUSED_NOQA.code: UNUSED_NOQA,
    **{rule.code: rule for rule in map(Rule.from_module, RULE_MODULES)},
}
"""Every code: the loader's findings, the engine's, then the lint rules."""


def selected(selector: str) -> list[Rule]:
    """Rules a selector names: ALL, a family prefix (ROUTE), a code or a kebab-case name."""
    wanted = selector.strip()
    if wanted.upper() == "ALL":
        return list(RULES.values())
    rule = lookup(wanted)
    if rule is not None:
        return [rule]
    if wanted.isalpha():
        return [r for r in RULES.values() if r.code.rstrip("0123456789") == wanted.upper()]
    return []


def selects(selector: str) -> bool:
    """Whether a selector names at least one rule."""
    return bool(selected(selector))


def lookup(code_or_name: str) -> Rule | None:
    """A rule by code (case-insensitive) or kebab-case name."""
    wanted = code_or_name.strip()
    rule = RULES.get(wanted.upper())
    if rule is not None:
        return rule
    return next((r for r in RULES.values() if r.name == wanted.lower()), None)
