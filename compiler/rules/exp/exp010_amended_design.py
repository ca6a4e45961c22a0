"""A started experiment's design changed under a recorded amendment.

## What it does
With `campc check --base REV`, reports each locked field of a started
experiment that changed since the base revision and that an `amendments:`
entry names (`EXP009` reports the ones no amendment covers). The test plan
lists every amendment.

## Why is this bad?
It may not be: designs do need fixing (a baseline from the wrong segment, a
variant that broke). But an amended test is read differently: its reviewers
should see the change, its reason and its approver, and the readout should say
the plan moved.

## Example
```yaml
amendments:
  - date: 2027-04-20
    fields: [primary_metric.mde]
    reason: the baseline was measured on the wrong segment
    approver: "@growth-analytics"
```

## Use instead
Nothing to change if the amendment is right: the warning is the review's
record. Select it away (`--ignore EXP010`) only where amendments need no review.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from compiler.diagnostics import Diagnostic, Rule, Severity
from compiler.rules.exp.exp009_locked_design import locked_changes

if TYPE_CHECKING:
    from compiler.project.repository import Repository


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding for each locked field changed under an amendment."""
    rule = RULE
    for spec, old, change in locked_changes(repo):
        amendment = change.amendment
        if amendment is None:
            continue
        line, col = spec.doc.value_at(change.loc)
        yield rule.diagnostic(
            spec.path,
            line,
            col,
            f"`{change.field}` changed after the start on {old.start.isoformat()}: "
            f"{change.before} -> {change.after}, amended on {amendment.date.isoformat()} by "
            f"{amendment.approver}: {amendment.reason}",
            "the test plan lists the amendment; the readout should say the plan moved",
        )


RULE = Rule(
    code="EXP010",
    name="amended-design",
    severity=Severity.WARNING,
    doc=__doc__ or "",
    check=check,
    scope="repository",  # compares with the base revision, which no cache key holds
)
