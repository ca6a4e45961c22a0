"""Calendar back-end: golden files, and three parsers agreeing on every occurrence in UTC."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import recurring_ical_events
from icalendar import Calendar, vDDDTypes

from tests.conftest import ROOT, client_missing, real_client
from tests.golden_build import assert_tree_matches_golden, build_fixture

JS = ROOT / "tests" / "js"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("calendar") / "out"
    build_fixture("calendar-repo", out)
    return out


def test_calendar_golden_files(built: Path) -> None:
    assert_tree_matches_golden("calendar-repo", built)


def _calendars(folder: Path) -> list[Path]:
    return sorted((folder / "calendar").glob("*.ics"))


def _python_starts(path: Path) -> dict[str, list[str]]:
    calendar = Calendar.from_ical(path.read_bytes())
    starts: dict[str, list[str]] = {}
    for event in recurring_ical_events.of(calendar).between(date(2000, 1, 1), date(2100, 1, 1)):
        value = event["DTSTART"].dt
        shown = (
            value.isoformat()
            if not isinstance(value, datetime)
            else (value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"))
        )
        starts.setdefault(str(event["UID"]), []).append(shown)
    return {uid: sorted(times) for uid, times in starts.items()}


def _icaljs_starts(path: Path) -> dict[str, list[str]]:
    node = real_client("node", install="apt-get install nodejs npm (or `nox -s tests`)")
    if not (JS / "node_modules" / "ical.js").is_dir():
        client_missing("ical.js is not installed: npm ci --prefix tests/js (or `nox -s tests`)")
    output = subprocess.run(
        [node, str(JS / "ics_times.mjs"), str(path)], check=True, capture_output=True, text=True
    ).stdout
    return {e["uid"]: sorted(e["starts"]) for e in json.loads(output)}


def test_known_offsets_in_summer_and_winter(built: Path) -> None:
    starts = _python_starts(built / "calendar" / "all.ics")
    # Berlin 12:00 in July is 10:00Z (CEST), the case a RDATE-style VTIMEZONE gets wrong
    assert starts["berlin-summer-launch/milestone-launch-event@calendar.test"] == [
        "2027-07-14T10:00:00.000Z"
    ]
    # New York 09:00 in January is 14:00Z (EST); the last-Friday recap crosses the March change
    assert starts["new-york-winter-campaign/send-kickoff@calendar.test"] == [
        "2027-01-05T14:00:00.000Z"
    ]
    assert starts["new-york-winter-campaign/send-monthly-last-friday@calendar.test"] == [
        "2027-01-29T21:00:00.000Z",
        "2027-02-26T21:00:00.000Z",
        "2027-03-26T20:00:00.000Z",
    ]
    # Kolkata has no DST: +05:30 all year
    assert starts["india-webinar/milestone-webinar@calendar.test"] == ["2027-02-10T09:30:00.000Z"]
    # the sequence cohort: entry at 14:30, then 1d12h later the branch's send would come at
    # 02:30 Berlin, inside the default quiet hours 21:00-08:00: held until 08:00 (06:00Z)
    assert starts["berlin-summer-launch/sequence-welcome-drip-nudge@calendar.test"] == [
        "2027-07-16T06:00:00.000Z"
    ]


@pytest.mark.parametrize("example", [False, True], ids=["fixture", "example-repository"])
def test_icalendar_recurring_ical_events_and_icaljs_agree(built: Path, example: bool) -> None:
    folder = ROOT / "outputs" if example else built
    for path in _calendars(folder):
        assert _python_starts(path) == _icaljs_starts(path), path.name


def test_vtimezones_use_yearly_rules_not_rdate_lists(built: Path) -> None:
    text = (built / "calendar" / "all.ics").read_text()
    assert "RDATE" not in text
    assert text.count("RRULE:FREQ=YEARLY") == 4  # two zones with DST, two rules each
    assert "TZID:Asia/Kolkata" in text


def test_uids_are_stable_and_unique(built: Path) -> None:
    calendar = Calendar.from_ical((built / "calendar" / "all.ics").read_bytes())
    uids = [str(e["UID"]) for e in calendar.walk("VEVENT")]
    assert len(uids) == len(set(uids))
    assert all(uid.endswith("@calendar.test") for uid in uids)


def test_dtstamp_is_not_the_clock(built: Path) -> None:
    calendar = Calendar.from_ical((built / "calendar" / "all.ics").read_bytes())
    stamps: set[datetime] = set()
    for event in calendar.walk("VEVENT"):
        stamp = event["DTSTAMP"]
        assert isinstance(stamp, vDDDTypes)
        assert isinstance(stamp.dt, datetime)
        stamps.add(stamp.dt)
    assert max(stamps) < datetime(2028, 1, 1, tzinfo=UTC)
