"""`campc simulate`: seeded, faithful to the declared rates, bounded on endless loops."""

from __future__ import annotations

import json
from datetime import datetime

from compiler.analysis import simulate
from compiler.commands import pipeline
from compiler.load import repository
from compiler.model.sequence import Sequence
from tests.conftest import ROOT, SEND, CliRun, sequence_of


def _sequence(sequence_id: str) -> Sequence:
    current = pipeline.settings_for(ROOT)
    repo, _ = repository.load(current.campaigns.resolve(), str, current.policy)
    return next(
        s.model for s in repo.specs if isinstance(s.model, Sequence) and s.model.id == sequence_id
    )


START = datetime(2027, 5, 28, 9, 0)


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
    data = simulate.run(_sequence("webinar-follow-up"), 50, 4, START).as_data()
    for timeline in data["timelines"]:
        sends = [(e["at"], e["step"]) for e in timeline["events"] if e["what"] == "send"]
        if sends[0][1] == "replay-attendee":
            assert sends[1] == ("2027-06-01T09:00:00", "demo-offer")  # wait 4d
        else:
            assert sends[0] == ("2027-05-28T09:00:00", "replay-no-show")
            assert len(sends) == 1 or sends[1] == ("2027-06-02T09:00:00", "demo-offer")


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
    assert data["start"] == "2027-04-13T09:00:00"
    assert data["contacts"] == 100
    text = campc("simulate", "webinar-follow-up", "--contacts", "10", "--start", "2027-05-28")
    assert "Paths:" in text.stdout
    assert campc("simulate", "no-such-sequence").exit_code == 2
    assert campc("simulate", "webinar-follow-up", "--start", "tomorrow").exit_code == 2


def test_cohort_arrivals_are_what_the_dice_converge_to() -> None:
    for sequence_id in ("webinar-follow-up", "trial-onboarding-nurture", "newsletter-welcome"):
        sequence = _sequence(sequence_id)
        contacts = 8000
        data = simulate.run(sequence, contacts, 11, START).as_data()
        counted: dict[tuple[str, str], int] = {}
        for timeline in data["timelines"]:
            for event in timeline["events"]:
                if event["what"] == "send":
                    key = (event["step"], event["at"])
                    counted[key] = counted.get(key, 0) + 1
        exact = {
            (a.step.id, (START + a.delay).isoformat()): a.share for a in simulate.arrivals(sequence)
        }
        assert set(exact) == set(counted), sequence_id
        for key, share in exact.items():
            assert abs(counted[key] / contacts - share) < 0.02, (sequence_id, key)


def test_webinar_cohort_gets_the_demo_offer_on_two_days() -> None:
    found = [
        (a.step.id, a.delay.days, round(a.share, 4))
        for a in simulate.arrivals(_sequence("webinar-follow-up"))
    ]
    assert found == [
        ("replay-attendee", 0, 0.45),
        ("demo-offer", 4, 0.45),
        ("demo-offer", 5, round(0.55 * 0.3, 4)),
        ("replay-no-show", 0, 0.55),
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

    weekly = simulate.arrivals(looping("7d", 0.5))
    # each week half the remaining contacts leave, until under the floor
    assert [round(a.share, 6) for a in weekly[:4]] == [1.0, 0.5, 0.25, 0.125]
    assert weekly[-1].share >= simulate.ARRIVAL_FLOOR
    assert [a.delay.days for a in weekly] == [7 * n for n in range(len(weekly))]
    # nobody ever leaves: the horizon stops it
    forever = simulate.arrivals(looping("30d", 0.0))
    assert forever[-1].delay <= simulate.ARRIVAL_HORIZON
    assert len(forever) == simulate.ARRIVAL_HORIZON.days // 30 + 1
    # no wait and nobody leaves (SEQ002's instant loop): the step budget stops it
    assert simulate.arrivals(looping("0d", 0.0))
