"""A loop in a sequence that no contact can leave.

## What it does
Finds the steps of each loop in the sequence's graph and reports a loop from which no
exit step, and no final step, can be reached, and which the sequence's `exit`
criteria do not cover (a sequence with `exit` conditions can end any path).

## Why is this bad?
Contacts on such a loop get its emails forever (every wait apart), never convert out,
and count against the frequency cap of everything else they are sent.

## Example
```yaml
steps:
  - {id: nudge, type: send, email: {...}}
  - {id: wait-7d, type: wait, duration: 7d, next: nudge}
```

## Use instead
A branch in the loop with an arm to an exit step, or `exit:` criteria on the sequence.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from compiler.analysis.sequences import following, reachable
from compiler.diagnostics import Diagnostic, Rule, Severity
from compiler.model.sequence import ExitStep, Sequence

if TYPE_CHECKING:
    from compiler.project.repository import Repository


def _can_end(sequence: Sequence, start: str, graph: dict[str, list[str]]) -> bool:
    by_id = {s.id: s for s in sequence.steps}
    seen: set[str] = set()
    pending = [start]
    while pending:
        step_id = pending.pop()
        if step_id in seen:
            continue
        seen.add(step_id)
        step = by_id.get(step_id)
        if step is None or isinstance(step, ExitStep) or not graph.get(step_id):
            return True
        pending += graph[step_id]
    return False


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding at the first reachable step from which no path ends."""
    rule = RULE
    for spec in repo.specs:
        model = spec.model
        if not isinstance(model, Sequence) or model.exit:
            continue
        graph = following(model)
        reached = reachable(model)
        for index, step in enumerate(model.steps):
            if step.id in reached and not _can_end(model, step.id, graph):
                line, col = spec.doc.value_at(("steps", index, "id"))
                yield rule.diagnostic(
                    spec.path,
                    line,
                    col,
                    f"from step `{step.id}` no path ever ends: contacts loop forever",
                    "add a branch arm to an exit step, or `exit:` criteria to the sequence",
                )
                break


RULE = Rule(
    code="SEQ006",
    name="endless-path",
    severity=Severity.ERROR,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # one sequence's own steps
)
