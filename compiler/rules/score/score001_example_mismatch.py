"""A scoring model's example lead does not get the score the spec expects.

## What it does
Runs every `examples:` lead through the reference scorer (the semantics in
`compiler/analysis/scoring.py`, which the generated SQL implements too) and reports
each expected value (fit, behaviour, total, stage, grade) it does not get,
with every rule's contribution.

## Why is this bad?
Examples are the model's executable documentation: a model whose examples
fail scores real leads differently from what sales and marketing agreed.

## Example
```yaml
examples:
  - id: vp-with-demo
    attributes: {company_size: 850, job_level: vp}
    events: [{event: demo_requested, at: 2027-04-20T10:00}]
    as_of: 2027-04-20
    expect: {total: 90, stage: sql}
```

## Use instead
```yaml
    expect: {total: 70, stage: mql}
```
or fix the rule that scores it wrong.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import TYPE_CHECKING

from compiler.analysis.scoring import LeadEvent, score
from compiler.diagnostics import Diagnostic, Rule, Severity
from compiler.model.scoring import ScoringModel

if TYPE_CHECKING:
    from compiler.project.repository import Repository


def _same(expected: object, actual: object) -> bool:
    if isinstance(expected, int | float | Decimal) and isinstance(actual, int | float):
        return Decimal(str(expected)) == Decimal(str(round(actual, 2)))
    return expected == actual


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding for each example whose computed score differs from its expectation."""
    rule = RULE
    for spec in repo.specs:
        model = spec.model
        if not isinstance(model, ScoringModel):
            continue
        for index, example in enumerate(model.examples):
            events = [LeadEvent(e.event, e.at) for e in example.events]
            result = score(model, example.attributes, events, example.as_of)
            wrong = []
            for name in ("fit", "behaviour", "total", "stage", "grade"):
                expected = getattr(example.expect, name)
                if expected is None:
                    continue
                actual = getattr(result, name)
                if not _same(expected, actual):
                    wrong.append(
                        f"{name} {actual:g} (expected {expected})"
                        if isinstance(actual, float)
                        else f"{name} {actual} (expected {expected})"
                    )
            if not wrong:
                continue
            why = ", ".join(f"{rid} {pts:+g}" for rid, pts in result.contributions.items() if pts)
            line, col = spec.doc.key_at(("examples", index, "expect"))
            yield rule.diagnostic(
                spec.path,
                line,
                col,
                f"example `{example.id}` scores {'; '.join(wrong)}",
                f"contributions: {why or 'none'}",
            )


RULE = Rule(
    code="SCORE001",
    name="example-mismatch",
    severity=Severity.ERROR,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # findings depend on one spec (and conventions, policy) alone
)
