"""A KPI from another sub-domain's metric table.

## What it does
Compares each KPI's metric with the seed's "Métriques Clés" table: campagnes
are judged on reach, engagement and coordination; email (acquisition) on open
rate, CTR and deliverability; automation on sequence conversion and lead
velocity; CRO (performance) on CVR, lift and funnel completion. Reports a KPI
whose metric belongs to another sub-domain's table, naming that table.
General metrics (revenue, registrations...) are allowed everywhere.

## Why is this bad?
Each team is accountable for its own metrics; a nurture sequence judged on
reach, or a newsletter judged on lift, is measured by the wrong team's ruler.

## Example
```yaml
kind: sequence
domain: automation
kpis:
  - {metric: open_rate, target: 0.4, primary: true}
```

## Use instead
```yaml
kind: sequence
domain: automation
kpis:
  - {metric: sequence_conversion_rate, target: 0.15, primary: true}
  - {metric: open_rate, target: 0.4}  # campc: noqa: METRIC003
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
    """Yield a finding for each KPI whose metric is in another sub-domain's table."""
    rule = RULE
    registry = repo.conventions.metrics
    for spec in repo.specs:
        domain = str(spec.doc.data["domain"])
        for use in metric_uses(spec.model):
            metric = registry.resolve(use.metric)
            if use.role != "kpi" or metric is None or metric.area in (None, domain):
                continue
            own = sorted(m.id for m in registry.metrics if m.area == domain)
            line, col = spec.doc.value_at(use.loc)
            yield rule.diagnostic(
                spec.path,
                line,
                col,
                f"`{metric.id}` belongs to the {metric.area} metric table, not to {domain}'s",
                f"{domain} KPIs: {', '.join(own)}; or suppress with `# campc: noqa: {RULE.code}`",
            )


RULE = Rule(
    code="METRIC003",
    name="off-area-kpi",
    severity=Severity.WARNING,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # findings depend on one spec (and conventions, policy) alone
)
