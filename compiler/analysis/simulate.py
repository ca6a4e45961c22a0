"""`campc simulate`: synthetic contacts through a sequence, in simulated time.

Each contact enters at the start time and walks the graph: a wait moves its clock, a
send is recorded, a branch goes `then` with the probability its `rate` declares (0.5
when the spec declares none, and the report says so), a goal converts with its `rate`
(1 when none), an exit ends the walk. Draws come from one `random.Random(seed)`, so a
seed always gives the same report. A contact stops after 500 steps (a loop no one
leaves; SEQ006 reports those).

`arrivals` is the same model without the dice: the share of a cohort that receives each
send at each delay after entry, worked out exactly (what the calendar shows for a cohort
entering on a known date; a test checks the dice converge to it).
"""

from __future__ import annotations

import heapq
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from compiler.analysis.sequences import following
from compiler.model.sequence import BranchStep, ExitStep, GoalStep, SendStep, Sequence, WaitStep

MAX_STEPS = 500
ARRIVAL_FLOOR = 0.001
"""Arrivals reaching a smaller share of the cohort than this are left out."""
ARRIVAL_HORIZON = timedelta(days=366)
"""Arrivals later than this after entry are left out (loops that come back forever)."""


@dataclass
class Contact:
    """One synthetic contact's walk."""

    number: int
    timeline: list[tuple[datetime, str, str]] = field(default_factory=list)
    """(when, step id, what happened)."""
    converted: bool = False
    path: tuple[str, ...] = ()
    """The branch outcomes taken, as `step=yes|no`."""


@dataclass
class Report:
    """The simulation's results."""

    sequence: str
    contacts: list[Contact]
    start: datetime
    seed: int
    assumed: list[str]
    """Branches without a declared rate (simulated at 0.5)."""
    cap: tuple[int, timedelta] | None

    def paths(self) -> list[tuple[str, int]]:
        """Each distinct path (branch outcomes) with its number of contacts, most first."""
        counts = Counter(" > ".join(c.path) or "(no branch)" for c in self.contacts)
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))

    def weekly(self) -> dict[int, tuple[float, int]]:
        """Week after entry -> (mean sends per contact, most sends of one contact)."""
        weeks: dict[int, list[int]] = {}
        for contact in self.contacts:
            counts = Counter(
                (moment - self.start).days // 7
                for moment, _, what in contact.timeline
                if what == "send"
            )
            for week in counts:
                weeks.setdefault(week, [])
            for week, values in weeks.items():
                values.append(counts.get(week, 0))
        total = len(self.contacts) or 1
        return {week: (sum(values) / total, max(values)) for week, values in sorted(weeks.items())}

    def over_cap(self) -> int:
        """Contacts who got more sends within the cap's window than the cap allows."""
        if self.cap is None:
            return 0
        most, per = self.cap
        over = 0
        for contact in self.contacts:
            sends = [m for m, _, what in contact.timeline if what == "send"]
            if any(
                sum(1 for later in sends[i:] if later - first < per) > most
                for i, first in enumerate(sends)
            ):
                over += 1
        return over

    def as_data(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        total = len(self.contacts) or 1
        return {
            "sequence": self.sequence,
            "seed": self.seed,
            "start": self.start.isoformat(),
            "contacts": len(self.contacts),
            "assumed_rates": self.assumed,
            "paths": [
                {"path": path, "contacts": n, "share": round(n / total, 4)}
                for path, n in self.paths()
            ],
            "sends_per_week": [
                {"week": week, "mean": round(mean, 4), "max": most}
                for week, (mean, most) in self.weekly().items()
            ],
            "frequency_cap": (
                {"max": self.cap[0], "per_days": self.cap[1].total_seconds() / 86400}
                if self.cap
                else None
            ),
            "contacts_over_cap": self.over_cap(),
            "conversions": sum(c.converted for c in self.contacts),
            "conversion_rate": round(sum(c.converted for c in self.contacts) / total, 4),
            "timelines": [
                {
                    "contact": c.number,
                    "converted": c.converted,
                    "events": [
                        {"at": m.isoformat(), "step": s, "what": w} for m, s, w in c.timeline
                    ],
                }
                for c in self.contacts
            ],
        }


def run(sequence: Sequence, contacts: int, seed: int, start: datetime) -> Report:
    """Walk `contacts` synthetic contacts through `sequence` from `start`."""
    rng = random.Random(seed)
    by_id = {step.id: step for step in sequence.steps}
    graph = following(sequence)
    assumed = [s.id for s in sequence.steps if isinstance(s, BranchStep) and s.rate is None]
    walked = []
    for number in range(1, contacts + 1):
        contact = Contact(number)
        clock = start
        step_id: str | None = sequence.steps[0].id if sequence.steps else None
        outcomes = []
        for _ in range(MAX_STEPS):
            step = by_id.get(step_id or "")
            if step is None:
                break
            nexts = graph.get(step.id, [])
            if isinstance(step, ExitStep):
                contact.timeline.append((clock, step.id, "exit"))
                break
            if isinstance(step, WaitStep):
                clock += step.duration
            elif isinstance(step, SendStep):
                contact.timeline.append((clock, step.id, "send"))
            elif isinstance(step, GoalStep):
                if rng.random() < (1.0 if step.rate is None else step.rate):
                    if not contact.converted:
                        contact.timeline.append((clock, step.id, "converted"))
                    contact.converted = True
            elif isinstance(step, BranchStep):
                taken = rng.random() < (0.5 if step.rate is None else step.rate)
                outcomes.append(f"{step.id}={'yes' if taken else 'no'}")
                step_id = nexts[0] if taken else nexts[-1]
                continue
            step_id = nexts[0] if nexts else None
        contact.path = tuple(outcomes)
        walked.append(contact)
    cap = (
        (sequence.frequency_cap.max, sequence.frequency_cap.per) if sequence.frequency_cap else None
    )
    return Report(sequence.id, walked, start, seed, assumed, cap)


def text(report: Report, shown: int = 5) -> str:
    """The report for a terminal."""
    data = report.as_data()
    lines = [
        f"Simulated {data['contacts']:,} contacts through `{report.sequence}` "
        f"(seed {report.seed}, entering {report.start:%Y-%m-%d %H:%M}).",
    ]
    if report.assumed:
        lines.append(f"Branches without a `rate` (simulated at 0.5): {', '.join(report.assumed)}.")
    lines += ["", "Paths:"]
    lines += [f"  {row['share']:>7.1%}  {row['path']}" for row in data["paths"]]
    lines += ["", "Sends per contact, by week after entry (mean, most):"]
    lines += [
        f"  week {row['week']}: {row['mean']:.2f}, {row['max']}" for row in data["sends_per_week"]
    ]
    if report.cap is not None:
        lines.append(
            f"Contacts over the cap ({report.cap[0]} per {data['frequency_cap']['per_days']:g} "
            f"days): {data['contacts_over_cap']:,}"
        )
    lines += ["", f"Conversions: {data['conversions']:,} ({data['conversion_rate']:.1%})", ""]
    lines.append(f"First {min(shown, len(report.contacts))} timelines:")
    for contact in report.contacts[:shown]:
        events = ", ".join(f"{m:%m-%d %H:%M} {w} {s}" for m, s, w in contact.timeline)
        lines.append(f"  #{contact.number}: {events or '(nothing)'}")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Arrival:
    """A send reaching part of a cohort at one delay after entry."""

    step: SendStep
    delay: timedelta
    share: float
    """Expected share of the cohort that receives it then (a loop can make it exceed 1)."""


def arrivals(sequence: Sequence) -> list[Arrival]:
    """Each send with every delay at which some of a cohort receives it, and the share.

    The cohort moves as one mass through `run`'s model: a branch splits it by its rate
    (0.5 without one), waits delay it, an exit removes it, and parts that meet again at
    the same step and moment merge. Shares under ARRIVAL_FLOOR and delays past
    ARRIVAL_HORIZON are dropped, so loops end; the list is in step order, then delay.
    """
    by_id = {step.id: step for step in sequence.steps}
    order = {step.id: index for index, step in enumerate(sequence.steps)}
    graph = following(sequence)
    pending: dict[tuple[timedelta, str], float] = {}
    queue: list[tuple[timedelta, int, str]] = []
    received: dict[tuple[str, timedelta], float] = {}

    def move(delay: timedelta, step_id: str, mass: float) -> None:
        if mass < ARRIVAL_FLOOR or delay > ARRIVAL_HORIZON or step_id not in by_id:
            return
        key = (delay, step_id)
        if key not in pending:
            heapq.heappush(queue, (delay, order[step_id], step_id))
        pending[key] = pending.get(key, 0.0) + mass

    move(timedelta(0), sequence.steps[0].id, 1.0)
    for _ in range(MAX_STEPS * len(sequence.steps)):  # a loop without waits stops here
        if not queue:
            break
        delay, _, step_id = heapq.heappop(queue)
        mass = pending.pop((delay, step_id), 0.0)
        step = by_id[step_id]
        nexts = graph.get(step_id, [])
        if isinstance(step, ExitStep):
            continue
        if isinstance(step, BranchStep):
            rate = 0.5 if step.rate is None else step.rate
            move(delay, nexts[0], mass * rate)
            move(delay, nexts[-1], mass * (1 - rate))
            continue
        if isinstance(step, SendStep):
            received[(step_id, delay)] = received.get((step_id, delay), 0.0) + mass
        after = delay + step.duration if isinstance(step, WaitStep) else delay
        if nexts:
            move(after, nexts[0], mass)
    return [
        Arrival(by_id[step_id], delay, share)  # type: ignore[arg-type]
        for (step_id, delay), share in sorted(
            received.items(), key=lambda item: (order[item[0][0]], item[0][1])
        )
    ]
