"""A goal no contact can reach converted: off every path, or pre-empted by an exit.

## What it does
Reports a goal step no path from the entry reaches (a `next` or an exit before it),
and compares each goal's condition with the sequence's `exit` conditions. When a
contact meets an exit condition it leaves the sequence at once, wherever it is; a goal
testing the same event (or the same attribute test) therefore never sees a contact for
whom it holds.

## Why is this bad?
The goal exists to count conversions and to stop the emails once a contact converts.
With the same condition under `exit`, the contact leaves first: the goal records no
conversion, the sequence's conversion rate reads zero, and the exit hides the mistake
because the emails do stop.

## Example
```yaml
exit:
  - {event: subscription_started}
  - {event: unsubscribed}
steps:
  - ...
  - {id: upgraded, type: goal, condition: {event: subscription_started}}
```

## Use instead
```yaml
exit:
  - {event: unsubscribed}      # the goal takes converted contacts out
steps:
  - ...
  - {id: upgraded, type: goal, condition: {event: subscription_started}}
  - {id: done, type: exit}
```
A contact who meets a goal's condition earlier in the sequence moves on to the goal
(and the steps after it), so the goal both counts the conversion and ends the emails.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from compiler.analysis.sequences import reachable
from compiler.diagnostics import Diagnostic, Rule, Severity
from compiler.model.sequence import Condition, GoalStep, Sequence

if TYPE_CHECKING:
    from compiler.project.repository import Repository


def _same(goal: Condition, leave: Condition) -> bool:
    if goal.event is not None:
        return goal.event == leave.event
    return (goal.attribute, goal.op, goal.value) == (leave.attribute, leave.op, leave.value)


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding for each goal an exit condition pre-empts."""
    rule = RULE
    for spec in repo.specs:
        if not isinstance(spec.model, Sequence):
            continue
        reached = reachable(spec.model)
        for index, step in enumerate(spec.model.steps):
            if not isinstance(step, GoalStep):
                continue
            if step.id not in reached:
                line, col = spec.doc.value_at(("steps", index, "id"))
                yield rule.diagnostic(
                    spec.path,
                    line,
                    col,
                    f"goal `{step.id}` is on no path from the entry: the sequence can never "
                    "record a conversion there",
                    "point a `next` or a branch arm at it, or move it before the exit",
                )
                continue
            for number, leave in enumerate(spec.model.exit):
                if not _same(step.condition, leave):
                    continue
                key = "event" if step.condition.event else "attribute"
                what = step.condition.event or step.condition.attribute
                line, col = spec.doc.value_at(("steps", index, "condition", key))
                yield rule.diagnostic(
                    spec.path,
                    line,
                    col,
                    f"goal `{step.id}` tests `{what}`, but `exit` (condition {number + 1}) "
                    "takes a contact out the moment that happens: the goal never records "
                    "a conversion",
                    f"remove the `{what}` condition from `exit`; the goal moves converted "
                    "contacts on and ends their emails",
                )
                break


RULE = Rule(
    code="SEQ007",
    name="unreachable-goal",
    severity=Severity.WARNING,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # one sequence's own goals and exit criteria
)
