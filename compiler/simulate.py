"""`campc simulate`: synthetic contacts through a sequence, in simulated time.

Each contact enters at the start time and walks the graph: a wait moves its clock, a
send is recorded, a branch goes `then` with the probability its `rate` declares (0.5
when the spec declares none, and the report says so), a goal converts with its `rate`
(1 when none), an exit ends the walk. Draws come from one `random.Random(seed)`, so a
seed always gives the same report. A contact stops after 500 steps (a loop no one
leaves; SEQ006 reports those).
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from compiler.model.sequence import BranchStep, ExitStep, GoalStep, SendStep, Sequence, WaitStep
from compiler.schedule import following

MAX_STEPS = 500


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
