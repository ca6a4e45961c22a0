"""The explicit rule registry: one module per rule, listed here by hand."""

from __future__ import annotations

from compiler.rules import (
    ref001_duplicate_id,
    ref002_unresolved_reference,
    ref003_duplicate_conventions,
)
from compiler.rules.base import Rule
from compiler.rules.load import LOAD_RULES

RULE_MODULES = (
    ref001_duplicate_id,
    ref002_unresolved_reference,
    ref003_duplicate_conventions,
)

RULES: dict[str, Rule] = {
    **LOAD_RULES,
    **{rule.code: rule for rule in map(Rule.from_module, RULE_MODULES)},
}
"""Every code: the loader's findings first, then the lint rules."""


def lookup(code_or_name: str) -> Rule | None:
    """A rule by code (case-insensitive) or kebab-case name."""
    wanted = code_or_name.strip()
    rule = RULES.get(wanted.upper())
    if rule is not None:
        return rule
    return next((r for r in RULES.values() if r.name == wanted.lower()), None)
