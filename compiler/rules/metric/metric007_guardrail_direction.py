"""An experiment guardrail whose bad direction is unknown.

## What it does
Reports guardrails whose metric has no `direction` in the registry and whose
entry does not say one either.

## Why is this bad?
A guardrail says "this must not get worse"; without knowing whether worse is
up or down, the analysis cannot tell a breach from an improvement.

## Example
```yaml
guardrails:
  - {metric: time_on_page, threshold: 0.05}
```

## Use instead
```yaml
guardrails:
  - {metric: time_on_page, threshold: 0.05, direction: decrease}
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
    """Yield a finding for each guardrail with no known bad direction."""
    rule = RULE
    registry = repo.conventions.metrics
    for spec in repo.specs:
        if not isinstance(spec.model, Experiment):
            continue
        for index, guardrail in enumerate(spec.model.guardrails):
            metric = registry.resolve(guardrail.metric)
            if metric is None or metric.direction is not None or guardrail.direction is not None:
                continue
            line, col = spec.doc.value_at(("guardrails", index, "metric"))
            yield rule.diagnostic(
                spec.path,
                line,
                col,
                f"guardrail `{metric.id}` has no direction: is an increase or a decrease bad?",
                "add `direction: increase` or `direction: decrease` (the bad direction), "
                "or give the metric a direction in the registry",
            )


RULE = Rule(
    code="METRIC007",
    name="guardrail-direction",
    severity=Severity.ERROR,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # findings depend on one spec (and conventions, policy) alone
)
