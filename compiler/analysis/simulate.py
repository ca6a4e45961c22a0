"""`campc simulate`: synthetic contacts through a sequence, in simulated time.

Each contact enters at the start time and walks the graph on its local clock
(`timing.Clock`): a wait moves the clock (fixed, or to a business day and a time of day),
a send is recorded when it goes out (quiet hours hold it and the contact until they end,
or skip it, and the report counts both), a branch goes `then` with the probability its
`rate` declares (0.5 when the spec declares none, and the report says so), a goal
converts with its `rate` (1 when none), an exit ends the walk. Draws come from one
`random.Random(seed)`, so a seed always gives the same report. A contact stops after 500
steps (a loop no one leaves; SEQ006 reports those).

`arrivals` is the same model without the dice: the share of a cohort that receives each
send at each moment after entry, worked out exactly (what the calendar shows for a cohort
entering on a known date; a test checks the dice converge to it).
"""

from __future__ import annotations

import heapq
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from compiler.analysis.sequences import following
from compiler.analysis.timing import Clock
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
    """(when, step id, what happened: `send`, `held` (a send quiet hours defer, at the
    moment it came), `skipped`, `converted`, `exit`)."""
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
    clock: Clock | None = None

    def quiet(self) -> tuple[Counter[str], Counter[str]]:
        """Sends quiet hours held, and sends they skipped, by step."""
        held: Counter[str] = Counter()
        skipped: Counter[str] = Counter()
        for contact in self.contacts:
            for _, step, what in contact.timeline:
                if what == "held":
                    held[step] += 1
                elif what == "skipped":
                    skipped[step] += 1
        return held, skipped

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
            "quiet_hours": self._quiet_data(),
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

    def _quiet_data(self) -> dict[str, Any] | None:
        if self.clock is None or self.clock.quiet is None:
            return None
        held, skipped = self.quiet()
        start, end = self.clock.quiet
        return {
            "start": f"{start:%H:%M}",
            "end": f"{end:%H:%M}",
            "action": self.clock.action,
            "held": dict(sorted(held.items())),
            "skipped": dict(sorted(skipped.items())),
        }


def run(
    sequence: Sequence, contacts: int, seed: int, start: datetime, clock: Clock | None = None
) -> Report:
    """Walk `contacts` synthetic contacts through `sequence` from `start` (local time on
    `clock`, by default UTC with no closed days and no quiet hours)."""
    clock = clock or Clock(ZoneInfo("UTC"), lambda _: None)
    start = start.replace(tzinfo=clock.zone) if start.tzinfo is None else start
    rng = random.Random(seed)
    by_id = {step.id: step for step in sequence.steps}
    graph = following(sequence)
    assumed = [s.id for s in sequence.steps if isinstance(s, BranchStep) and s.rate is None]
    walked = []
    for number in range(1, contacts + 1):
        contact = Contact(number)
        moment = start
        step_id: str | None = sequence.steps[0].id if sequence.steps else None
        outcomes = []
        for _ in range(MAX_STEPS):
            step = by_id.get(step_id or "")
            if step is None:
                break
            nexts = graph.get(step.id, [])
            if isinstance(step, ExitStep):
                contact.timeline.append((moment, step.id, "exit"))
                break
            if isinstance(step, WaitStep):
                moment = clock.after(moment, step)
            elif isinstance(step, SendStep):
                out = clock.release(moment)
                if out is None:
                    contact.timeline.append((moment, step.id, "skipped"))
                else:
                    if out != moment:
                        contact.timeline.append((moment, step.id, "held"))
                    moment = out
                    contact.timeline.append((moment, step.id, "send"))
            elif isinstance(step, GoalStep):
                if rng.random() < (1.0 if step.rate is None else step.rate):
                    if not contact.converted:
                        contact.timeline.append((moment, step.id, "converted"))
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
    return Report(sequence.id, walked, start, seed, assumed, cap, clock)


def text(report: Report, shown: int = 5) -> str:
    """The report for a terminal."""
    data = report.as_data()
    lines = [
        f"Simulated {data['contacts']:,} contacts through `{report.sequence}` "
        f"(seed {report.seed}, entering {report.start:%Y-%m-%d %H:%M} {report.start.tzname()}).",
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
    quiet = data["quiet_hours"]
    if quiet is not None:
        held, skipped = (
            ", ".join(f"{step} {n:,}" for step, n in quiet[what].items()) or "none"
            for what in ("held", "skipped")
        )
        lines.append(
            f"Quiet hours {quiet['start']}-{quiet['end']} ({quiet['action']}): sends held "
            f"until {quiet['end']}: {held}; sends skipped: {skipped}."
        )
    lines += ["", f"Conversions: {data['conversions']:,} ({data['conversion_rate']:.1%})", ""]
    lines.append(f"First {min(shown, len(report.contacts))} timelines:")
    for contact in report.contacts[:shown]:
        events = ", ".join(f"{m:%m-%d %H:%M} {w} {s}" for m, s, w in contact.timeline)
        lines.append(f"  #{contact.number}: {events or '(nothing)'}")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Arrival:
    """A send reaching part of a cohort at one moment."""

    step: SendStep
    at: datetime
    """When it goes out, on the cohort's clock."""
    share: float
    """Expected share of the cohort that receives it then (a loop can make it exceed 1)."""
    came: datetime | None = None
    """When quiet hours held it: the moment it came (it goes out `at`, when they end)."""


def arrivals(sequence: Sequence, entered: datetime, clock: Clock) -> list[Arrival]:
    """Each send with every moment at which some of a cohort entering at `entered`
    receives it, and the share.

    The cohort moves as one mass through `run`'s model: a branch splits it by its rate
    (0.5 without one), waits delay it, quiet hours hold a send (or skip it: no arrival),
    an exit removes it, and parts that meet again at the same step and moment merge.
    Shares under ARRIVAL_FLOOR and moments past ARRIVAL_HORIZON are dropped, so loops end;
    the list is in step order, then time.
    """
    by_id = {step.id: step for step in sequence.steps}
    order = {step.id: index for index, step in enumerate(sequence.steps)}
    graph = following(sequence)
    entered = entered.astimezone(clock.zone)
    horizon = entered + ARRIVAL_HORIZON
    pending: dict[tuple[datetime, str], float] = {}
    queue: list[tuple[datetime, int, str]] = []
    received: dict[tuple[str, datetime], float] = {}
    held: dict[tuple[str, datetime], datetime] = {}

    def move(moment: datetime, step_id: str, mass: float) -> None:
        if mass < ARRIVAL_FLOOR or moment > horizon or step_id not in by_id:
            return
        key = (moment, step_id)
        if key not in pending:
            heapq.heappush(queue, (moment, order[step_id], step_id))
        pending[key] = pending.get(key, 0.0) + mass

    move(entered, sequence.steps[0].id, 1.0)
    for _ in range(MAX_STEPS * len(sequence.steps)):  # a loop without waits stops here
        if not queue:
            break
        moment, _, step_id = heapq.heappop(queue)
        mass = pending.pop((moment, step_id), 0.0)
        step = by_id[step_id]
        nexts = graph.get(step_id, [])
        if isinstance(step, ExitStep):
            continue
        if isinstance(step, BranchStep):
            rate = 0.5 if step.rate is None else step.rate
            move(moment, nexts[0], mass * rate)
            move(moment, nexts[-1], mass * (1 - rate))
            continue
        after = moment
        if isinstance(step, SendStep):
            out = clock.release(moment)
            if out is not None and out > horizon:
                continue
            if out is not None:
                received[(step_id, out)] = received.get((step_id, out), 0.0) + mass
                if out != moment:
                    held.setdefault((step_id, out), moment)
                after = out
        elif isinstance(step, WaitStep):
            after = clock.after(moment, step)
        if nexts:
            move(after, nexts[0], mass)
    return [
        Arrival(by_id[step_id], at, share, held.get((step_id, at)))  # type: ignore[arg-type]
        for (step_id, at), share in sorted(
            received.items(), key=lambda item: (order[item[0][0]], item[0][1])
        )
    ]
