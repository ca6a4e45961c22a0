"""A loop in a sequence with no wait step in it.

## What it does
Finds every cycle of the sequence's graph (through `next` and branch arms) and reports
those that pass no `wait` step.

## Why is this bad?
Without a wait, the loop runs again at once: a contact on it gets the loop's emails
over and over within the same minute, until the email platform's own safety limit (if
any) stops it. A loop is fine for reminders, but only with a wait in it.

## Example
```yaml
steps:
  - {id: nudge, type: send, email: {...}}
  - id: opened
    type: branch
    condition: {event: email_opened}
    then: done
    else: nudge          # back to the send, immediately
  - {id: done, type: exit}
```

## Use instead
```yaml
  - {id: nudge, type: send, email: {...}}
  - {id: wait-3d, type: wait, duration: 3d}
  - id: opened
    ...
    else: nudge
```
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from compiler.analysis.sequences import instant_loops
from compiler.diagnostics import Diagnostic, Rule, Severity
from compiler.model.sequence import Sequence

if TYPE_CHECKING:
    from compiler.project.repository import Repository


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding for each loop without a wait, at its first step."""
    rule = RULE
    for spec in repo.specs:
        if not isinstance(spec.model, Sequence):
            continue
        index = {step.id: i for i, step in enumerate(spec.model.steps)}
        for cycle in instant_loops(spec.model):
            first = min(cycle, key=lambda s: index.get(s, 0))
            line, col = spec.doc.value_at(("steps", index.get(first, 0), "id"))
            yield rule.diagnostic(
                spec.path,
                line,
                col,
                f"steps {' -> '.join(f'`{s}`' for s in cycle)} loop back with no wait",
                "put a wait step in the loop",
            )


RULE = Rule(
    code="SEQ002",
    name="instant-loop",
    severity=Severity.ERROR,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # one sequence's own steps
)
