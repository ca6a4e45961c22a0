"""The quarter at a glance: every dated event of the specs (`schedule.events`, what the
calendar holds), with the blackouts and public holidays of each audience's markets, laid
out per calendar quarter and per audience: a row per audience and spec."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from compiler.analysis.closures import holidays_between
from compiler.analysis.schedule import Event, events, occurrences
from compiler.conventions.holidays import UnknownMarket
from compiler.model.audience import Market
from compiler.model.blackouts import Blackouts
from compiler.model.campaign import Campaign
from compiler.project.repository import Repository
from compiler.text.labels import Labels, _

KINDS = {
    "window": _("Campaign window"),
    "milestone": _("Milestone"),
    "send": _("Send"),
    "sequence-send": _("Sequence send"),
    "experiment": _("Experiment run"),
    "readout": _("Experiment readout"),
    "blackout": _("Blackout"),
    "holiday": _("Public holiday"),
}
"""What each kind of entry is called in the legend and the tables (legend order)."""
SPANS = frozenset({"window", "experiment"})
"""The kinds drawn as bars over their days; the others are marks on one day."""


@dataclass(frozen=True)
class Entry:
    """One thing on the timeline: days `first` to `last` (included), on a row."""

    first: date
    last: date
    kind: str
    what: str
    row: tuple[str, str, str]
    """(audience, name, spec id) of the row it is drawn on: the audience's row of the
    campaign or experiment, or of the sequence for a sequence send."""


@dataclass
class Quarter:
    """One calendar quarter with something in it."""

    name: str
    first: date
    last: date
    entries: list[Entry] = field(default_factory=list)
    closed: list[Entry] = field(default_factory=list)
    """Blackouts and public holidays on the rows' audiences, one entry per day range."""

    @property
    def rows(self) -> list[tuple[str, str, str]]:
        """The rows, by audience then name."""
        return sorted({e.row for e in self.entries})


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def _span(event: Event) -> tuple[date, date]:
    first = _day(event.start)
    if event.kind in SPANS and event.end is not None:
        return first, max(first, _day(event.end) - timedelta(days=1))
    return first, first


def _audiences(event: Event) -> list[str]:
    model = event.spec.model
    if event.audience is not None:
        return [event.audience]
    if isinstance(model, Campaign) and model.audiences:
        return list(model.audiences)
    return [""]


def _row(event: Event, audience: str) -> tuple[str, str, str]:
    """The row of an event: its sequence's for a sequence send (the cohort's campaign is
    in its title), else its spec's."""
    if event.sequence is not None:
        return (audience, event.sequence.name, event.sequence.id)
    name = getattr(event.spec.model, "name", None)
    return (audience, str(name) if name else event.spec_id, event.spec_id)


def _days(event: Event) -> list[tuple[date, date]]:
    """Each occurrence's days: a repeating send's every occurrence (the calendar's RRULE,
    walked), a span's first and last day, else its one day."""
    if event.kind in SPANS:
        return [_span(event)]
    return [(_day(start), _day(start)) for start in occurrences(event)]


def quarter_of(day: date) -> tuple[int, int]:
    """(year, quarter number) of a day."""
    return day.year, (day.month - 1) // 3 + 1


def _bounds(year: int, number: int) -> tuple[date, date]:
    first = date(year, 3 * (number - 1) + 1, 1)
    following = date(year + (number == 4), 1 if number == 4 else 3 * number + 1, 1)
    return first, following - timedelta(days=1)


def quarters(repo: Repository, words: Labels) -> list[Quarter]:
    """Every quarter an event falls in, in order, with its entries clipped to it."""
    found: dict[tuple[int, int], Quarter] = {}
    for event in events(repo):
        what = event.summary_in(words)
        for (first, last), audience in itertools.product(_days(event), _audiences(event)):
            entry_row = _row(event, audience)
            year, number = quarter_of(first)
            while (year, number) <= quarter_of(last):
                start, end = _bounds(year, number)
                here = found.get((year, number))
                if here is None:
                    here = found[(year, number)] = Quarter(f"{year}-Q{number}", start, end)
                clipped = Entry(max(first, start), min(last, end), event.kind, what, entry_row)
                here.entries.append(clipped)
                year, number = (year + 1, 1) if number == 4 else (year, number + 1)
    ordered = [found[key] for key in sorted(found)]
    for period in ordered:
        period.entries.sort(key=lambda e: (e.first, e.row, e.kind, e.what))
        period.closed = _closed(repo, period, words)
    return ordered


def _closed(repo: Repository, period: Quarter, words: Labels) -> list[Entry]:
    """Each row audience's closed days in the quarter: its markets' declared blackouts
    (every market's, for rows without an audience) and their public holidays."""
    windows = [
        window
        for file in repo.registries
        if isinstance(file.model, Blackouts)
        for window in file.model.blackouts
        if window.start <= period.last and window.end >= period.first
    ]
    closed: set[Entry] = set()
    for audience in sorted({row[0] for row in period.rows}):
        declared = repo.audience(audience) if audience else None
        markets = list(declared.markets) if declared else []
        countries = {m.country for m in markets}
        for window in windows:  # as `closures.blackout` applies them
            if not window.markets or countries & set(window.markets):
                first, last = max(window.start, period.first), min(window.end, period.last)
                closed.add(Entry(first, last, "blackout", window.name, (audience, "", "")))
        for market in markets:
            for day, named in _holidays(repo, market, period):
                shown = words(_("{holiday} ({market})"), holiday=named, market=_code(market))
                closed.add(Entry(day, day, "holiday", shown, (audience, "", "")))
    return sorted(closed, key=lambda e: (e.first, e.row, e.kind, e.what))


def _holidays(repo: Repository, market: Market, period: Quarter) -> list[tuple[date, str]]:
    """The quarter's public holidays in `market` (none for a market the holidays package
    does not know, which CAL003 reports)."""
    try:
        return holidays_between(market, period.first, period.last, repo)
    except UnknownMarket:
        return []


def _code(market: Market) -> str:
    return f"{market.country}-{market.subdivision}" if market.subdivision else market.country
