"""`campc simulate`: seeded, faithful to the declared rates, bounded on endless loops."""

from __future__ import annotations

import json
from datetime import datetime

from compiler import pipeline, repository, simulate
from compiler.model.sequence import Sequence
from tests.conftest import ROOT, CliRun


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
    sequence = Sequence.model_validate(
        {
            "kind": "sequence",
            "id": "loop",
            "name": "Loop",
            "domain": "automation",
            "owner": "ops@acme.example",
            "trigger": {"event": "signed_up"},
            "frequency_cap": {"max": 1, "per": "7d"},
            "steps": [
                {"id": "nudge", "type": "send", "email": {"template": "a.html", "subject": "Hi"}},
                {"id": "wait", "type": "wait", "duration": "1d", "next": "nudge"},
            ],
        }
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
