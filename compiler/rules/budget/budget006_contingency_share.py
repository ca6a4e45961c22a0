"""A contingency larger than the configured share of the budget.

## What it does
Reports a budget whose `contingency` is more than `max-contingency-share` of
its total (10% unless `[tool.campc.budget]` says otherwise).

## Why is this bad?
Contingency is money nobody has planned; past a tenth of the budget it hides
an unplanned channel, or money another campaign could use.

## Example
```yaml
budget: {currency: EUR, total: 10000, channels: {email: 7000}, contingency: 3000}
```

## Use instead
```yaml
budget: {currency: EUR, total: 10000, channels: {email: 7000, events: 2000}, contingency: 1000}
```

## Options
`[tool.campc.budget] max-contingency-share = 0.1`
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from compiler.diagnostics import Diagnostic, Rule, Severity
from compiler.model.campaign import Campaign

if TYPE_CHECKING:
    from compiler.project.repository import Repository


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding for each contingency above the allowed share."""
    rule = RULE
    limit = repo.policy.budget.max_contingency_share
    for spec in repo.specs:
        model = spec.model
        if not isinstance(model, Campaign) or model.budget is None:
            continue
        budget = model.budget
        if not budget.contingency or budget.total <= 0:
            continue
        share = budget.contingency / budget.total
        if share <= limit:
            continue
        line, col = spec.doc.value_at(("budget", "contingency"))
        yield rule.diagnostic(
            spec.path,
            line,
            col,
            f"contingency is {share:.1%} of the budget (at most {limit:.0%})",
            "allocate it to channels, or raise `max-contingency-share` in pyproject.toml",
        )


RULE = Rule(
    code="BUDGET006",
    name="contingency-share",
    severity=Severity.WARNING,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # findings depend on one spec (and conventions, policy) alone
)
