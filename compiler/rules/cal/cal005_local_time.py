"""A local time that does not exist, or exists twice, because of a daylight-saving change.

## What it does
Reports sends, milestones and sequence sends whose local time (any
occurrence) falls in a spring-forward gap (02:30 on the last Sunday of March
in Paris never happens) or an autumn fold (02:30 on the last Sunday of
October happens twice).

## Why is this bad?
Calendar clients and sending platforms resolve such times differently: the
send goes out an hour early, an hour late, or twice.

## Example
```yaml
timezone: Europe/Paris
sends:
  - {id: night-batch, at: 2027-03-28T02:30, ...}
```

## Use instead
```yaml
sends:
  - {id: night-batch, at: 2027-03-28T04:00, ...}
```
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from compiler.analysis.schedule import events, occurrences
from compiler.diagnostics import Diagnostic, Rule, Severity

if TYPE_CHECKING:
    from compiler.project.repository import Repository


def problem(moment: datetime) -> str | None:
    """`does not exist` or `is ambiguous` for a wall time its zone skips or repeats."""
    if moment.tzinfo is None:
        return None
    back = moment.astimezone(UTC).astimezone(moment.tzinfo)
    if back.replace(tzinfo=None) != moment.replace(tzinfo=None):
        return "does not exist (clocks spring forward)"
    if moment.replace(fold=0).utcoffset() != moment.replace(fold=1).utcoffset():
        return "is ambiguous (clocks fall back, so it happens twice)"
    return None


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding for each event at a skipped or repeated local time."""
    rule = RULE
    for event in events(repo):
        for start in occurrences(event):
            if not isinstance(start, datetime) or (issue := problem(start)) is None:
                continue
            line, col = event.spec.doc.value_at(event.loc)
            yield rule.diagnostic(
                event.spec.path,
                line,
                col,
                f"{event.summary}: {start:%Y-%m-%d %H:%M} {event.timezone} {issue}",
                "pick a time at least an hour away from the change (it happens around 02:00)",
            )
            break


RULE = Rule(
    code="CAL005",
    name="local-time",
    severity=Severity.ERROR,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # a campaign's events depend on it and the sequences it links
)
