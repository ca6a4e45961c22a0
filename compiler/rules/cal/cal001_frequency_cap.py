"""Sends to one audience, across campaigns and sequences, exceed the audience's frequency cap.

## What it does
Collects every send to each audience (every occurrence of recurring sends, and
the sends of sequences scheduled for a campaign's cohort), from every spec,
and reports a send that makes a rolling window (`per`) hold more sends than
the audience's `frequency_cap` allows (`max`). Alternative branches of one
sequence that reach contacts at the same moment count once, and a send that
different paths bring at different moments counts at its earliest one (a
contact takes one path).

## Why is this bad?
Each campaign looks reasonable alone; together they mail the same people
four times in a week. Fatigue shows up as unsubscribes and spam complaints,
which hurt deliverability for every later send.

## Example
```yaml
# audiences.yaml: eu-leads, frequency_cap: [{max: 1, per: 1d}]
# campaigns/campagnes/launch.yaml
sends: [{id: announce, audience: eu-leads, at: 2027-04-13T09:30, ...}]
# campaigns/acquisition/newsletter.yaml
sends: [{id: april, audience: eu-leads, at: 2027-04-13T16:00, ...}]
```

## Use instead
Move one of the sends to another day, or send both contents in one email.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING

from compiler.analysis.schedule import Event, events, occurrences
from compiler.diagnostics import Diagnostic, Rule, Severity
from compiler.model.common import format_duration
from compiler.model.sequence import FrequencyCap

if TYPE_CHECKING:
    from compiler.project.repository import Repository


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding for each send that breaks an audience's frequency cap."""
    rule = RULE
    caps = {d.audience.id: d.audience.frequency_cap for d in repo.audiences()}
    sends: dict[str, list[tuple[datetime, Event]]] = {}
    seen: set[tuple[str, str, datetime]] = set()
    for event in events(repo):
        if event.kind not in ("send", "sequence-send") or not event.audience:
            continue
        if event.arrival > 1:
            continue  # a later path's copy of a cohort send: one contact gets one of them
        for start in occurrences(event):
            assert isinstance(start, datetime)
            if event.sequence is not None:
                cohort = (event.spec_id, event.sequence.id, start)
                if cohort in seen:
                    continue  # another branch at the same moment: a contact gets one of them
                seen.add(cohort)
            sends.setdefault(event.audience, []).append((start, event))
    reported: set[tuple[str, str, str]] = set()
    for audience, timeline in sorted(sends.items()):
        timeline.sort(key=lambda item: (item[0], item[1].spec_id, item[1].key))
        for cap in caps.get(audience, []):
            yield from _breaches(rule, audience, cap, timeline, reported)


def _breaches(
    rule: object,
    audience: str,
    cap: FrequencyCap,
    timeline: list[tuple[datetime, Event]],
    reported: set[tuple[str, str, str]],
) -> Iterator[Diagnostic]:
    assert isinstance(rule, Rule)
    first = 0
    for last, (start, event) in enumerate(timeline):
        while timeline[first][0] <= start - cap.per:
            first += 1
        window = timeline[first : last + 1]
        if len(window) <= cap.max:
            continue
        marker = (event.spec_id, event.key, f"{cap.max}/{cap.per}")
        if marker in reported:
            continue
        reported.add(marker)
        others = ", ".join(
            f"{e.spec_id}:{e.key} ({s:%Y-%m-%d %H:%M})" for s, e in window if e is not event
        )
        line, col = event.spec.doc.value_at(event.loc)
        yield rule.diagnostic(
            event.spec.path,
            line,
            col,
            f"`{audience}` gets {len(window)} sends within {_per(cap)} on {start:%Y-%m-%d} "
            f"(cap {cap.max}); with {others}",
            "move a send to another day or merge them",
        )


def _per(cap: FrequencyCap) -> str:
    return format_duration(cap.per)


RULE = Rule(
    code="CAL001",
    name="frequency-cap",
    severity=Severity.ERROR,
    doc=__doc__ or "",
    check=check,
)
