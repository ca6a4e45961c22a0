"""A recurring send whose first date is not itself one of its recurrences.

## What it does
Reports recurring sends whose `at` does not match their `repeat` rule, such
as a "first Tuesday of the month" newsletter whose `at` is a Wednesday.

## Why is this bad?
RFC 5545 leaves such a start to each client: some count it as an extra
occurrence, others skip it, so the calendar, the sending platform and the
team disagree on how many sends there are.

## Example
```yaml
at: 2027-04-07T09:30          # a Wednesday
repeat: {frequency: monthly, weekdays: [TU], position: 1, count: 3}
```

## Use instead
```yaml
at: 2027-04-06T09:30          # the first Tuesday of April
repeat: {frequency: monthly, weekdays: [TU], position: 1, count: 3}
```
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from compiler.analysis.schedule import events, occurrences, starts_on_rule
from compiler.diagnostics import Diagnostic, Rule, Severity
from compiler.text.prose import weekday_date

if TYPE_CHECKING:
    from compiler.project.repository import Repository


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding for each recurring send that does not start on its rule."""
    rule = RULE
    for event in events(repo):
        if event.repeat is None or starts_on_rule(event):
            continue
        first = occurrences(event)[0]
        loc = (*event.loc, "at")
        line, col = event.spec.doc.value_at(loc)
        yield rule.diagnostic(
            event.spec.path,
            line,
            col,
            f"{event.summary} starts on {weekday_date(event.start)}, which its `repeat` rule "
            f"does not include (its first occurrence is {weekday_date(first)})",
            f"set `at` to {first:%Y-%m-%dT%H:%M}",
        )


RULE = Rule(
    code="CAL006",
    name="rrule-start",
    severity=Severity.ERROR,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # a campaign's events depend on it and the sequences it links
)
