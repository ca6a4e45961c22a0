"""ROUTE: specs in the domain and folder the routing table gives them."""

from __future__ import annotations

from compiler.rules.route import (
    route001_domain_mismatch,
    route002_folder_mismatch,
    route003_missing_handoff,
)

RULES = (
    route001_domain_mismatch.RULE,
    route002_folder_mismatch.RULE,
    route003_missing_handoff.RULE,
)
"""The family's rules, in code order."""
