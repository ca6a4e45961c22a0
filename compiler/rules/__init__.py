"""The explicit rule registry: each family (`rules/<family>/`) lists its rules, one per
module; this joins them with the loader's codes and the engine's."""

from __future__ import annotations

from compiler.diagnostics import Rule
from compiler.load.codes import LOAD_RULES, UNUSED_NOQA
from compiler.rules import budget, cal, email, exp, meta, metric, ref, route, score, seq

FAMILIES = (score, exp, budget, cal, email, metric, ref, meta, route, seq)
"""The rule families, in the order the reference lists them."""

RULES: dict[str, Rule] = {
    **LOAD_RULES,
    UNUSED_NOQA.code: UNUSED_NOQA,
    **{rule.code: rule for family in FAMILIES for rule in family.RULES},
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
