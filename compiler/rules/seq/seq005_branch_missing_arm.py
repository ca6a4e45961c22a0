"""A branch whose `else` arm goes nowhere.

## What it does
Reports a `branch` step without `else` that is the last step of the sequence: with no
step after it, contacts for whom the condition does not hold have nowhere to go.

## Why is this bad?
Email platforms handle the missing arm differently (exit silently, or stall the contact
in the workflow forever); either way a share of the audience drops out of the sequence
without anyone having decided it.

## Example
```yaml
- {id: opened, type: branch, condition: {event: email_opened}, then: offer}
```

## Use instead
```yaml
- {id: opened, type: branch, condition: {event: email_opened}, then: offer, else: done}
- {id: done, type: exit}
```
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from compiler.diagnostics import Diagnostic, Rule, Severity
from compiler.model.sequence import BranchStep, Sequence

if TYPE_CHECKING:
    from compiler.project.repository import Repository


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding for each last-step branch without `else`."""
    rule = RULE
    for spec in repo.specs:
        if not isinstance(spec.model, Sequence):
            continue
        steps = spec.model.steps
        for index, step in enumerate(steps):
            if isinstance(step, BranchStep) and step.otherwise is None and index == len(steps) - 1:
                line, col = spec.doc.key_at(("steps", index, "then"))
                yield rule.diagnostic(
                    spec.path,
                    line,
                    col,
                    f"branch `{step.id}` has no `else` and no step after it",
                    "add `else:` with the step those contacts go to (an exit, at least)",
                )


RULE = Rule(
    code="SEQ005",
    name="branch-missing-arm",
    severity=Severity.ERROR,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # one sequence's own steps
)
