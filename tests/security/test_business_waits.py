"""Waits that depend on the calendar cannot make a check, a build or `campc simulate`
run away: a loop of waits `at` a time of day (each under a day long), business days in
a calendar with no open day, and quiet hours that cover the whole day."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from compiler.analysis import simulate, timing
from compiler.model.sequence import Sequence, WaitStep
from tests.conftest import SEND, sequence_of

START = datetime(2027, 1, 4, 9, 0, tzinfo=ZoneInfo("Europe/Paris"))


def _loop(wait: dict[str, object]) -> Sequence:
    return sequence_of(
        [
            {"id": "nudge", "type": "send", "email": SEND},
            {"id": "pause", "type": "wait", **wait},
            {
                "id": "again",
                "type": "branch",
                "condition": {"event": "email_clicked"},
                "rate": 0.0,
                "then": "done",
                "else": "nudge",
            },
            {"id": "done", "type": "exit"},
        ],
        quiet_hours={"start": "00:00", "end": "23:59"},
    )


def test_a_loop_of_short_calendar_waits_ends_at_the_horizon() -> None:
    waits: list[dict[str, object]] = [
        {"at": "00:01"},
        {"business_days": 0, "at": "23:58"},
        {"business_days": 60},
    ]
    for wait in waits:
        sequence = _loop(wait)
        clock = timing.clock(None, sequence, "Europe/Paris")
        found = simulate.arrivals(sequence, START, clock)
        assert found
        assert found[-1].at - START <= simulate.ARRIVAL_HORIZON
        assert len(found) <= simulate.ARRIVAL_HORIZON.days + 1
        walked = simulate.run(sequence, 5, 0, START, clock)
        assert all(len(c.timeline) <= simulate.MAX_STEPS for c in walked.contacts)


def test_a_calendar_closed_every_day_ends_the_search_instead_of_looping() -> None:
    closed_always = timing.Clock(ZoneInfo("UTC"), lambda _: "closed", (time(1), time(2)))
    wait = WaitStep(id="w", type="wait", business_days=60)
    ended = closed_always.after(START, wait)
    assert (ended - START).days == 60 * timing.MAX_SEARCH
