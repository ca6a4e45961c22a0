"""A traffic experiment that stops mid-week without saying why.

## What it does
Reports an experiment on traffic (not a send) with `whole_weeks: false` and no
`whole_weeks_reason`, one whose `sequential: true` declares no `looks`, and a
`spending` without `looks` (it has no effect).

## Why is this bad?
Traffic differs by weekday: Monday's visitors are not Saturday's. A test that
runs 10 days counts three Mondays and two Sundays, and its effect is the
effect on that mix, not on a week. A sequential design whose looks are not
declared cannot be checked: its interim boundaries are whatever the analyst
picks on the day.

## Example
```yaml
traffic: {daily: 4000}
whole_weeks: false
```

## Use instead
```yaml
whole_weeks: false
whole_weeks_reason: the offer ends on 2027-04-20, whatever the weekday
```
or keep whole weeks; and declare `looks: 4` (with `spending`) for a
sequential design.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from compiler.diagnostics import Diagnostic, Rule, Severity
from compiler.model.experiment import Experiment

if TYPE_CHECKING:
    from compiler.project.repository import Repository


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding for each short run without its reason, and looks left undeclared."""
    rule = RULE
    for spec in repo.specs:
        model = spec.model
        if not isinstance(model, Experiment) or model.batch:
            continue  # a send is one batch: its run is the send's window
        if not model.whole_weeks and model.whole_weeks_reason is None:
            line, col = spec.doc.value_at(("whole_weeks",))
            yield rule.diagnostic(
                spec.path,
                line,
                col,
                "a traffic experiment stops mid-week without a reason: each weekday's "
                "traffic is counted unevenly",
                "say why with `whole_weeks_reason:`, or run whole weeks",
            )
        if model.looks == 1 and "spending" in spec.doc.data:
            line, col = spec.doc.value_at(("spending",))
            yield rule.diagnostic(
                spec.path,
                line,
                col,
                "`spending` shapes the boundaries of `looks`, and there is one look: it has "
                "no effect",
                "declare `looks:` (2 or more analyses), or remove `spending`",
            )
        if model.sequential and model.looks == 1:
            line, col = spec.doc.value_at(("sequential",))
            yield rule.diagnostic(
                spec.path,
                line,
                col,
                "a sequential design without its looks: the interim boundaries are not planned",
                "declare `looks:` (the analyses, the last at the end) and `spending:`",
            )


RULE = Rule(
    code="EXP008",
    name="unplanned-runtime",
    severity=Severity.WARNING,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # findings depend on one spec alone
)
