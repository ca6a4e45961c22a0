"""EMAIL: emails that render, reach the inbox and can be left in one click."""

from __future__ import annotations

from compiler.rules.email import (
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
)

RULES = (
    email001_template_error.RULE,
    email002_missing_unsubscribe.RULE,
    email003_unsafe_link.RULE,
    email004_image_without_alt.RULE,
    email005_subject_length.RULE,
    email006_missing_preheader.RULE,
    email007_gmail_clipping.RULE,
    email008_sender_domain.RULE,
    email009_unused_variable.RULE,
    email010_unsafe_filter.RULE,
    email011_utm_mismatch.RULE,
    email012_utm_outside_conventions.RULE,
    email013_text_part_lost_link.RULE,
)
"""The family's rules, in code order."""
