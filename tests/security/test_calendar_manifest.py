"""The calendar's revisions come from the manifest committed in outputs/: a pull request
writes that file too. Whatever it holds (not JSON, the wrong types, a SEQUENCE past
iCalendar's integer, a line break meant to add a property, a link to a file outside the
project, a file too large), the build reads only well-formed entries, never follows the
link, and writes no line the entries did not earn: one SEQUENCE and one LAST-MODIFIED
per revised event, numbers and UTC times only."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from compiler.backends.manifest import MANIFEST_LIMIT, MAX_SEQUENCE, previous_revisions
from tests.conftest import ROOT, CliRun

EVENT = "pulse-launch-2027/send-announcement-eu@campc.invalid"


@pytest.fixture
def built(tmp_path: Path, campc: CliRun) -> Path:
    shutil.copytree(ROOT / "campaigns", tmp_path / "campaigns")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    assert campc("build", cwd=tmp_path).exit_code == 0
    return tmp_path


def _events(root: Path) -> list[dict[str, object]]:
    manifest = json.loads((root / "outputs" / "manifest.json").read_text(encoding="utf-8"))
    events = manifest["events"]
    assert isinstance(events, list)
    return events


def _write(root: Path, content: str | bytes) -> None:
    path = root / "outputs" / "manifest.json"
    path.write_bytes(content.encode() if isinstance(content, str) else content)


def _ics_lines(root: Path) -> list[str]:
    text = (root / "outputs" / "calendar" / "all.ics").read_bytes().decode("utf-8")
    return text.replace("\r\n ", "").split("\r\n")


def _only_earned_lines(root: Path) -> None:
    lines = _ics_lines(root)
    for line in lines:
        if line.startswith("SEQUENCE:"):
            assert re.fullmatch(r"SEQUENCE:\d{1,10}", line), line
            assert int(line.split(":")[1]) <= MAX_SEQUENCE + 1
        if line.startswith("LAST-MODIFIED:"):
            assert re.fullmatch(r"LAST-MODIFIED:\d{8}T\d{6}Z", line), line
    assert not any(line.startswith("X-EVIL") for line in lines)


@pytest.mark.parametrize(
    "hostile",
    [
        "not json {",
        "[1, 2, 3]",
        json.dumps({"events": "all of them"}),
        json.dumps({"events": [1, None, "x", {"uid": 3}]}),
        json.dumps({"events": [{"uid": EVENT, "sequence": 2**40, "sha256": "0" * 64}]}),
        # past 64 bits: orjson reads these as floats, `json` as integers; neither is one
        # a revision may have
        json.dumps({"events": [{"uid": EVENT, "sequence": 2**64 + 3, "sha256": "0" * 64}]}),
        json.dumps({"events": [{"uid": EVENT, "sequence": -(2**63) - 1, "sha256": "0" * 64}]}),
        json.dumps({"events": [{"uid": EVENT, "sequence": True, "sha256": "0" * 64}]}),
        json.dumps({"events": [{"uid": EVENT, "sequence": -5, "sha256": "0" * 64}]}),
        json.dumps(
            {
                "events": [
                    {
                        "uid": EVENT,
                        "sequence": 3,
                        "sha256": "0" * 64,
                        "last_modified": "20270101T000000Z\r\nX-EVIL:1",
                    }
                ]
            }
        ),
        json.dumps(
            {"events": [{"uid": EVENT + "\r\nX-EVIL:1", "sequence": 3, "sha256": "0" * 64}]}
        ),
        "[" * 100_000 + "]" * 100_000,
    ],
)
def test_a_hostile_manifest_is_read_as_data_and_earns_nothing(
    built: Path, campc: CliRun, hostile: str
) -> None:
    _write(built, hostile)
    run = campc("build", cwd=built)
    assert run.exit_code == 0, run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    _only_earned_lines(built)
    events = {e["uid"]: e for e in _events(built)}
    # a well-formed entry says this event changed (its digest is not the event's): the
    # next revision; an ill-formed one is no entry at all
    assert events[EVENT]["sequence"] in (0, 4)


def test_a_well_formed_revision_is_honoured_and_kept(built: Path, campc: CliRun) -> None:
    events = _events(built)
    for entry in events:
        if entry["uid"] == EVENT:
            entry["sequence"] = 7
    _write(built, json.dumps({"events": events}))
    assert campc("build", cwd=built).exit_code == 0
    assert {e["uid"]: e["sequence"] for e in _events(built)}[EVENT] == 7
    assert "SEQUENCE:7" in _ics_lines(built)


def test_a_linked_or_oversized_manifest_is_not_read(built: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.json"
    entry = {"uid": EVENT, "sequence": 9, "sha256": "0" * 64, "last_modified": ""}
    outside.write_text(json.dumps({"events": [entry]}), encoding="utf-8")
    manifest = built / "outputs" / "manifest.json"
    manifest.unlink()
    manifest.symlink_to(outside)
    assert previous_revisions(built / "outputs") == ()
    manifest.unlink()
    padded = json.dumps({"events": [entry], "pad": "x" * MANIFEST_LIMIT})
    manifest.write_text(padded, encoding="utf-8")
    assert previous_revisions(built / "outputs") == ()
    manifest.write_text(json.dumps({"events": [entry]}), encoding="utf-8")
    assert [uid for uid, _ in previous_revisions(built / "outputs")] == [EVENT]
