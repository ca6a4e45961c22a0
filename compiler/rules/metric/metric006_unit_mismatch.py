"""A KPI target whose unit contradicts its metric's.

## What it does
Compares a KPI's target with its metric's unit: a `currency` on a metric that
is not measured in money, a money metric without a `currency`, or a count
target that is not a whole number.

## Why is this bad?
A "EUR 0.3 open rate" or "12.5 registrations" is a typo that reports will
silently carry along.

## Example
```yaml
kpis:
  - {metric: open_rate, target: 0.3, currency: EUR, primary: true}
  - {metric: pipeline_value, target: 250000}
```

## Use instead
```yaml
kpis:
  - {metric: open_rate, target: 0.3, primary: true}
  - {metric: pipeline_value, target: 250000, currency: EUR}
```
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from compiler.diagnostics import Diagnostic, Rule, Severity

if TYPE_CHECKING:
    from compiler.project.repository import Repository


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding for each KPI whose target contradicts its metric's unit."""
    rule = RULE
    registry = repo.conventions.metrics
    for spec in repo.specs:
        for index, kpi in enumerate(getattr(spec.model, "kpis", [])):
            metric = registry.resolve(kpi.metric)
            if metric is None:
                continue
            loc: tuple[str | int, ...] = ("kpis", index, "target")
            problem = None
            if kpi.currency is not None and metric.unit != "currency":
                loc, problem = (
                    ("kpis", index, "currency"),
                    f"`{metric.id}` is a {metric.unit}, not an amount of {kpi.currency}",
                )
                hint = "remove `currency`"
            elif kpi.currency is None and metric.unit == "currency":
                problem = f"`{metric.id}` is an amount of money, but the target has no currency"
                hint = "add `currency: EUR` (or the ISO 4217 code it is in)"
            elif metric.unit == "count" and kpi.target != kpi.target.to_integral_value():
                problem = f"`{metric.id}` is a count, but the target {kpi.target:f} is fractional"
                hint = "counts are whole numbers"
            if problem is None:
                continue
            line, col = spec.doc.value_at(loc)
            yield rule.diagnostic(spec.path, line, col, problem, hint)


RULE = Rule(
    code="METRIC006",
    name="unit-mismatch",
    severity=Severity.ERROR,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # findings depend on one spec (and conventions, policy) alone
)
