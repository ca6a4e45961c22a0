"""A scoring model's history comes from a pull request like everything else: a linked
CSV is refused and never read, a path cannot leave the campaigns folder, an oversized
file is a finding, and none of it is a crash."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT, CliRun

CANARY = "campc-canary-history-93ad"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(ROOT / "campaigns", root / "campaigns")
    return root


def test_a_linked_history_is_refused_and_never_read(
    campc: CliRun, project: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.csv"
    secret.write_text(f"lead_id,scored_on,outcome\n{CANARY},2027-01-29,won\n", encoding="utf-8")
    history = project / "campaigns" / "samples" / "history-leads.csv"
    history.unlink()
    history.symlink_to(secret)
    run = campc("check", cwd=project)
    assert run.exit_code == 1
    assert "FILE001" in run.stdout
    assert "SCORE005" in run.stdout
    assert CANARY not in run.stdout + run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    build = campc("build", cwd=project)
    assert build.exit_code == 1  # a check error stops the build: nothing is written
    assert not (project / "outputs").exists()


@pytest.mark.parametrize(
    "path", ["../outside.csv", "/etc/passwd.csv", "samples/../../x.csv", "samples/history.txt"]
)
def test_a_history_path_cannot_leave_the_campaigns_folder(
    campc: CliRun, project: Path, path: str
) -> None:
    spec = project / "campaigns" / "automation" / "b2b-lead-scoring.yaml"
    spec.write_text(
        spec.read_text().replace("  leads: samples/history-leads.csv", f"  leads: {path}"),
        encoding="utf-8",
    )
    run = campc("check", cwd=project)
    assert run.exit_code == 1
    assert "SCHEMA" in run.stdout
    assert "Traceback" not in run.stdout + run.stderr


def test_an_oversized_history_is_a_finding(campc: CliRun, project: Path) -> None:
    history = project / "campaigns" / "samples" / "history-leads.csv"
    with history.open("a", encoding="utf-8") as handle:
        handle.write("x" * 16_000_100)
    run = campc("check", cwd=project)
    assert run.exit_code == 1
    assert "is larger than 16,000,000 bytes" in run.stdout
