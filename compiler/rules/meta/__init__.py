"""META: owners and descriptions."""

from __future__ import annotations

from compiler.rules.meta import (
    meta001_owner_format,
    meta002_missing_description,
)

RULES = (
    meta001_owner_format.RULE,
    meta002_missing_description.RULE,
)
"""The family's rules, in code order."""
