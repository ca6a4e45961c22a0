"""A currency code that is not ISO 4217.

## What it does
Checks budget currencies and KPI target currencies against the ISO 4217 list.

## Why is this bad?
The budget sheet formats, rounds (JPY has no cents, BHD has three decimals)
and totals by currency; `EU` or `EURO` is a typo that would split totals.

## Example
```yaml
budget: {currency: EUO, total: 5000}
```

## Use instead
```yaml
budget: {currency: EUR, total: 5000}
```
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from compiler.analysis.budget import currencies, is_currency
from compiler.diagnostics import Diagnostic, Loc, Rule, Severity
from compiler.model.campaign import Campaign

if TYPE_CHECKING:
    from compiler.project.repository import Repository


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding for each currency that is not ISO 4217."""
    rule = RULE
    for spec in repo.specs:
        model = spec.model
        used: list[tuple[Loc, str]] = []
        if isinstance(model, Campaign) and model.budget is not None:
            used.append((("budget", "currency"), model.budget.currency))
        for index, kpi in enumerate(getattr(model, "kpis", [])):
            if kpi.currency is not None:
                used.append((("kpis", index, "currency"), kpi.currency))
        for loc, code in used:
            if is_currency(code):
                continue
            close = difflib.get_close_matches(code, sorted(currencies()), n=1)
            line, col = spec.doc.value_at(loc)
            yield rule.diagnostic(
                spec.path,
                line,
                col,
                f"`{code}` is not an ISO 4217 currency",
                f"did you mean `{close[0]}`?" if close else "use a code like EUR, USD or GBP",
            )


RULE = Rule(
    code="BUDGET003",
    name="unknown-currency",
    severity=Severity.ERROR,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # findings depend on one spec (and conventions, policy) alone
)
