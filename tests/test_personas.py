"""Persona traces: each sequence's seeded contacts walk it on their own clock, the same
walk the calendar's cohort arrivals take (the oracle: every landing is one of
`simulate.arrivals`' moments for that step), and `campc diff` says in words what a
persona now receives differently."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from compiler.analysis import timing
from compiler.analysis.personas import entry, personas
from compiler.analysis.simulate import arrivals
from compiler.commands import pipeline
from compiler.model.sequence import Sequence
from compiler.project.repository import Repository
from tests.conftest import ROOT, CliRun, git


def _repo() -> Repository:
    return pipeline.check(pipeline.settings_for(ROOT)).repositories[0]


def test_every_landing_is_a_moment_the_cohort_receives_it() -> None:
    repo = _repo()
    sequences = [s.model for s in repo.specs if isinstance(s.model, Sequence)]
    assert sequences
    for sequence in sequences:
        entered, zone = entry(repo, sequence)
        clock = timing.clock(repo, sequence, zone)
        moments = {(a.step.id, a.at) for a in arrivals(sequence, entered, clock)}
        found = personas(repo, sequence)
        assert found, sequence.id
        for persona in found:
            for landing in persona.emails:
                if persona.name.startswith(("goal-", "leaves-")) and landing.day(entered) >= 1:
                    continue  # after day 1 they walk on from the goal, not from entry
                assert (landing.step, landing.at) in moments, (sequence.id, persona.name)


def test_the_example_personas_are_named_by_their_branches() -> None:
    repo = _repo()
    webinar = next(
        s.model
        for s in repo.specs
        if isinstance(s.model, Sequence) and s.model.id == "webinar-follow-up"
    )
    by_name = {p.name: p for p in personas(repo, webinar)}
    attended = by_name["attended-yes"]
    # the cohort entering Friday 28 May gets the demo offer Thursday 3 June at 10:00
    # (3 business days: Monday 31 May is a bank holiday in GB)
    assert [(e.step, e.at.isoformat()) for e in attended.emails] == [
        ("replay-attendee", "2027-05-28T09:00:00+02:00"),
        ("demo-offer", "2027-06-03T10:00:00+02:00"),
    ]
    assert any(name.startswith("goal-") for name in by_name)


def test_the_build_writes_the_traces() -> None:
    data = json.loads(
        (ROOT / "outputs" / "sequences" / "trial-onboarding-nurture.personas.json").read_text()
    )
    names = [p["persona"] for p in data["personas"]]
    assert names == ["activated-yes", "activated-no", "goal-upgraded-early", "leaves-unsubscribed"]
    first = data["personas"][0]
    assert [e["step"] for e in first["emails"]] == [
        "welcome",
        "first-pipeline-tips",
        "upgrade-offer",
    ]
    assert [e["day"] for e in first["emails"]] == [0, 2, 5]


def _diff_after(campc: CliRun, tmp_path: Path, old: str, new: str) -> list[str]:
    root = tmp_path / "repo"
    shutil.copytree(ROOT / "campaigns", root / "campaigns")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    spec = root / "campaigns" / "automation" / "trial-onboarding-nurture.yaml"
    text = spec.read_text(encoding="utf-8")
    assert old in text
    spec.write_text(text.replace(old, new, 1), encoding="utf-8")
    run = campc("diff", "HEAD", "--format", "json", cwd=root)
    assert run.exit_code == 0, run.stderr
    return [f"{r['persona']}: {r['change']}" for r in json.loads(run.stdout)["personas"]]


def test_diff_says_a_persona_gets_an_email_days_later(campc: CliRun, tmp_path: Path) -> None:
    changes = _diff_after(
        campc,
        tmp_path,
        "{id: wait-3d, type: wait, duration: 3d}",
        "{id: wait-3d, type: wait, duration: 7d}",
    )
    assert "activated-yes: now receives `upgrade-offer` on day 9 instead of day 5" in changes
    assert "activated-no: now receives `check-in` on day 9 instead of day 5" in changes


def test_diff_says_a_persona_gets_two_emails_within_a_day(campc: CliRun, tmp_path: Path) -> None:
    changes = _diff_after(
        campc,
        tmp_path,
        "{id: wait-2d, type: wait, duration: 2d}",
        "{id: wait-2d, type: wait, duration: 2h}",
    )
    assert "activated-yes: now receives 2 emails within 24 hours" in changes
    assert "activated-yes: now receives `first-pipeline-tips` on day 0 instead of day 2" in changes


def test_diff_says_a_persona_no_longer_gets_an_email(campc: CliRun, tmp_path: Path) -> None:
    changes = _diff_after(
        campc, tmp_path, "    then: upgrade-offer\n", "    then: wait-for-upgrade\n"
    )
    assert "activated-yes: no longer receives `upgrade-offer`" in changes
