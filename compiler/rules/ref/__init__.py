"""REF: references between specs, ids, and files nothing uses."""

from __future__ import annotations

from compiler.rules.ref import (
    ref001_duplicate_id,
    ref002_unresolved_reference,
    ref003_duplicate_conventions,
    ref004_unused_spec,
    ref005_unused_template,
    ref006_id_file_mismatch,
    ref007_duplicate_item_id,
)

RULES = (
    ref001_duplicate_id.RULE,
    ref002_unresolved_reference.RULE,
    ref003_duplicate_conventions.RULE,
    ref004_unused_spec.RULE,
    ref005_unused_template.RULE,
    ref006_id_file_mismatch.RULE,
    ref007_duplicate_item_id.RULE,
)
"""The family's rules, in code order."""
