"""Samples for an occurrence a recurring send does not have, or for a variable it does not declare.

## What it does
Checks each date under a send's `occurrences` against the dates its `repeat` rule
gives, and each variable named there against the campaign's and the send's
`variables`.

## Why is this bad?
The proof of an occurrence that never happens is checked for nothing, and the real
one goes out with the default sample unchecked; a misspelt variable leaves the sample
it meant to replace in the proof.

## Example
```yaml
at: 2027-04-06T09:30
repeat: {frequency: monthly, weekdays: [TU], position: 1, count: 3}
occurrences:
  2027-05-05: {issue_titel: Lineage}   # the first Tuesday is 4 May; issue_title
```

## Use instead
```yaml
occurrences:
  2027-05-04: {issue_title: Lineage}
```
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from compiler.analysis.schedule import events, occurs_on
from compiler.diagnostics import Diagnostic, Rule, Severity
from compiler.model.campaign import Campaign

if TYPE_CHECKING:
    from compiler.project.repository import Repository


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding for each date off the schedule and each undeclared variable."""
    rule = RULE
    by_key = {(e.spec.path, e.key): e for e in events(repo) if e.kind == "send"}
    for spec in repo.specs:
        campaign = spec.model
        if not isinstance(campaign, Campaign):
            continue
        for index, send in enumerate(campaign.sends):
            if not send.occurrences:
                continue
            event = by_key.get((spec.path, f"send-{send.id}"))
            days = set(send.occurrences)
            held = occurs_on(event, days) if event is not None else days
            known = {**campaign.variables, **send.variables}
            for day, samples in sorted(send.occurrences.items()):
                where = ("sends", index, "occurrences", day.isoformat())
                if day not in held:
                    line, col = spec.doc.key_at(where)
                    yield rule.diagnostic(
                        spec.path,
                        line,
                        col,
                        f"`{send.id}` does not go out on {day.isoformat()}: its `repeat` "
                        "has no occurrence that day",
                        "use a date its `repeat` gives (the calendar lists them)",
                    )
                for name in samples:
                    if name in known:
                        continue
                    line, col = spec.doc.key_at((*where, name))
                    shown = ", ".join(f"`{k}`" for k in sorted(known)) or "none"
                    yield rule.diagnostic(
                        spec.path,
                        line,
                        col,
                        f"`{name}` is not a variable of `{send.id}` (declared: {shown})",
                        "fix the name, or declare it under `variables:`",
                    )


RULE = Rule(
    code="CAL008",
    name="occurrence-samples",
    severity=Severity.ERROR,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # one campaign's sends, their recurrences and variables
)
