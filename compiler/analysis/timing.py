"""When a sequence's wait ends and when its send goes out, in the contact's local time.

A wait is a fixed `duration` (wall-clock arithmetic: `1d` keeps the time of day across a
DST change), or `business_days` and/or `at`: business days skip weekends and the public
holidays of the audience's markets (a day closed in any of them), `at` sets the time of
day the wait ends. Quiet hours then decide each send: outside them it goes out as it
comes; inside them `defer` holds it, and the contact with it, until they end, and `skip`
drops it and lets the contact walk on at once.

`Clock` does this for a contact whose entry moment is known (`campc simulate`, a cohort in
the calendar). Where only the path is known (the QA plan, the SEQ rules), `least` gives a
wait's shortest length and `words` says it: in English for the SEQ findings, in the
repository's `[tool.campc] locale` on the sequence pages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

from compiler.analysis.closures import holiday, parse_market
from compiler.conventions.holidays import UnknownMarket
from compiler.model.audience import Market
from compiler.model.sequence import Sequence, WaitStep
from compiler.text.labels import Labels, _, labels

if TYPE_CHECKING:
    from compiler.project.repository import Repository

Action = Literal["defer", "skip"]
MAX_SEARCH = 400
"""Days looked ahead for a business day (a market closed longer is not one)."""


def in_quiet(moment: time, start: time, end: time) -> bool:
    """Whether a local time falls in quiet hours that may wrap past midnight."""
    if start <= end:
        return start <= moment < end
    return moment >= start or moment < end


@dataclass(frozen=True)
class Clock:
    """One contact's local time: its zone, its closed days, its quiet hours."""

    zone: ZoneInfo
    closed: Callable[[date], str | None]
    """Why a day is not a business day (`Saturday`, a holiday's name), or None."""
    quiet: tuple[time, time] | None = None
    action: Action = "defer"

    def after(self, moment: datetime, step: WaitStep) -> datetime:
        """When a wait entered at `moment` ends."""
        local = moment.astimezone(self.zone)
        if step.duration is not None:
            return local + step.duration
        day, clock = local.date(), step.at or local.time()
        if step.business_days is None:  # `at` alone: the next time the clock shows it
            if clock <= local.time():
                day += timedelta(days=1)
        elif step.business_days == 0:
            if self.closed(day) or clock <= local.time():
                day = self._next_open(day)
        else:
            for _day in range(step.business_days):
                day = self._next_open(day)
        return datetime.combine(day, clock, self.zone)

    def release(self, moment: datetime) -> datetime | None:
        """When a send that comes at `moment` goes out: then, at the end of the quiet hours
        it falls in (`defer`), or never (`skip`: None)."""
        local = moment.astimezone(self.zone)
        if self.quiet is None or not in_quiet(local.time(), *self.quiet):
            return local
        if self.action == "skip":
            return None
        end = self.quiet[1]
        day = local.date() if end > local.time() else local.date() + timedelta(days=1)
        return datetime.combine(day, end, self.zone)

    def _next_open(self, day: date) -> date:
        for _day in range(MAX_SEARCH):
            day += timedelta(days=1)
            if self.closed(day) is None:
                return day
        return day


def quiet_hours(
    repo: Repository | None, sequence: Sequence
) -> tuple[tuple[time, time] | None, Action]:
    """A sequence's quiet hours and what they do to a send: its own, else the project's
    `[tool.campc.calendar] quiet-hours` and `quiet-hours-action`."""
    own = sequence.quiet_hours
    policy = repo.policy.calendar if repo is not None else None
    default: Action = policy.quiet_hours_action if policy is not None else "defer"
    if own is not None:
        return (own.start, own.end), own.action or default
    return (policy.quiet_hours if policy is not None else None), default


def markets(
    repo: Repository | None, sequence: Sequence, audience: str | None = None
) -> list[Market]:
    """Whose public holidays close a day for a sequence's contacts: its audience's markets
    (`audience`'s when the sequence names none), else `[tool.campc.calendar] markets`."""
    if repo is None:
        return []
    found = repo.audience(sequence.audience or audience or "")
    if found is not None and found.markets:
        return list(found.markets)
    return [parse_market(m) for m in repo.policy.calendar.markets]


def clock(
    repo: Repository | None, sequence: Sequence, zone: str, audience: str | None = None
) -> Clock:
    """The clock of a contact of `sequence` in `zone` (the quiet hours' own timezone when
    they name one), with `markets` and `quiet_hours`."""
    closing = markets(repo, sequence, audience)
    hours, action = quiet_hours(repo, sequence)
    if sequence.quiet_hours is not None:
        zone = sequence.quiet_hours.timezone or zone

    def closed(day: date) -> str | None:
        if day.weekday() >= 5:
            return ("Saturday", "Sunday")[day.weekday() - 5]
        for market in closing:
            try:
                name = holiday(market, day, repo)
            except UnknownMarket:  # CAL003 reports it; its days count as open
                continue
            if name is not None:
                return name
        return None

    return Clock(ZoneInfo(zone), closed, hours, action)


def least(step: WaitStep) -> timedelta:
    """The shortest a wait can be, whenever it starts: its duration; a business day is
    at least a day, a wait ending `at` a time may end at once (or, after N business
    days, N - 1 days and a minute later)."""
    if step.duration is not None:
        return step.duration
    days = step.business_days or 0
    if step.at is None:
        return timedelta(days=days)
    return timedelta(days=max(days - 1, 0))


def exact(step: WaitStep) -> bool:
    """Whether the wait is the same length whenever it starts (a duration)."""
    return step.duration is not None


def words(step: WaitStep, words: Labels | None = None) -> str:
    """The wait in a steps table: `wait 2 days`, `wait 3 business days`, `wait until the
    next business day at 09:00`, `wait until 09:00` (English unless `words` says another
    locale, for the sequence pages)."""
    words = words or labels()
    at = f"{step.at:%H:%M}" if step.at is not None else ""
    if step.duration is not None:
        return words(_("wait {duration}"), duration=words.duration(step.duration))
    if step.business_days is None:
        return words(_("wait until {time}"), time=at)
    days = words.count(step.business_days, _("{n} business day"), _("{n} business days"))
    if step.at is None:
        return words(_("wait {duration}"), duration=days)
    if step.business_days == 0:
        return words(_("wait until {time} on a business day"), time=at)
    if step.business_days == 1:
        return words(_("wait until the next business day at {time}"), time=at)
    return words(_("wait {days}, until {time}"), days=days, time=at)


def later(step: WaitStep, words: Labels | None = None) -> str:
    """When a wait that depends on its start ends, after what came before it: `3
    business days later at 10:00`, `the next business day at 09:00`, `at the next 09:00`
    (in `words`' locale, English by default)."""
    words = words or labels()
    if step.duration is not None:
        return f"+{words.duration(step.duration)}"
    at = f"{step.at:%H:%M}" if step.at is not None else ""
    if step.business_days is None:
        return words(_("at the next {time}"), time=at)
    if step.business_days == 0:
        return words(_("at {time} on a business day"), time=at)
    if step.business_days == 1 and at:
        return words(_("the next business day at {time}"), time=at)
    days = words.count(step.business_days, _("{n} business day"), _("{n} business days"))
    if at:
        return words(_("{days} later at {time}"), days=days, time=at)
    return words(_("{days} later"), days=days)


def most_within(moments: list[datetime], window: timedelta) -> int:
    """The most of `moments` (sorted) that fall within any `window`: what one contact
    gets in a frequency cap's window, or a persona in 24 hours."""
    most, first = 0, 0
    for last, at in enumerate(moments):
        while moments[first] <= at - window:
            first += 1
        most = max(most, last - first + 1)
    return most
