"""Business-day waits and quiet hours, against outside oracles: numpy's business-day
calendar (`busday_offset`) for the day a wait ends, the `holidays` package's own tables
for the closed days, and plain clock arithmetic for quiet hours."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from compiler.analysis import timing
from compiler.model.sequence import WaitStep
from tests.conftest import sequence_of

PARIS = ZoneInfo("Europe/Paris")
SEND = {"template": "a.html", "subject": "Hi"}


def _closed_in(*countries: str) -> timing.Clock:
    tables = [holidays.country_holidays(c, years=range(2026, 2030)) for c in countries]

    def closed(day: date) -> str | None:
        if day.weekday() >= 5:
            return "weekend"
        return next((t.get(day) for t in tables if day in t), None)

    return timing.Clock(PARIS, closed)


def _wait(**fields: object) -> WaitStep:
    return WaitStep.model_validate({"id": "w", "type": "wait", **fields})


def _hhmm(at: time | None) -> str | None:
    return None if at is None else f"{at:%H:%M}"


def _busdays(*countries: str) -> list[np.datetime64]:
    days = set()
    for country in countries:
        days |= set(holidays.country_holidays(country, years=range(2026, 2030)))
    return [np.datetime64(d) for d in sorted(days)]


@settings(max_examples=300, deadline=None)
@given(
    day=st.dates(date(2026, 1, 1), date(2028, 12, 1)),
    minute=st.integers(0, 24 * 60 - 1),
    count=st.integers(1, 15),
    at=st.none() | st.integers(0, 24 * 60 - 1).map(lambda m: time(m // 60, m % 60)),
)
def test_business_days_land_where_numpy_busday_offset_says(
    day: date, minute: int, count: int, at: time | None
) -> None:
    clock = _closed_in("FR", "GB")
    entered = datetime.combine(day, time(minute // 60, minute % 60), PARIS)
    wait = _wait(business_days=count, at=_hhmm(at))
    ended = clock.after(entered, wait)
    # numpy: roll a closed day back to the business day before, then count on
    expected = np.busday_offset(
        np.datetime64(day), count, roll="backward", holidays=_busdays("FR", "GB")
    )
    assert ended.date() == expected.astype(date)
    assert ended.time() == (at or entered.time())
    assert ended - entered >= timing.least(wait)


@settings(max_examples=200, deadline=None)
@given(
    day=st.dates(date(2026, 1, 1), date(2028, 12, 1)),
    minute=st.integers(0, 24 * 60 - 1),
    at=st.integers(0, 24 * 60 - 1).map(lambda m: time(m // 60, m % 60)),
)
def test_a_wait_until_a_time_on_a_business_day_is_the_first_such_moment_ahead(
    day: date, minute: int, at: time
) -> None:
    clock = _closed_in("DE")
    entered = datetime.combine(day, time(minute // 60, minute % 60), PARIS)
    ended = clock.after(entered, _wait(business_days=0, at=_hhmm(at)))
    # the first moment after entry, walking minute by minute over the days, that is `at`
    # on an open day
    candidates = [
        datetime.combine(day + timedelta(days=n), at, PARIS)
        for n in range(0, 12)
        if clock.closed(day + timedelta(days=n)) is None
    ]
    assert ended == next(c for c in candidates if c > entered)
    alone = clock.after(entered, _wait(at=_hhmm(at)))
    assert timedelta(0) < alone - entered <= timedelta(days=1)
    assert alone.time() == at


def test_a_known_bank_holiday_and_weekend_are_skipped() -> None:
    clock = _closed_in("FR", "DE", "GB")
    friday = datetime(2027, 5, 28, 9, 0, tzinfo=PARIS)
    # Monday 31 May 2027 is the UK's Spring bank holiday
    assert clock.after(friday, _wait(business_days=1)) == datetime(2027, 6, 1, 9, 0, tzinfo=PARIS)
    three = clock.after(friday, _wait(business_days=3, at="10:00"))
    assert three == datetime(2027, 6, 3, 10, 0, tzinfo=PARIS)


def test_a_fixed_wait_keeps_the_wall_clock_across_a_dst_change() -> None:
    clock = _closed_in("FR")
    before = datetime(2027, 3, 27, 9, 0, tzinfo=PARIS)  # the night of 28 March moves to +02:00
    assert clock.after(before, _wait(duration="1d")) == datetime(2027, 3, 28, 9, 0, tzinfo=PARIS)


@pytest.mark.parametrize(
    ("at", "held"),
    [
        ("2027-05-28T22:00", "2027-05-29T08:00"),  # evening: to the next morning
        ("2027-05-29T03:15", "2027-05-29T08:00"),  # after midnight: to the same morning
        ("2027-05-29T08:00", None),  # the end of quiet hours is outside them
        ("2027-05-28T19:59", None),
    ],
)
def test_quiet_hours_defer_to_their_end(at: str, held: str | None) -> None:
    clock = timing.Clock(PARIS, lambda _: None, (time(20), time(8)), "defer")
    moment = datetime.fromisoformat(at).replace(tzinfo=PARIS)
    out = clock.release(moment)
    assert out == (datetime.fromisoformat(held).replace(tzinfo=PARIS) if held else moment)
    skipping = timing.Clock(PARIS, lambda _: None, (time(20), time(8)), "skip")
    assert skipping.release(moment) == (None if held else moment)


def test_the_clock_takes_the_sequences_quiet_hours_and_action() -> None:
    sequence = sequence_of(
        [{"id": "a", "type": "send", "email": SEND}],
        quiet_hours={"start": "21:00", "end": "07:30", "timezone": "Asia/Tokyo", "action": "skip"},
    )
    clock = timing.clock(None, sequence, "Europe/Paris")
    assert (clock.zone.key, clock.quiet, clock.action) == (
        "Asia/Tokyo",
        (time(21), time(7, 30)),
        "skip",
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"duration": "1d", "business_days": 2}, "a wait has a `duration`, or `business_days`"),
        ({}, "a wait has a `duration`, or `business_days`"),
        ({"business_days": 0}, "`business_days: 0` needs an `at` time"),
        ({"business_days": 61}, "less than or equal to 60"),
        ({"at": "25:00"}, "a time of day"),
    ],
)
def test_a_wait_says_what_is_wrong(fields: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        _wait(**fields)


def test_waits_in_words() -> None:
    assert timing.words(_wait(duration="2d")) == "wait 2 days"
    assert timing.words(_wait(business_days=3)) == "wait 3 business days"
    assert timing.words(_wait(business_days=1, at="09:00")) == (
        "wait until the next business day at 09:00"
    )
    assert timing.words(_wait(business_days=0, at="09:00")) == "wait until 09:00 on a business day"
    assert timing.words(_wait(at="09:00")) == "wait until 09:00"
    assert timing.later(_wait(business_days=2, at="10:00")) == "2 business days later at 10:00"
