"""An experiment whose primary metric is not from the performance (CRO) table.

## What it does
Checks that the primary metric belongs to the performance area of the metric
registry (CVR, lift, funnel completion in the seed's table), or to no area.
An experiment deciding on another area's metric must say so explicitly with
`# campc: noqa: EXP003` on the metric's line.

## Why is this bad?
Experiments are performance work: judging one on open rate or reach usually
means the test optimises a proxy, not the conversion it is meant to move.

## Example
```yaml
primary_metric: {metric: reach, baseline: 0.3, mde: 0.1}
```

## Use instead
```yaml
primary_metric: {metric: conversion_rate, baseline: 0.03, mde: 0.1}
```
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from compiler.diagnostics import Diagnostic, Rule, Severity
from compiler.model.experiment import Experiment

if TYPE_CHECKING:
    from compiler.project.repository import Repository


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding for each primary metric from another area's table."""
    rule = RULE
    registry = repo.conventions.metrics
    own = sorted(m.id for m in registry.metrics if m.area == "performance")
    for spec in repo.specs:
        model = spec.model
        if not isinstance(model, Experiment):
            continue
        name = model.primary_metric.metric
        metric = registry.resolve(name)
        if metric is None or metric.area in (None, "performance"):
            continue
        line, col = spec.doc.value_at(("primary_metric", "metric"))
        yield rule.diagnostic(
            spec.path,
            line,
            col,
            f"primary metric `{metric.id}` belongs to the {metric.area} table, not performance's",
            f"use one of {', '.join(own)}, or confirm with `# campc: noqa: {RULE.code}`",
        )


RULE = Rule(
    code="EXP003",
    name="primary-metric-area",
    severity=Severity.WARNING,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # findings depend on one spec (and conventions, policy) alone
)
