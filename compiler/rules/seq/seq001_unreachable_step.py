"""A sequence step no path from the entry reaches.

## What it does
Follows the sequence from its first step (each step's `next`, else the step after it;
a branch's `then` and `else`; nothing after an exit) and reports every step it never
reaches. An unreachable goal is reported by SEQ007 (unreachable-goal), with the other
reasons a goal never records a conversion.

## Why is this bad?
An unreachable step is dead configuration: an email written, reviewed and approved that
no contact will ever receive, usually because a `next` or a branch arm points past it.

## Example
```yaml
steps:
  - {id: welcome, type: send, email: {...}, next: done}
  - {id: tips, type: send, email: {...}}     # skipped by welcome's next
  - {id: done, type: exit}
```

## Use instead
Point an arm or a `next` at the step, or delete it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from compiler.analysis.sequences import reachable
from compiler.diagnostics import Diagnostic, Rule, Severity
from compiler.model.sequence import GoalStep, Sequence

if TYPE_CHECKING:
    from compiler.project.repository import Repository


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding for each step the entry never reaches."""
    rule = RULE
    for spec in repo.specs:
        if not isinstance(spec.model, Sequence):
            continue
        reached = reachable(spec.model)
        for index, step in enumerate(spec.model.steps):
            if step.id in reached or isinstance(step, GoalStep):
                continue  # goals: SEQ007 says why no contact converts
            line, col = spec.doc.value_at(("steps", index, "id"))
            yield rule.diagnostic(
                spec.path,
                line,
                col,
                f"step `{step.id}` is never reached from the entry",
                "point a `next` or a branch arm at it, or delete it",
            )


RULE = Rule(
    code="SEQ001",
    name="unreachable-step",
    severity=Severity.WARNING,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # one sequence's own steps
)
