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
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from compiler.analysis.schedule import events, moment, moment_data, occurrences
from compiler.diagnostics import Diagnostic, Loc, Rule, Severity
from compiler.model.common import format_duration
from compiler.model.sequence import FrequencyCap

if TYPE_CHECKING:
    from compiler.project.repository import Repository


def collect(repo: Repository) -> dict[str, Any]:
    """Each spec's sends to an audience: `[audience, start, spec id, key, loc]`, one per
    occurrence, in schedule order."""
    found: dict[str, list[Any]] = {}
    seen: set[tuple[str, str, str, datetime]] = set()
    for event in events(repo):
        if event.kind not in ("send", "sequence-send") or not event.audience:
            continue
        if event.arrival > 1:
            continue  # a later path's copy of a cohort send: one contact gets one of them
        for start in occurrences(event):
            assert isinstance(start, datetime)
            if event.sequence is not None:
                cohort = (event.spec.path, event.spec_id, event.sequence.id, start)
                if cohort in seen:
                    continue  # another branch at the same moment: a contact gets one of them
                seen.add(cohort)
            found.setdefault(event.spec.path, []).append(
                [event.audience, moment_data(start), event.spec_id, event.key, list(event.loc)]
            )
    return found


@dataclass(frozen=True)
class _Send:
    start: datetime
    spec_id: str
    key: str
    path: str
    loc: Loc


def combine(repo: Repository, collected: dict[str, Any]) -> Iterator[Diagnostic]:
    """Yield a finding for each send that breaks an audience's frequency cap."""
    rule = RULE
    caps = {d.audience.id: d.audience.frequency_cap for d in repo.audiences()}
    sends: dict[str, list[_Send]] = {}
    for path, listed in collected.items():
        for audience, start, spec_id, key, loc in listed or ():
            sends.setdefault(audience, []).append(
                _Send(moment(start), spec_id, key, path, tuple(loc))
            )
    docs = {spec.path: spec.doc for spec in repo.specs}
    reported: set[tuple[str, str, str]] = set()
    for audience, timeline in sorted(sends.items()):
        timeline.sort(key=lambda send: (send.start, send.spec_id, send.key))
        for cap in caps.get(audience, []):
            for send, message in _breaches(audience, cap, timeline, reported):
                line, col = docs[send.path].value_at(send.loc)
                yield rule.diagnostic(
                    send.path, line, col, message, "move a send to another day or merge them"
                )


def _breaches(
    audience: str,
    cap: FrequencyCap,
    timeline: list[_Send],
    reported: set[tuple[str, str, str]],
) -> Iterator[tuple[_Send, str]]:
    first = 0
    for last, send in enumerate(timeline):
        while timeline[first].start <= send.start - cap.per:
            first += 1
        window = timeline[first : last + 1]
        if len(window) <= cap.max:
            continue
        marker = (send.spec_id, send.key, f"{cap.max}/{cap.per}")
        if marker in reported:
            continue
        reported.add(marker)
        others = ", ".join(
            f"{s.spec_id}:{s.key} ({s.start:%Y-%m-%d %H:%M})"
            for s in window
            if (s.path, s.key) != (send.path, send.key)  # its own other occurrences
        )
        yield (
            send,
            f"`{audience}` gets {len(window)} sends within {_per(cap)} on "
            f"{send.start:%Y-%m-%d} (cap {cap.max}); with {others}",
        )


def _per(cap: FrequencyCap) -> str:
    return format_duration(cap.per)


RULE = Rule(
    code="CAL001",
    name="frequency-cap",
    severity=Severity.ERROR,
    doc=__doc__ or "",
    collect=collect,
    combine=combine,
)
