"""A threshold no lead can reach: the model's maximum score is below it.

## What it does
Adds the largest points every rule can give (positive fit points, each
behaviour rule's `max_points`), applies the caps, and reports an MQL or SQL
threshold above that maximum. Behaviour rules without `max_points` make the
maximum unbounded, and nothing is reported.

## Why is this bad?
No lead will ever be handed to sales: the threshold was set for an older,
richer model, or a cap was lowered without moving it.

## Example
```yaml
caps: {total: 60}
thresholds: {mql: 50, sql: 80}
```

## Use instead
```yaml
caps: {total: 100}
thresholds: {mql: 50, sql: 80}
```
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from compiler.analysis.scoring import maximum
from compiler.diagnostics import Diagnostic, Rule, Severity
from compiler.model.scoring import ScoringModel

if TYPE_CHECKING:
    from compiler.project.repository import Repository


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding for each threshold above the highest reachable score."""
    rule = RULE
    for spec in repo.specs:
        model = spec.model
        if not isinstance(model, ScoringModel):
            continue
        top = maximum(model)
        for name in ("mql", "sql"):
            threshold = getattr(model.thresholds, name)
            if threshold <= top:
                continue
            line, col = spec.doc.value_at(("thresholds", name))
            yield rule.diagnostic(
                spec.path,
                line,
                col,
                f"{name.upper()} threshold {threshold} is above the highest reachable score "
                f"{top:g}",
                "lower the threshold, or raise the caps and rule points",
            )


RULE = Rule(
    code="SCORE002",
    name="unreachable-threshold",
    severity=Severity.ERROR,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # findings depend on one spec (and conventions, policy) alone
)
