"""A recurrence cannot make a check walk forever: `until: 9999-12-31` on a daily send
was 182 s of `campc check` (every occurrence was expanded for the calendar, the caps and
the closed days). A rule has at most 1,000 occurrences, counted from the calendar
alone, and the count is an upper bound of what dateutil's rrule expands."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from compiler.analysis.schedule import starts
from compiler.model.campaign import MAX_OCCURRENCES, Repeat
from tests.conftest import CliRun

WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


@settings(max_examples=300, deadline=None)
@given(
    frequency=st.sampled_from(["daily", "weekly", "monthly"]),
    interval=st.integers(1, 4),
    weekdays=st.lists(st.sampled_from(WEEKDAYS), unique=True, max_size=3),
    position=st.none() | st.sampled_from([1, 2, -1]),
    start=st.dates(date(2027, 1, 1), date(2027, 12, 31)),
    length=st.integers(0, 900),
)
def test_the_bound_is_never_below_what_rrule_expands(
    frequency: str,
    interval: int,
    weekdays: list[str],
    position: int | None,
    start: date,
    length: int,
) -> None:
    if position is not None and not weekdays:
        position = None
    repeat = Repeat.model_validate(
        {
            "frequency": frequency,
            "interval": interval,
            "weekdays": weekdays,
            "position": position,
            "until": (start + timedelta(days=length)).isoformat(),
        }
    )
    at = datetime.combine(start, datetime.min.time().replace(hour=9), ZoneInfo("Europe/Paris"))
    assert len(starts(at, repeat)) <= repeat.most(start)


def test_a_recurrence_into_year_9999_is_one_schema_finding(tmp_path: Path, campc: CliRun) -> None:
    (tmp_path / "campaigns" / "acquisition").mkdir(parents=True)
    (tmp_path / "pyproject.toml").write_text('[tool.campc]\ncampaigns = "campaigns"\n')
    (tmp_path / "campaigns" / "acquisition" / "forever.yaml").write_text(
        "kind: campaign\nid: forever\nname: Forever\ndomain: acquisition\n"
        "owner: ops@acme.example\ntimezone: Europe/Paris\n"
        "window: {start: 2027-04-01, end: 2027-06-30}\n"
        "sends:\n  - id: daily\n    name: Daily\n    channel: sms\n    audience: all\n"
        "    at: 2027-04-01T09:00\n    repeat: {frequency: daily, until: 9999-12-31}\n"
    )
    run = campc("check", cwd=tmp_path)
    assert run.exit_code == 1
    assert f"a recurrence has at most {MAX_OCCURRENCES:,} occurrences" in run.stdout
    assert "Traceback" not in run.stdout + run.stderr
