"""Persona traces: the contacts of a sequence's QA plan as timelines a reviewer can
compare between two revisions.

One persona per path through the sequence (named by the branch outcomes it takes,
`opened-yes+clicked-no`, or `everyone` when nothing branches), one per goal met early
(`goal-<id>-early`: it meets the goal on day 1 and walks on from the goal) and one per
exit condition (`leaves-<event or attribute>`: it leaves on day 1). Each persona enters
at the sequence's first cohort (the earliest `cohort_enters` of the campaigns feeding
it), else on Monday 1 March 2027 at 09:00, in its audience's timezone, and walks the
sequence on that contact's clock (`timing.Clock`: waits, business days, quiet hours),
so every landing is a local time, the same on any machine. Nothing is random: the
"seeded" personas of the QA plan are these walks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from compiler.analysis import timing
from compiler.analysis.sequences import Hop, paths
from compiler.model.campaign import Campaign
from compiler.model.sequence import GoalStep, SendStep, Sequence, WaitStep
from compiler.project.facts import Fact

if TYPE_CHECKING:
    from compiler.project.repository import Repository

DEFAULT_ENTRY = datetime(2027, 3, 1, 9, 0)
"""When personas enter a sequence no campaign feeds: a Monday morning."""
EARLY = timedelta(days=1)
"""When a goal-early or exit persona meets its goal or leaves: day 1."""

COHORTS: Fact[dict[str, list[tuple[datetime, str]]]] = Fact("persona cohorts")
"""Sequence id -> (cohort entry, campaign timezone) of every campaign link feeding it."""


@dataclass(frozen=True)
class Landing:
    """An email a persona receives: which step, and the local moment it lands."""

    step: str
    at: datetime

    def day(self, entered: datetime) -> int:
        """The day after entry it lands on (0 is the entry day, local dates)."""
        return (self.at.date() - entered.date()).days


@dataclass(frozen=True)
class Persona:
    """One seeded contact's walk through a sequence."""

    name: str
    entered: datetime
    emails: tuple[Landing, ...]
    ending: str
    """How the walk ends: `exit `done``, `end`, `loops back to ...`, `leaves on day 1
    (unsubscribed)`, `goal `x` on day 1, then end` (Markdown; the JSON drops the ticks)."""

    def within(self, window: timedelta) -> int:
        """The most emails it gets within any `window`."""
        return timing.most_within([e.at for e in self.emails], window)


def entry(repo: Repository, sequence: Sequence) -> tuple[datetime, str]:
    """When and in which zone the personas enter: the first cohort, else the default."""
    audience = repo.audience(sequence.audience or "")
    zone = audience.timezone if audience is not None else "UTC"
    cohorts = repo.facts.get(COHORTS, lambda: _cohorts(repo)).get(sequence.id, [])
    if cohorts:
        first, campaign_zone = min(cohorts, key=lambda c: c[0])
        return first.replace(tzinfo=ZoneInfo(campaign_zone)), zone
    return DEFAULT_ENTRY.replace(tzinfo=ZoneInfo(zone)), zone


def _cohorts(repo: Repository) -> dict[str, list[tuple[datetime, str]]]:
    """Every campaign's cohort links, by sequence id (read once per repository: a diff
    asks for the entry of each sequence on both sides)."""
    found: dict[str, list[tuple[datetime, str]]] = {}
    for spec in repo.specs:
        if isinstance(spec.model, Campaign):
            for link in spec.model.sequences:
                if link.cohort_enters is not None:
                    found.setdefault(link.id, []).append((link.cohort_enters, spec.model.timezone))
    return found


def _walk(
    hops: tuple[Hop, ...], start: datetime, clock: timing.Clock, until: datetime | None = None
) -> tuple[list[Landing], datetime, bool]:
    """The sends along `hops` from `start`, each as it lands (a skipped send is not
    received); stops before a send landing at or after `until`. Returns the landings,
    the moment reached, and whether `until` cut the walk."""
    moment = start
    landed: list[Landing] = []
    for hop in hops:
        step = hop.step
        if isinstance(step, WaitStep):
            moment = clock.after(moment, step)
        elif isinstance(step, SendStep):
            out = clock.release(moment)
            if until is not None and (out or moment) >= until:
                return landed, moment, True
            if out is not None:
                landed.append(Landing(step.id, out))
                moment = out
    return landed, moment, False


def _name(hops: tuple[Hop, ...]) -> str:
    taken = [f"{h.step.id}-{h.outcome}" for h in hops if h.outcome]
    return "+".join(taken) or "everyone"


def personas(repo: Repository, sequence: Sequence) -> list[Persona]:
    """The sequence's personas, paths first, then goals met early, then exit conditions."""
    entered, zone = entry(repo, sequence)
    clock = timing.clock(repo, sequence, zone)
    entered = entered.astimezone(clock.zone)
    found, _cut = paths(sequence)
    made: list[Persona] = []
    names: dict[str, int] = {}
    for path in found:
        landed, _moment, _ = _walk(path.hops, entered, clock)
        name = _name(path.hops)
        names[name] = names.get(name, 0) + 1
        if names[name] > 1:  # two paths, same outcomes (a loop): number the later ones
            name = f"{name}#{names[name]}"
        made.append(Persona(name, entered, tuple(landed), path.ending))
    if not found:
        return made
    first = found[0]
    early = entered + EARLY
    before, _moment, _ = _walk(first.hops, entered, clock, until=early)
    for goal in (s for s in sequence.steps if isinstance(s, GoalStep)):
        through = next((p for p in found if any(h.step.id == goal.id for h in p.hops)), None)
        if through is None:
            continue
        index = next(i for i, h in enumerate(through.hops) if h.step.id == goal.id)
        after, _moment, _ = _walk(through.hops[index + 1 :], early, clock)
        made.append(
            Persona(
                f"goal-{goal.id}-early",
                entered,
                tuple(before + after),
                f"goal `{goal.id}` on day 1, then {through.ending}",
            )
        )
    for condition in sequence.exit:
        what = condition.event or condition.attribute or "exit"
        made.append(Persona(f"leaves-{what}", entered, tuple(before), f"leaves on day 1 ({what})"))
    return made


def trace_data(persona: Persona) -> dict[str, object]:
    """A persona as the build writes it (plain data, local ISO times)."""
    return {
        "persona": persona.name,
        "entered": persona.entered.isoformat(),
        "emails": [
            {"step": e.step, "at": e.at.isoformat(), "day": e.day(persona.entered)}
            for e in persona.emails
        ],
        "ending": persona.ending.replace("`", ""),  # plain text for tools
    }
