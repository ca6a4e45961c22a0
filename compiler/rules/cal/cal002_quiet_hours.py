"""A send scheduled inside quiet hours in the recipients' timezone.

## What it does
Converts every send (each occurrence) to the timezone of its audience and
reports those inside quiet hours: the sequence's own `quiet_hours` for its
sends, and the project's `[tool.campc.calendar] quiet-hours` (21:00-08:00 by
default) for campaign sends. A sequence send that quiet hours hold (`defer`, the
default) is shown in the calendar when it goes out, and reported at the moment it
came; with `skip` it is left out of the calendar.

## Why is this bad?
A 09:30 send from Paris reaches New York at 03:30. Night sends land under the
morning's pile, get lower opens, and annoy people enough to unsubscribe.

## Example
```yaml
timezone: Europe/Paris
sends:
  - {id: us-launch, audience: us-leads, at: 2027-04-13T09:30, ...}  # us-leads: America/New_York
```

## Use instead
```yaml
sends:
  - {id: us-launch, audience: us-leads, at: 2027-04-13T15:30, ...}
```

## Options
`[tool.campc.calendar] quiet-hours = "21:00-08:00"` (empty to disable the default).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from compiler.analysis.schedule import events, occurrences
from compiler.analysis.timing import in_quiet as quiet
from compiler.diagnostics import Diagnostic, Rule, Severity

if TYPE_CHECKING:
    from compiler.project.repository import Repository


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding for each send inside quiet hours."""
    rule = RULE
    zones = {d.audience.id: d.audience.timezone for d in repo.audiences()}
    default = repo.policy.calendar.quiet_hours
    for event in events(repo):
        if event.kind not in ("send", "sequence-send"):
            continue
        hours = default
        zone = zones.get(event.audience or "")
        sequence = event.sequence
        if sequence is not None and sequence.quiet_hours is not None:
            hours = (sequence.quiet_hours.start, sequence.quiet_hours.end)
            zone = sequence.quiet_hours.timezone or zone
        if hours is None or zone is None:
            continue
        for start in [event.came] if event.came else occurrences(event):
            assert isinstance(start, datetime)
            local = start.astimezone(ZoneInfo(zone))
            if not quiet(local.time(), *hours):
                continue
            line, col = event.spec.doc.value_at(event.loc)
            held = ""
            if event.came is not None:
                assert isinstance(event.start, datetime)
                out = event.start.astimezone(ZoneInfo(zone))
                held = f", so it is held until {out:%Y-%m-%d %H:%M} and the steps after it move too"
            yield rule.diagnostic(
                event.spec.path,
                line,
                col,
                f"{event.summary} lands at {local:%Y-%m-%d %H:%M} {zone}, inside quiet hours "
                f"{hours[0]:%H:%M}-{hours[1]:%H:%M}{held}",
                "send between the end and the start of quiet hours in the audience's timezone",
            )
            break


RULE = Rule(
    code="CAL002",
    name="quiet-hours",
    severity=Severity.WARNING,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # a campaign's events depend on it and the sequences it links
)
