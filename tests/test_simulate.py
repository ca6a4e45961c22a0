"""`campc simulate`: seeded, faithful to the declared rates, bounded on endless loops."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from compiler.analysis import simulate, timing
from compiler.commands import pipeline
from compiler.load import repository
from compiler.model.sequence import Sequence
from compiler.project.repository import Repository
from tests.conftest import ROOT, SEND, CliRun, sequence_of


def _example() -> Repository:
    current = pipeline.settings_for(ROOT)
    repo, _ = repository.load(current.campaigns.resolve(), str, current.policy)
    return repo


def _sequence(sequence_id: str) -> Sequence:
    return next(
        s.model
        for s in _example().specs
        if isinstance(s.model, Sequence) and s.model.id == sequence_id
    )


def _clock(sequence: Sequence) -> timing.Clock:
    """The example's clock for the sequence's audience (Paris; FR, DE and GB holidays)."""
    repo = _example()
    audience = repo.audience(sequence.audience or "")
    assert audience is not None
    return timing.clock(repo, sequence, audience.timezone)


START = datetime(2027, 5, 28, 9, 0, tzinfo=ZoneInfo("Europe/Paris"))  # a Friday


def test_same_seed_same_report_and_another_seed_another() -> None:
    sequence = _sequence("webinar-follow-up")
    first = simulate.run(sequence, 200, 1, START).as_data()
    assert first == simulate.run(sequence, 200, 1, START).as_data()
    assert first["timelines"] != simulate.run(sequence, 200, 2, START).as_data()["timelines"]


def test_path_shares_and_conversions_follow_the_declared_rates() -> None:
    data = simulate.run(_sequence("webinar-follow-up"), 6000, 3, START).as_data()
    shares = {row["path"]: row["share"] for row in data["paths"]}
    assert abs(shares["attended=yes"] - 0.45) < 0.02
    assert abs(shares["attended=no > watched-replay=yes"] - 0.55 * 0.3) < 0.02
    # the goal is reached on two of the three paths, then converts at 12%
    expected = (0.45 + 0.55 * 0.3) * 0.12
    assert abs(data["conversion_rate"] - expected) < 0.015
    assert data["assumed_rates"] == []
    assert data["contacts_over_cap"] == 0


def test_timelines_follow_the_waits() -> None:
    sequence = _sequence("webinar-follow-up")
    data = simulate.run(sequence, 50, 4, START, _clock(sequence)).as_data()
    for timeline in data["timelines"]:
        sends = [(e["at"], e["step"]) for e in timeline["events"] if e["what"] == "send"]
        if sends[0][1] == "replay-attendee":
            # 3 business days until 10:00 from Friday: Monday 31 May is a UK bank holiday,
            # so Tuesday, Wednesday, Thursday
            assert sends[1] == ("2027-06-03T10:00:00+02:00", "demo-offer")
        else:
            assert sends[0] == ("2027-05-28T09:00:00+02:00", "replay-no-show")
            assert len(sends) == 1 or sends[1] == ("2027-06-02T09:00:00+02:00", "demo-offer")


def _late_sequence(action: str | None) -> Sequence:
    quiet = {"start": "20:00", "end": "08:00", **({"action": action} if action else {})}
    return sequence_of(
        [
            {"id": "welcome", "type": "send", "email": SEND},
            {"id": "pause", "type": "wait", "duration": "13h"},
            {"id": "late", "type": "send", "email": SEND},
            {"id": "after", "type": "wait", "duration": "1h"},
            {"id": "last", "type": "send", "email": SEND},
        ],
        quiet_hours=quiet,
    )


def test_quiet_hours_hold_a_send_and_the_contact_or_skip_it() -> None:
    """The issue's case: a send coming at 22:00 inside 20:00-08:00 went out at 22:00
    without a word. Deferred, it goes out at 08:00 and the wait after it starts then;
    skipped, it is not sent and the contact walks on at once."""
    clock = timing.clock(None, _late_sequence(None), "Europe/Paris")
    held = simulate.run(_late_sequence(None), 1, 0, START, clock)
    assert [(m.isoformat(), s, w) for m, s, w in held.contacts[0].timeline] == [
        ("2027-05-28T09:00:00+02:00", "welcome", "send"),
        ("2027-05-28T22:00:00+02:00", "late", "held"),
        ("2027-05-29T08:00:00+02:00", "late", "send"),
        ("2027-05-29T09:00:00+02:00", "last", "send"),
    ]
    report = simulate.text(held)
    assert "Quiet hours 20:00-08:00 (defer): sends held until 08:00: late 1" in report
    skipping = _late_sequence("skip")
    skipped = simulate.run(skipping, 1, 0, START, timing.clock(None, skipping, "Europe/Paris"))
    assert [(m.isoformat(), s, w) for m, s, w in skipped.contacts[0].timeline] == [
        ("2027-05-28T09:00:00+02:00", "welcome", "send"),
        ("2027-05-28T22:00:00+02:00", "late", "skipped"),
        ("2027-05-28T23:00:00+02:00", "last", "skipped"),
    ]
    assert skipped.as_data()["quiet_hours"]["skipped"] == {"last": 1, "late": 1}


def test_an_endless_loop_stops_and_over_cap_contacts_are_counted() -> None:
    sequence = sequence_of(
        [
            {"id": "nudge", "type": "send", "email": SEND},
            {"id": "wait", "type": "wait", "duration": "1d", "next": "nudge"},
        ],
        frequency_cap={"max": 1, "per": "7d"},
    )
    data = simulate.run(sequence, 3, 0, START).as_data()
    assert all(len(t["events"]) == simulate.MAX_STEPS // 2 for t in data["timelines"])
    assert data["contacts_over_cap"] == 3


def test_cli_json_and_errors(campc: CliRun) -> None:
    run = campc(
        "simulate",
        "trial-onboarding-nurture",
        "--contacts",
        "100",
        "--seed",
        "5",
        "--start",
        "2027-04-13",
        "--format",
        "json",
    )
    assert run.exit_code == 0, run.stderr
    data = json.loads(run.stdout)
    assert data["start"] == "2027-04-13T09:00:00+02:00"  # the audience's Paris time
    assert data["contacts"] == 100
    text = campc("simulate", "webinar-follow-up", "--contacts", "10", "--start", "2027-05-28")
    assert "Paths:" in text.stdout
    assert campc("simulate", "no-such-sequence").exit_code == 2
    assert campc("simulate", "webinar-follow-up", "--start", "tomorrow").exit_code == 2


def test_cohort_arrivals_are_what_the_dice_converge_to() -> None:
    for sequence_id in ("webinar-follow-up", "trial-onboarding-nurture", "newsletter-welcome"):
        sequence = _sequence(sequence_id)
        clock = _clock(sequence)
        contacts = 8000
        data = simulate.run(sequence, contacts, 11, START, clock).as_data()
        counted: dict[tuple[str, str], int] = {}
        for timeline in data["timelines"]:
            for event in timeline["events"]:
                if event["what"] == "send":
                    key = (event["step"], event["at"])
                    counted[key] = counted.get(key, 0) + 1
        exact = {
            (a.step.id, a.at.isoformat()): a.share
            for a in simulate.arrivals(sequence, START, clock)
        }
        assert set(exact) == set(counted), sequence_id
        for key, share in exact.items():
            assert abs(counted[key] / contacts - share) < 0.02, (sequence_id, key)


def test_webinar_cohort_gets_the_demo_offer_on_two_days() -> None:
    sequence = _sequence("webinar-follow-up")
    found = [
        (a.step.id, f"{a.at:%a %d %H:%M}", round(a.share, 4))
        for a in simulate.arrivals(sequence, START, _clock(sequence))
    ]
    assert found == [
        ("replay-attendee", "Fri 28 09:00", 0.45),
        ("demo-offer", "Wed 02 09:00", round(0.55 * 0.3, 4)),  # 5 days after the no-show one
        ("demo-offer", "Thu 03 10:00", 0.45),  # 3 business days (31 May closed in GB)
        ("replay-no-show", "Fri 28 09:00", 0.55),
    ]


def test_arrivals_end_on_loops_with_and_without_waits() -> None:
    def looping(wait: str, rate: float | None) -> Sequence:
        branch: dict[str, object] = {
            "id": "again",
            "type": "branch",
            "condition": {"event": "email_clicked"},
            "then": "done",
            "else": "nudge",
        }
        if rate is not None:
            branch["rate"] = rate
        return sequence_of(
            [
                {"id": "nudge", "type": "send", "email": SEND},
                {"id": "pause", "type": "wait", "duration": wait},
                branch,
                {"id": "done", "type": "exit"},
            ]
        )

    def arrivals(sequence: Sequence) -> list[simulate.Arrival]:
        return simulate.arrivals(sequence, START, timing.clock(None, sequence, "UTC"))

    weekly = arrivals(looping("7d", 0.5))
    # each week half the remaining contacts leave, until under the floor
    assert [round(a.share, 6) for a in weekly[:4]] == [1.0, 0.5, 0.25, 0.125]
    assert weekly[-1].share >= simulate.ARRIVAL_FLOOR
    assert [(a.at - START).days for a in weekly] == [7 * n for n in range(len(weekly))]
    # nobody ever leaves: the horizon stops it
    forever = arrivals(looping("30d", 0.0))
    assert forever[-1].at - START <= simulate.ARRIVAL_HORIZON
    assert len(forever) == simulate.ARRIVAL_HORIZON.days // 30 + 1
    # no wait and nobody leaves (SEQ002's instant loop): the step budget stops it
    assert arrivals(looping("0d", 0.0))
