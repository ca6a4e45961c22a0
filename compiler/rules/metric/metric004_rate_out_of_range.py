"""A rate target outside [0, 1], usually a percent written as a whole number.

## What it does
Reports KPI targets of rate metrics (open rate, CTR, CVR...) below 0 or above
1. Where the value reads as a percent (above 1, at most 100) the hint gives
the fraction, and `campc check --fix` rewrites it.

## Why is this bad?
Rates are fractions everywhere in campc (and in the warehouse): a target of
25 for a 25% open rate is a 2,500% target, which no report will ever reach.

## Example
```yaml
kpis:
  - {metric: open_rate, target: 25, primary: true}
```

## Use instead
```yaml
kpis:
  - {metric: open_rate, target: 0.25, primary: true}
```
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import TYPE_CHECKING

from compiler.diagnostics import Diagnostic, Rule, Severity

if TYPE_CHECKING:
    from compiler.project.repository import Repository


def as_fraction(target: Decimal) -> Decimal | None:
    """The fraction a percent-looking target stands for (25 -> 0.25), if it reads as one."""
    if Decimal(1) < target <= Decimal(100):
        return (target / 100).normalize()
    return None


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding for each rate KPI whose target is outside [0, 1]."""
    rule = RULE
    registry = repo.conventions.metrics
    for spec in repo.specs:
        for index, kpi in enumerate(getattr(spec.model, "kpis", [])):
            metric = registry.resolve(kpi.metric)
            if metric is None or metric.unit != "rate" or 0 <= kpi.target <= 1:
                continue
            fraction = as_fraction(kpi.target)
            hint = (
                f"rates are fractions: write {fraction:f}, not {kpi.target:f}"
                if fraction is not None
                else "rates are fractions between 0 and 1"
            )
            loc = ("kpis", index, "target")
            line, col = spec.doc.value_at(loc)
            fix = None
            if fraction is not None:
                fix = spec.doc.replace_value(
                    loc, f"{fraction:f}", f"{kpi.target:f} -> {fraction:f} for `{metric.id}`"
                )
            yield rule.diagnostic(
                spec.path,
                line,
                col,
                f"`{metric.id}` is a rate, but the target is {kpi.target:f}",
                hint,
                fix,
            )


RULE = Rule(
    code="METRIC004",
    name="rate-out-of-range",
    severity=Severity.ERROR,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # findings depend on one spec (and conventions, policy) alone
)
