"""REF: references between specs, ids, and files nothing uses."""

MODULES = (
    "ref001_duplicate_id",
    "ref002_unresolved_reference",
    "ref003_duplicate_conventions",
    "ref004_unused_spec",
    "ref005_unused_template",
    "ref006_id_file_mismatch",
    "ref007_duplicate_item_id",
)
"""The family's rule modules, in code order: each is imported when one of its rules
runs or is shown, never before."""
