"""A send or milestone outside its campaign's window.

## What it does
Reports campaign sends (any occurrence of a recurring send, on its local
date) and milestones dated before the window's first day or after its last.

## Why is this bad?
The window is what the budget is paced over and what the calendar shows; an
event outside it is usually a typo in a date (2026 for 2027) or a window
that was shortened without moving the events.

## Example
```yaml
window: {start: 2027-04-01, end: 2027-04-30}
milestones:
  - {id: launch, name: Launch, at: 2027-05-03T10:00}
```

## Use instead
```yaml
window: {start: 2027-04-01, end: 2027-05-15}
```
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING

from compiler.analysis.schedule import events, occurrences
from compiler.diagnostics import Diagnostic, Rule, Severity
from compiler.model.campaign import Campaign

if TYPE_CHECKING:
    from compiler.project.repository import Repository


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding for each campaign event outside its window."""
    rule = RULE
    for event in events(repo):
        model = event.spec.model
        if event.kind not in ("send", "milestone") or not isinstance(model, Campaign):
            continue
        window = model.window
        for start in occurrences(event):
            day = start.date() if isinstance(start, datetime) else start
            if window.start <= day <= window.end:
                continue
            line, col = event.spec.doc.value_at(event.loc)
            yield rule.diagnostic(
                event.spec.path,
                line,
                col,
                f"{event.summary} on {day.isoformat()} is outside the window "
                f"{window.start.isoformat()} to {window.end.isoformat()}",
                "fix the date, or widen `window`",
            )
            break


RULE = Rule(
    code="CAL004",
    name="outside-window",
    severity=Severity.ERROR,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # a campaign's events depend on it and the sequences it links
)
