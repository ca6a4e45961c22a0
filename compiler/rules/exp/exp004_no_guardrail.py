"""An experiment without a guardrail metric.

## What it does
Reports experiments with an empty `guardrails` list.

## Why is this bad?
A variant can win on its primary metric by breaking something else: more
sign-ups and twice the unsubscribes, more clicks and slower pages. Guardrails
are how the decision rule catches it.

## Example
```yaml
guardrails: []
```

## Use instead
```yaml
guardrails:
  - {metric: bounce_rate, threshold: 0.02}
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
    """Yield a finding for each experiment with no guardrail."""
    rule = RULE
    for spec in repo.specs:
        if isinstance(spec.model, Experiment) and not spec.model.guardrails:
            loc = ("guardrails",) if "guardrails" in spec.doc.data else ("primary_metric",)
            line, col = spec.doc.key_at(loc)
            yield rule.diagnostic(
                spec.path,
                line,
                col,
                "no guardrail metric",
                "add `guardrails:` with the metrics that must not get worse",
            )


RULE = Rule(
    code="EXP004",
    name="no-guardrail",
    severity=Severity.WARNING,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # findings depend on one spec (and conventions, policy) alone
)
