"""A metric that is not in the metric registry.

## What it does
Checks every metric a spec names (KPIs, an experiment's primary metric and
guardrails) against the registry: the seed's "Métriques Clés" table, the
general metrics, and the repository's own `kind: metrics` file. Suggests the
closest id or alias.

## Why is this bad?
Dashboards, test plans and `campc diff` join on metric ids. A metric nobody
defined has no definition, unit or direction, so its target means nothing.

## Example
```yaml
kpis:
  - {metric: open_rat, target: 0.4, primary: true}
```

## Use instead
```yaml
kpis:
  - {metric: open_rate, target: 0.4, primary: true}
```

## Options
Add the team's own metrics to `campaigns/conventions/metrics.yaml`.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from compiler.conventions.registry import metric_key
from compiler.diagnostics import Diagnostic, Rule, Severity
from compiler.model.references import metric_uses

if TYPE_CHECKING:
    from compiler.project.repository import Repository


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding for each metric neither an id nor an alias in the registry."""
    rule = RULE
    if any(file.kind in ("metrics", None) for file in repo.broken):
        return  # the repository's metrics file did not load: its finding comes first
    registry = repo.conventions.metrics
    names = registry.names()
    for spec in repo.specs:
        for use in metric_uses(spec.model):
            if registry.resolve(use.metric):
                continue
            close = difflib.get_close_matches(metric_key(use.metric), names, n=1, cutoff=0.6)
            canonical = None
            if close:
                found = registry.resolve(close[0])
                canonical = found.id if found else None
            hint = (
                f"did you mean `{canonical}`?"
                if canonical
                else "use an id of the metric registry (built-in, or the repository's "
                "`kind: metrics` file), or add this metric to it"
            )
            line, col = spec.doc.value_at(use.loc)
            yield rule.diagnostic(spec.path, line, col, f"unknown metric `{use.metric}`", hint)


RULE = Rule(
    code="METRIC001",
    name="unknown-metric",
    severity=Severity.ERROR,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # findings depend on one spec (and conventions, policy) alone
)
