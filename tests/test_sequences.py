"""Sequences as graphs: every path from entry to end, the QA plan listing each, and the
paths walking any graph (loops and dead ends included) without running away."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from compiler.analysis.sequences import MAX_PATHS, paths, reachable
from compiler.analysis.timing import in_quiet as quiet
from compiler.backends.sequences import document
from compiler.commands import pipeline
from compiler.load import repository
from compiler.model.sequence import GoalStep, Sequence
from compiler.rules.seq import seq008_quiet_hours_after_waits as seq008
from tests.conftest import ROOT, SEND, sequence_of


def _example_sequences() -> list[Sequence]:
    current = pipeline.settings_for(ROOT)
    repo, _ = repository.load(current.campaigns.resolve(), str, current.policy)
    return [s.model for s in repo.specs if isinstance(s.model, Sequence)]


def test_webinar_follow_up_has_three_paths_with_their_days() -> None:
    sequence = next(s for s in _example_sequences() if s.id == "webinar-follow-up")
    found, cut = paths(sequence)
    assert not cut
    summary = [[(h.step.id, h.delay.days) for h in p.sends] for p in found]
    # 3 business days until 10:00: at least 2 days, whenever a contact enters
    assert summary == [
        [("replay-attendee", 0), ("demo-offer", 2)],
        [("replay-no-show", 0), ("demo-offer", 5)],
        [("replay-no-show", 0)],
    ]
    assert {p.ending for p in found} == {"exit `finish`"}
    assert found[0].sends[1].when() == "day 0, then 3 business days later at 10:00"
    assert not found[0].sends[1].exact
    assert found[1].sends[1].exact


def test_every_example_sequence_page_lists_every_path_as_a_checklist() -> None:
    for sequence in _example_sequences():
        page = (ROOT / "outputs" / "sequences" / f"{sequence.id}.md").read_text(encoding="utf-8")
        found, _ = paths(sequence)
        headers = re.findall(r"^### Path (\d+): (.*)$", page, re.MULTILINE)
        assert len(headers) == len(found), sequence.id
        for (_, title), path in zip(headers, found, strict=True):
            assert title.endswith(path.ending)
            for hop in path.sends:
                assert f"`{hop.step.id}`" in title
        assert "```mermaid\nflowchart TD" in page
        for index in range(len(sequence.steps)):
            assert re.search(rf"^  n{index}\W", page, re.MULTILINE), (sequence.id, index)


def test_qa_plans_check_goals_met_early_and_every_exit_condition() -> None:
    for sequence in _example_sequences():
        page = document(sequence)
        section = page.split("### Goals met early and exit conditions\n", 1)[1]
        items = re.findall(r"^- \[ \] Create the test contact `qa\+[\w-]+-(\d+)@", section, re.M)
        goals = [s for s in sequence.steps if isinstance(s, GoalStep)]
        assert len(items) == len(goals) + len(sequence.exit), sequence.id
        found, _ = paths(sequence)
        # seeds go on from the paths' own, one contact per check
        assert [int(n) for n in items] == list(range(len(found) + 1, len(found) + 1 + len(items)))
        for goal in goals:
            assert f"it moves on to goal `{goal.id}`" in section
        for condition in sequence.exit:
            assert f"make sure it did `{condition.event}`: it leaves the sequence" in section


def test_a_goal_on_the_entry_day_has_no_met_early_check() -> None:
    sequence = sequence_of(
        [
            {"id": "hello", "type": "send", "email": SEND},
            {"id": "clicked", "type": "goal", "condition": {"event": "email_clicked"}},
        ]
    )
    assert "Goals met early" not in document(sequence)


@st.composite
def graphs(draw: Any) -> Sequence:
    count = draw(st.integers(min_value=1, max_value=9))
    ids = [f"s{i}" for i in range(count)]
    target = st.sampled_from(ids)
    steps = []
    for step_id in ids:
        kind = draw(st.sampled_from(["send", "wait", "branch", "exit"]))
        step: dict[str, Any] = {"id": step_id, "type": kind}
        if kind == "send":
            step["email"] = {"template": "a.html", "subject": "Hi"}
        if kind == "wait":
            step["duration"] = draw(st.sampled_from(["1h", "1d", "3d"]))
        if kind == "branch":
            step["condition"] = {"event": "opened"}
            step["then"] = draw(target)
            if draw(st.booleans()):
                step["else"] = draw(target)
        if kind != "exit" and kind != "branch" and draw(st.booleans()):
            step["next"] = draw(target)
        steps.append(step)
    return sequence_of(steps)


@settings(max_examples=300, deadline=None)
@given(graphs())
def test_paths_end_and_cover_every_reachable_step(sequence: Sequence) -> None:
    found, cut = paths(sequence)
    assert 1 <= len(found) <= MAX_PATHS
    for path in found:
        assert path.hops[0].step.id == sequence.steps[0].id
        delays = [h.delay for h in path.hops]
        assert delays == sorted(delays)
        assert all(d >= timedelta(0) for d in delays)
    if not cut:
        assert {h.step.id for p in found for h in p.hops} == reachable(sequence)


@settings(max_examples=60, deadline=None)
@given(
    start=st.integers(0, 23 * 60 + 59),
    end=st.integers(0, 23 * 60 + 59),
    wait_minutes=st.integers(1, 20 * 24 * 60),
)
def test_quiet_hour_entry_ranges_match_the_clock(start: int, end: int, wait_minutes: int) -> None:
    # SEQ008's ranges, checked minute by minute against CAL002's own clock test
    first, last = time(start // 60, start % 60), time(end // 60, end % 60)
    minutes = [False] * (24 * 60)
    for a, b in seq008.bad_entries(wait_minutes % (24 * 60), seq008._quiet_minutes(first, last)):
        for m in range(a, b):
            minutes[m % (24 * 60)] = True
    day = datetime(2027, 1, 4)
    for m in range(0, 24 * 60, 7):
        entry = day + timedelta(minutes=m)
        send = entry + timedelta(minutes=wait_minutes)
        expected = not quiet(entry.time(), first, last) and quiet(send.time(), first, last)
        assert minutes[m] == expected, (entry, send)
