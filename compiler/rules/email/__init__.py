"""EMAIL: emails that render, reach the inbox and can be left in one click."""

MODULES = (
    "email001_template_error",
    "email002_missing_unsubscribe",
    "email003_unsafe_link",
    "email004_image_without_alt",
    "email005_subject_length",
    "email006_missing_preheader",
    "email007_gmail_clipping",
    "email008_sender_domain",
    "email009_unused_variable",
    "email010_unsafe_filter",
    "email011_utm_mismatch",
    "email012_utm_outside_conventions",
    "email013_text_part_lost_link",
    "email014_esp_unsupported",
    "email015_esp_unmapped_field",
    "email016_missing_lang",
    "email017_layout_table_role",
    "email018_small_text",
    "email019_vague_link_text",
    "email020_low_contrast",
    "email021_client_support",
)
"""The family's rule modules, in code order: each is imported when one of its rules
runs or is shown, never before."""
