"""Every dated event the specs define, in one list: what the calendar shows and CAL rules check."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo

from dateutil.rrule import DAILY, FR, MO, MONTHLY, SA, SU, TH, TU, WE, WEEKLY, rrule

from compiler.analysis import timing
from compiler.analysis.experiments import ExperimentPlan, list_size, planned
from compiler.analysis.simulate import arrivals
from compiler.diagnostics import Loc
from compiler.model.campaign import Campaign, Repeat
from compiler.model.experiment import Experiment
from compiler.model.sequence import Sequence
from compiler.project.facts import Fact
from compiler.text import prose
from compiler.text.labels import Labels, _, labels

EventKind = Literal["window", "milestone", "send", "sequence-send", "experiment", "readout"]

if TYPE_CHECKING:
    from compiler.project.repository import Repository, SpecFile


@dataclass(frozen=True)
class Event:
    """One calendar entry. Timed events carry an aware `start`; all-day ones a `date`."""

    spec: SpecFile
    key: str
    """Unique within the spec; with the spec id it makes the UID."""
    kind: EventKind
    title: str
    """What the event is named after: the campaign, milestone, send or experiment (the
    cohort's campaign, for a sequence send); `summary` says the rest."""
    start: date | datetime
    end: date | datetime | None
    """Exclusive end (the day after, for all-day events); None for an instant."""
    loc: Loc
    """Where in the spec the event is defined (for findings)."""
    timezone: str | None = None
    repeat: Repeat | None = None
    channel: str | None = None
    audience: str | None = None
    campaigns: tuple[str, ...] = field(default=())
    """Campaigns whose calendar shows the event (besides its own spec, if a campaign)."""
    sequence: Sequence | None = None
    """For a sequence send: the sequence (the event belongs to the campaign whose cohort
    enters it, where `cohort_enters` decides its time)."""
    arrival: int = 1
    """For a sequence send: 1 for the step's earliest arrival in the cohort, then 2, 3...
    for the later moments other paths bring it (`simulate.arrivals`)."""
    share: float = 1.0
    """For a sequence send: the expected share of the cohort that receives it then."""
    came: datetime | None = None
    """For a sequence send quiet hours held: when it came (it goes out at `start`)."""
    step: str = ""
    """For a sequence send: the step's id."""
    run: tuple[int, int, str] | None = None
    """For an experiment's run: its planned days, units and the unit's name."""

    @property
    def summary(self) -> str:
        """The event's title in English (what findings and `campc diff` say)."""
        return self.summary_in(labels())

    def summary_in(self, words: Labels) -> str:
        """The event's title in a locale: `Send: Launch`, `Envoi : Launch`."""
        if self.kind == "send":
            return words(_("Send: {name}"), name=self.title)
        if self.kind == "sequence-send" and self.sequence is not None:
            share = ""
            if self.share < 0.995:
                shown = (
                    "<" + words.percent(0.01) if self.share < 0.005 else words.percent(self.share)
                )
                share = words(_(", {share} of it"), share=shown)
            held = (
                words(_(", held for quiet hours from {time}"), time=f"{self.came:%H:%M}")
                if self.came
                else ""
            )
            return words(
                _("Sequence send: {sequence}, {step} ({campaign} cohort{share}{held})"),
                sequence=self.sequence.name,
                step=self.step,
                campaign=self.title,
                share=share,
                held=held,
            )
        if self.kind == "experiment":
            if self.run is None:
                return words(_("Experiment: {name}"), name=self.title)
            days, total, unit = self.run
            return words(
                _("Experiment: {name} ({days}, {units})"),
                name=self.title,
                days=words.count(days, _("{n} day"), _("{n} days")),
                units=f"{words.number(total)} {unit if total == 1 else prose.plural(unit)}",
            )
        if self.kind == "readout":
            return words(_("Experiment readout: {name}"), name=self.title)
        return self.title

    @property
    def spec_id(self) -> str:
        """The id of the spec that defines the event."""
        return str(self.spec.doc.data["id"])

    @property
    def sources(self) -> tuple[str, ...]:
        """The specs the event comes from: its own, and the sequence for a sequence send."""
        return (self.spec_id, self.sequence.id) if self.sequence else (self.spec_id,)


def occurrences(event: Event) -> list[date | datetime]:
    """Every start of the event: one, or each occurrence of its recurrence."""
    if event.repeat is None or not isinstance(event.start, datetime):
        return [event.start]
    return list(_rule(event.repeat, event.start))


def occurs_on(event: Event, days: set[date]) -> set[date]:
    """Which of `days` the event takes place on (its recurrence walked lazily, only as far
    as the last of them)."""
    if not days:
        return set()
    if event.repeat is None or not isinstance(event.start, datetime):
        first = event.start.date() if isinstance(event.start, datetime) else event.start
        return days & {first}
    last = max(days)
    found = set()
    for moment in _rule(event.repeat, event.start):
        if moment.date() > last:
            break
        found.add(moment.date())
    return days & found


def starts(at: datetime, repeat: Repeat | None) -> list[datetime]:
    """Each start of a send at `at`: one, or each occurrence of its recurrence."""
    return [at] if repeat is None else list(_rule(repeat, at))


def _rule(repeat: Repeat, start: datetime) -> rrule:
    frequencies: dict[str, Literal[1, 2, 3]] = {
        "monthly": MONTHLY,
        "weekly": WEEKLY,
        "daily": DAILY,
    }
    frequency = frequencies[repeat.frequency]
    days = [
        _WEEKDAYS[d](repeat.position) if repeat.position else _WEEKDAYS[d] for d in repeat.weekdays
    ]
    until = None
    if repeat.until is not None:
        until = datetime.combine(repeat.until, time(23, 59, 59), start.tzinfo)
    return rrule(
        frequency,
        dtstart=start,
        interval=repeat.interval,
        byweekday=days or None,
        count=repeat.count,
        until=until,
    )


def moment_data(value: datetime) -> list[Any]:
    """An aware moment as plain data (what the rules collect per spec): its wall time,
    its zone's name and its fold, so that `moment` gives back the same zone (whose wall
    arithmetic across a DST change differs from a fixed offset's)."""
    if isinstance(value.tzinfo, ZoneInfo):
        return [value.replace(tzinfo=None).isoformat(), value.tzinfo.key, value.fold]
    return [value.isoformat(), None, value.fold]


def moment(data: list[Any]) -> datetime:
    """The moment `moment_data` made."""
    wall, zone, fold = data
    value = datetime.fromisoformat(str(wall)).replace(fold=int(fold))
    return value if zone is None else value.replace(tzinfo=ZoneInfo(str(zone)))


def starts_on_rule(event: Event) -> bool:
    """Whether the first start is itself an occurrence of the recurrence (RFC 5545 leaves
    a DTSTART off its rule to each client, and clients disagree)."""
    if event.repeat is None or not isinstance(event.start, datetime):
        return True
    first = next(iter(_rule(event.repeat, event.start)), None)
    return first == event.start


_WEEKDAYS = {"MO": MO, "TU": TU, "WE": WE, "TH": TH, "FR": FR, "SA": SA, "SU": SU}

SEND_LENGTH = timedelta(minutes=15)
"""How long a send is shown in a calendar: long enough to see, short enough not to hide others."""


EVENTS: Fact[list[Event]] = Fact("events")


def events(repo: Repository, alongside: Repository | None = None) -> list[Event]:
    """Every event, sorted by start (in UTC for timed events), then spec and key. With
    `alongside` (the other side of `campc diff`), a spec made from the same inputs there
    (its bytes, those of its related specs, and what every spec may read: what the
    build's cache keys its artifacts by) takes that repository's events instead of
    working them out again."""
    return repo.facts.get(EVENTS, lambda: _events(repo, alongside))


def _twins(repo: Repository, other: Repository) -> dict[str, list[Event]]:
    """Spec path -> the events `other` has for the spec at that path, for each spec of
    `repo` whose events are made from the same inputs in both."""
    from compiler.project import inputs

    if inputs.shared(repo) != inputs.shared(other):
        return {}
    theirs = {spec.path: spec for spec in other.specs}
    related, their_related = inputs.Related(repo), inputs.Related(other)
    made: dict[str, list[Event]] = {}
    for event in events(other):
        made.setdefault(event.spec.path, []).append(event)
    found: dict[str, list[Event]] = {}
    for spec in repo.specs:
        twin = theirs.get(spec.path)
        if twin is None or not spec.digest or twin.digest != spec.digest:
            continue
        mine = [(d.path, d.digest) for d in related.of(spec)]
        if mine == [(d.path, d.digest) for d in their_related.of(twin)] and all(d for _, d in mine):
            found[spec.path] = made.get(spec.path, [])
    return found


def _events(repo: Repository, alongside: Repository | None = None) -> list[Event]:
    twins = {} if alongside is None else _twins(repo, alongside)
    found: list[Event] = []
    sequences = {
        str(s.doc.data["id"]): s
        for s in repo.specs
        if s.kind == "sequence" and isinstance(s.model, Sequence)
    }
    experiment_owner: dict[str, list[str]] = {}
    for spec in repo.specs:
        if spec.kind == "campaign" and isinstance(spec.model, Campaign):
            twin = twins.get(spec.path)
            if twin is not None:
                found.extend(replace(event, spec=spec) for event in twin)
            else:
                found.extend(_campaign(repo, spec, spec.model, sequences))
            for experiment in spec.model.experiments:
                experiment_owner.setdefault(experiment, []).append(str(spec.model.id))
    for spec in repo.specs:
        if spec.kind == "experiment" and isinstance(spec.model, Experiment):
            twin = twins.get(spec.path)
            if twin is not None:
                found.extend(replace(event, spec=spec) for event in twin)
                continue
            found.extend(
                _experiment(
                    spec,
                    spec.model,
                    experiment_owner.get(spec.model.id, []),
                    planned(repo, spec.model, list_size(repo, spec.model)),
                )
            )
    return sorted(found, key=_order)


def _order(event: Event) -> tuple[str, str, str]:
    if isinstance(event.start, datetime):
        when = event.start.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M")
    else:
        when = event.start.isoformat() + "T00:00"
    return when, event.spec_id, event.key


def _local(value: datetime, timezone: str) -> datetime:
    return value.replace(tzinfo=ZoneInfo(timezone))


def _campaign(
    repo: Repository, spec: SpecFile, campaign: Campaign, sequences: dict[str, SpecFile]
) -> Iterator[Event]:
    tz = campaign.timezone
    own = (campaign.id,)
    yield Event(
        spec,
        "window",
        "window",
        campaign.name,
        campaign.window.start,
        campaign.window.end + timedelta(days=1),
        ("window",),
        campaigns=own,
    )
    for index, milestone in enumerate(campaign.milestones):
        loc = ("milestones", index)
        if isinstance(milestone.at, datetime):
            start = _local(milestone.at, tz)
            end = start + milestone.duration if milestone.duration else None
            yield Event(
                spec,
                f"milestone-{milestone.id}",
                "milestone",
                milestone.name,
                start,
                end,
                loc,
                timezone=tz,
                campaigns=own,
            )
        else:
            yield Event(
                spec,
                f"milestone-{milestone.id}",
                "milestone",
                milestone.name,
                milestone.at,
                milestone.at + timedelta(days=1),
                loc,
                campaigns=own,
            )
    for index, send in enumerate(campaign.sends):
        start = _local(send.at, tz)
        yield Event(
            spec,
            f"send-{send.id}",
            "send",
            send.name,
            start,
            start + SEND_LENGTH,
            ("sends", index),
            timezone=tz,
            repeat=send.repeat,
            channel=send.channel,
            audience=send.audience,
            campaigns=own,
        )
    for index, link in enumerate(campaign.sequences):
        target = sequences.get(link.id)
        if link.cohort_enters is None or target is None:
            continue
        assert isinstance(target.model, Sequence)
        entered = _local(link.cohort_enters, tz)
        audience = target.model.audience or (campaign.audiences[0] if campaign.audiences else None)
        found = repo.audience(audience or "")
        cohort = timing.clock(repo, target.model, found.timezone if found else tz, audience)
        earlier: dict[str, int] = {}
        for arrival in arrivals(target.model, entered, cohort):
            step = arrival.step
            start = arrival.at.astimezone(ZoneInfo(tz))
            earlier[step.id] = number = earlier.get(step.id, 0) + 1
            yield Event(
                spec,
                f"sequence-{link.id}-{step.id}" + (f"-{number}" if number > 1 else ""),
                "sequence-send",
                campaign.name,
                start,
                start + SEND_LENGTH,
                ("sequences", index, "cohort_enters"),
                timezone=tz,
                channel="email",
                audience=audience,
                campaigns=own,
                sequence=target.model,
                arrival=number,
                share=arrival.share,
                came=arrival.came.astimezone(ZoneInfo(tz)) if arrival.came else None,
                step=step.id,
            )


def _experiment(
    spec: SpecFile, experiment: Experiment, owners: list[str], made: ExperimentPlan | None
) -> Iterator[Event]:
    def day_event(
        key: str, kind: EventKind, first: date, last: date, run: tuple[int, int, str] | None = None
    ) -> Event:
        return Event(
            spec,
            key,
            kind,
            experiment.name,
            first,
            last + timedelta(days=1),
            ("start",),
            audience=experiment.audience,
            campaigns=tuple(owners),
            run=run,
        )

    planned = made
    if planned is None:  # the EXP rules report why no plan can be made
        yield day_event("run", "experiment", experiment.start, experiment.start)
        return
    run = (planned.run_days, planned.total, experiment.unit)
    yield day_event("run", "experiment", planned.start, planned.end, run)
    yield day_event("readout", "readout", planned.readout, planned.readout)
