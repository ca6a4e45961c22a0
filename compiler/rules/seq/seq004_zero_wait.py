"""A wait step of zero length.

## What it does
Reports each `wait` step whose `duration` is zero (`0d`, `0h`, `0m`).

## Why is this bad?
A zero wait does nothing but look like a pause in the flowchart: the emails on either
side of it go out together, which is rarely what the author meant (usually a typo for
`1d`, or a placeholder never filled in).

## Example
```yaml
- {id: pause, type: wait, duration: 0d}
```

## Use instead
```yaml
- {id: pause, type: wait, duration: 1d}
```
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import TYPE_CHECKING

from compiler.diagnostics import Diagnostic, Rule, Severity
from compiler.model.sequence import Sequence, WaitStep

if TYPE_CHECKING:
    from compiler.project.repository import Repository


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding for each wait of zero length."""
    rule = RULE
    for spec in repo.specs:
        if not isinstance(spec.model, Sequence):
            continue
        for index, step in enumerate(spec.model.steps):
            if (
                isinstance(step, WaitStep)
                and step.duration is not None
                and step.duration <= timedelta(0)
            ):
                line, col = spec.doc.value_at(("steps", index, "duration"))
                yield rule.diagnostic(
                    spec.path,
                    line,
                    col,
                    f"wait `{step.id}` lasts zero time",
                    "give it a real duration, or remove the step",
                )


RULE = Rule(
    code="SEQ004",
    name="zero-wait",
    severity=Severity.ERROR,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # one sequence's own steps
)
