"""Calendars that update: an event whose content changed since the outputs a build
replaces gets a higher SEQUENCE (and a LAST-MODIFIED that is the build's DTSTAMP, never
the clock); an unchanged one keeps its own. The revisions come from the previous
build's manifest, so a build is still a function of the repository: building twice
writes the same bytes. ical.js, the parser Thunderbird uses, reads the rebuilt event as
the newer revision of the same UID."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT, CliRun, client_missing, real_client
from tests.golden_build import tree

JS = ROOT / "tests" / "js"
EVENT = "pulse-launch-2027/send-announcement-eu@campc.invalid"


def _icaljs(path: Path) -> dict[str, dict[str, object]]:
    node = real_client("node", install="apt-get install nodejs npm (or `nox -s tests`)")
    if not (JS / "node_modules" / "ical.js").is_dir():
        client_missing("ical.js is not installed: npm ci --prefix tests/js (or `nox -s tests`)")
    output = subprocess.run(
        [node, str(JS / "ics_revisions.mjs"), str(path)], check=True, capture_output=True, text=True
    ).stdout
    return {e["uid"]: e for e in json.loads(output)}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "campaigns", tmp_path / "campaigns")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _edit(root: Path, old: str, new: str) -> None:
    path = root / "campaigns" / "campagnes" / "pulse-launch-2027.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_moved_event_is_the_next_revision_and_the_others_keep_theirs(
    root: Path, campc: CliRun
) -> None:
    assert campc("build", cwd=root).exit_code == 0
    calendar = root / "outputs" / "calendar"
    before = _icaljs(calendar / "all.ics")
    assert EVENT in before, sorted(before)[:5]
    assert {e["sequence"] for e in before.values()} == {0}
    _edit(root, "at: 2027-04-13T09:30", "at: 2027-04-13T10:30")
    assert campc("build", cwd=root).exit_code == 0
    after = _icaljs(calendar / "all.ics")
    assert after.keys() == before.keys()
    assert after[EVENT]["sequence"] == 1
    assert after[EVENT]["lastModified"] is not None
    assert all(e["sequence"] == 0 for uid, e in after.items() if uid != EVENT)
    # the campaign's own calendar says the same of the event
    assert _icaljs(calendar / "pulse-launch-2027.ics")[EVENT]["sequence"] == 1
    manifest = json.loads((root / "outputs" / "manifest.json").read_text(encoding="utf-8"))
    recorded = {e["uid"]: e["sequence"] for e in manifest["events"]}
    assert recorded[EVENT] == 1
    # building again changes nothing; the next change is the next revision
    written = tree(root / "outputs")
    assert campc("build", cwd=root).exit_code == 0
    assert tree(root / "outputs") == written
    assert campc("build", "--check", cwd=root).exit_code == 0
    _edit(root, "at: 2027-04-13T10:30", "at: 2027-04-13T11:00")
    assert campc("build", cwd=root).exit_code == 0
    assert _icaljs(calendar / "all.ics")[EVENT]["sequence"] == 2


def test_source_date_epoch_alone_is_no_new_revision(root: Path, campc: CliRun) -> None:
    """DTSTAMP follows SOURCE_DATE_EPOCH; what the event says did not change."""
    assert campc("build", cwd=root).exit_code == 0
    run = campc("build", cwd=root, env={"SOURCE_DATE_EPOCH": "1800000000"})
    assert run.exit_code == 0
    after = _icaljs(root / "outputs" / "calendar" / "all.ics")
    assert {e["sequence"] for e in after.values()} == {0}


@pytest.mark.parametrize("epoch", [None, "1767225600"])
def test_the_revisions_a_calendar_carries_are_those_its_text_says(
    root: Path, epoch: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The manifest takes each event's revision from the assembled calendar instead of
    parsing it again: the same revisions `revisions_of` reads from the text, for new
    events, unchanged ones, moved ones (the next SEQUENCE and a LAST-MODIFIED) and
    previous revisions of any shape a build may be given."""
    from dataclasses import replace

    from compiler.backends import calendar
    from compiler.backends.artifacts import BuildContext, Revision
    from compiler.commands import pipeline

    if epoch is not None:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    settings = pipeline.settings_for(root)
    (repo,) = pipeline.check(settings, cwd=root).repositories
    first = calendar.build(repo, BuildContext())[0]
    assert first.path == "calendar/all.ics"
    assert first.revisions == tuple(calendar.revisions_of(first.content))
    kept = dict(first.revisions or ())
    odd = {
        uid: replace(revision, sequence=n % 3, last_modified=["", "20270101T000000Z", "x"][n % 3])
        for n, (uid, revision) in enumerate(sorted(kept.items()))
    }
    _edit(root, "at: 2027-04-13T09:30", "at: 2027-04-13T10:30")
    (edited,) = pipeline.check(settings, cwd=root).repositories
    for previous in (kept, odd, {uid: Revision(7, "0" * 64, "") for uid in kept}):
        made = calendar.build(edited, BuildContext(revisions=tuple(sorted(previous.items()))))[0]
        assert made.revisions == tuple(calendar.revisions_of(made.content))
        assert made.revisions != first.revisions
