"""Explicit monthly pacing that spends outside the window or does not add up to 1.

## What it does
For budgets with `pacing: {months: ...}`, reports months outside the
campaign's window and shares that do not sum to 1.

## Why is this bad?
Spend planned for a month the campaign does not run in is money booked
against nothing; shares that sum to 0.9 leave a tenth of every channel
unplanned.

## Example
```yaml
window: {start: 2027-04-01, end: 2027-05-31}
budget:
  pacing: {months: {"2027-04": 0.5, "2027-05": 0.3, "2027-06": 0.3}}
```

## Use instead
```yaml
budget:
  pacing: {months: {"2027-04": 0.6, "2027-05": 0.4}}
```
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import TYPE_CHECKING

from compiler.analysis.budget import month_key
from compiler.diagnostics import Diagnostic, Rule, Severity
from compiler.model.campaign import Campaign, MonthlyPacing

if TYPE_CHECKING:
    from compiler.project.repository import Repository


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding for each month outside the window and each pacing not summing to 1."""
    rule = RULE
    for spec in repo.specs:
        model = spec.model
        if not isinstance(model, Campaign) or model.budget is None:
            continue
        pacing = model.budget.pacing
        if not isinstance(pacing, MonthlyPacing):
            continue
        first, last = month_key(model.window.start), month_key(model.window.end)
        for month in pacing.months:
            if first <= month <= last:
                continue
            line, col = spec.doc.key_at(("budget", "pacing", "months", month))
            yield rule.diagnostic(
                spec.path,
                line,
                col,
                f"spend planned in {month}, outside the window ({first} to {last})",
                "move the share to a month of the window",
            )
        total = sum((Decimal(str(v)) for v in pacing.months.values()), Decimal(0))
        if total != 1:
            line, col = spec.doc.key_at(("budget", "pacing", "months"))
            yield rule.diagnostic(
                spec.path,
                line,
                col,
                f"monthly shares sum to {total:f}, not 1",
                "shares are fractions of each channel's allocation and must sum to 1",
            )


RULE = Rule(
    code="BUDGET004",
    name="pacing-mismatch",
    severity=Severity.ERROR,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # findings depend on one spec (and conventions, policy) alone
)
