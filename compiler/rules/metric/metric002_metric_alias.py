"""A metric is named by an alias instead of its canonical id.

## What it does
Reports metrics written as one of their aliases (`ctr`, `cvr`, `taux
d'ouverture`), with the canonical id. `campc check --fix` rewrites them.

## Why is this bad?
Two names for one metric split every report that groups by metric, and
French and English aliases make the same KPI look like two.

## Example
```yaml
kpis:
  - {metric: CTR, target: 0.04, primary: true}
```

## Use instead
```yaml
kpis:
  - {metric: click_through_rate, target: 0.04, primary: true}
```
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from compiler.diagnostics import Diagnostic, Rule, Severity
from compiler.model.references import metric_uses

if TYPE_CHECKING:
    from compiler.project.repository import Repository


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding for each metric written as an alias."""
    rule = RULE
    registry = repo.conventions.metrics
    for spec in repo.specs:
        for use in metric_uses(spec.model):
            metric = registry.by_alias(use.metric)
            if metric is None:
                continue
            line, col = spec.doc.value_at(use.loc)
            yield rule.diagnostic(
                spec.path,
                line,
                col,
                f"`{use.metric}` is an alias of `{metric.id}`",
                f"write `{metric.id}` (`campc check --fix` does it)",
                spec.doc.replace_value(use.loc, metric.id, f"`{use.metric}` -> `{metric.id}`"),
            )


RULE = Rule(
    code="METRIC002",
    name="metric-alias",
    severity=Severity.WARNING,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # findings depend on one spec (and conventions, policy) alone
)
