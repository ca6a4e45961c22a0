"""Variant weights that do not sum to 1, or a variant with weight 0.

## What it does
Adds the `weight` of every variant and reports a sum other than 1, and any
variant whose weight is 0.

## Why is this bad?
Weights are shares of the experiment's traffic: if they sum to 0.9 the
sample sizes, the split the tool is configured with and the sample-ratio
check all disagree; a zero-weight variant is never seen, so it cannot win.

## Example
```yaml
variants:
  - {id: control, name: Current, weight: 0.5}
  - {id: new, name: New, weight: 0.4}
```

## Use instead
```yaml
variants:
  - {id: control, name: Current, weight: 0.5}
  - {id: new, name: New, weight: 0.5}
```
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import TYPE_CHECKING

from compiler.diagnostics import Diagnostic, Rule, Severity
from compiler.model.experiment import Experiment

if TYPE_CHECKING:
    from compiler.project.repository import Repository


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding for weights not summing to 1 and for each zero weight."""
    rule = RULE
    for spec in repo.specs:
        if not isinstance(spec.model, Experiment):
            continue
        variants = spec.model.variants
        total = sum((Decimal(str(v.weight)) for v in variants), Decimal(0))
        if total != 1:
            line, col = spec.doc.key_at(("variants",))
            yield rule.diagnostic(
                spec.path,
                line,
                col,
                f"variant weights sum to {total:f}, not 1",
                "weights are shares of the experiment's traffic",
            )
        for index, variant in enumerate(variants):
            if variant.weight == 0:
                line, col = spec.doc.value_at(("variants", index, "weight"))
                yield rule.diagnostic(
                    spec.path,
                    line,
                    col,
                    f"variant `{variant.id}` has weight 0: nobody sees it",
                    "give it traffic or remove it",
                )


RULE = Rule(
    code="EXP001",
    name="variant-weights",
    severity=Severity.ERROR,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # findings depend on one spec (and conventions, policy) alone
)
