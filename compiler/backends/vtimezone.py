"""VTIMEZONE components in the yearly-RRULE form every calendar client reads.

icalendar's own generator lists each transition as an RDATE, which at least one
widely used client parser misreads. Here the transitions of the years in use are
read from the tz database (zoneinfo) and, where every year follows one rule
("last Sunday of March at 02:00"), written as that rule; otherwise each
transition becomes a component of its own, which is just as valid.
"""

from __future__ import annotations

import calendar as month_calendar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard, vRecur

_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class Transition:
    """A change of UTC offset: the local wall time it happens at (in the old offset)."""

    onset: datetime
    offset_from: timedelta
    offset_to: timedelta
    is_dst: bool
    name: str


@lru_cache(maxsize=256)
def transitions(tzid: str, first_year: int, last_year: int) -> tuple[Transition, ...]:
    """Every offset change of `tzid` from 1 January of `first_year` to the end of `last_year`.

    Callers start a year before their first event, so that the event follows an onset."""
    zone = ZoneInfo(tzid)
    start = datetime(first_year, 1, 1, tzinfo=UTC)
    end = datetime(last_year + 1, 1, 1, tzinfo=UTC)
    found: list[Transition] = []
    moment = start
    step = timedelta(days=1)
    while moment < end:
        later = moment + step
        before = moment.astimezone(zone).utcoffset()
        after = later.astimezone(zone).utcoffset()
        if before != after:
            low, high = int(moment.timestamp()), int(later.timestamp())
            while high - low > 1:  # the last second in the old offset, the first in the new
                middle = (low + high) // 2
                if datetime.fromtimestamp(middle, zone).utcoffset() == before:
                    low = middle
                else:
                    high = middle
            changed = datetime.fromtimestamp(high, zone)
            high_utc = datetime.fromtimestamp(high, UTC)
            assert before is not None
            assert after is not None
            found.append(
                Transition(
                    onset=(high_utc + before).replace(tzinfo=None),
                    offset_from=before,
                    offset_to=after,
                    is_dst=bool(changed.dst()),
                    name=changed.tzname() or tzid,
                )
            )
        moment = later
    return tuple(found)


def _byday(onset: datetime) -> str:
    days_in_month = month_calendar.monthrange(onset.year, onset.month)[1]
    week = -1 if onset.day + 7 > days_in_month else (onset.day - 1) // 7 + 1
    return f"{week}{_WEEKDAYS[onset.weekday()]}"


def _rule_key(t: Transition) -> tuple[object, ...]:
    return (t.is_dst, t.onset.month, _byday(t.onset), t.onset.time(), t.offset_from, t.offset_to)


@lru_cache(maxsize=256)
def vtimezone(tzid: str, first_year: int, last_year: int) -> Timezone:
    """The VTIMEZONE of `tzid`, valid for the given years. Made once per zone and years
    and shared by every calendar that needs it (a build writes one per campaign; nothing
    changes a component once made)."""
    component = Timezone()
    component.add("tzid", tzid)
    changes = transitions(tzid, first_year, last_year)
    if not changes:
        offset = datetime(first_year, 7, 1, tzinfo=ZoneInfo(tzid)).utcoffset() or timedelta(0)
        name = datetime(first_year, 7, 1, tzinfo=ZoneInfo(tzid)).tzname() or tzid
        standard = TimezoneStandard()
        standard.add("dtstart", datetime(1970, 1, 1))
        standard.add("tzoffsetfrom", offset)
        standard.add("tzoffsetto", offset)
        standard.add("tzname", name)
        component.add_component(standard)
        return component
    groups: dict[tuple[object, ...], list[Transition]] = {}
    for change in changes:
        groups.setdefault(_rule_key(change), []).append(change)
    yearly = all(
        len({t.onset.year for t in group}) == len(group)
        and len(group) == last_year - first_year + 1
        for group in groups.values()
    )
    for group in groups.values() if yearly else [[c] for c in changes]:
        first = group[0]
        part = TimezoneDaylight() if first.is_dst else TimezoneStandard()
        part.add("dtstart", first.onset)
        if yearly:
            part.add(
                "rrule",
                vRecur(
                    {"FREQ": "YEARLY", "BYMONTH": first.onset.month, "BYDAY": _byday(first.onset)}
                ),
            )
        part.add("tzoffsetfrom", first.offset_from)
        part.add("tzoffsetto", first.offset_to)
        part.add("tzname", first.name)
        component.add_component(part)
    return component
