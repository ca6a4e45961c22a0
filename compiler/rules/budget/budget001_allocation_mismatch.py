"""Channel allocations (plus contingency) that do not add up to the budget's total.

## What it does
Adds a budget's channel allocations and its contingency and compares the sum
with `total`, reporting the unallocated remainder or the over-allocation,
with the amount.

## Why is this bad?
The budget sheet shows the channels; finance approved the total. When they
disagree, one of them is wrong, and the spend report will not reconcile.

## Example
```yaml
budget:
  currency: EUR
  total: 50000
  channels: {email: 8000, paid_social: 30000}
```

## Use instead
```yaml
budget:
  currency: EUR
  total: 50000
  channels: {email: 8000, paid_social: 30000, events: 12000}
```
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import TYPE_CHECKING

from compiler.diagnostics import Diagnostic, Rule, Severity
from compiler.model.campaign import Campaign

if TYPE_CHECKING:
    from compiler.project.repository import Repository


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding for each budget whose parts do not sum to its total."""
    rule = RULE
    for spec in repo.specs:
        model = spec.model
        if not isinstance(model, Campaign) or model.budget is None or not model.budget.channels:
            continue
        budget = model.budget
        parts = sum(budget.channels.values(), Decimal(0)) + (budget.contingency or Decimal(0))
        if parts == budget.total:
            continue
        gap = budget.total - parts
        what = (
            f"{gap:f} {budget.currency} of the total is not allocated"
            if gap > 0
            else f"channels allocate {-gap:f} {budget.currency} more than the total"
        )
        line, col = spec.doc.value_at(("budget", "total"))
        yield rule.diagnostic(
            spec.path,
            line,
            col,
            f"total {budget.total:f} but channels and contingency sum to {parts:f}: {what}",
            "make the channels (and `contingency`) add up to `total`",
        )


RULE = Rule(
    code="BUDGET001",
    name="allocation-mismatch",
    severity=Severity.ERROR,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # findings depend on one spec (and conventions, policy) alone
)
