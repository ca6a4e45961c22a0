"""`campc diff` on revisions that commit symbolic links: each is a FILE001 finding of
its side, never written out of git, never followed, never a traceback."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT, CliRun, git

CANARY = "campc-canary-7f3a9c"
PYPROJECT = '[tool.campc]\ncampaigns = "campaigns"\n'
LINKS = {
    "campaigns/acquisition/absolute.yaml": "{canary}",
    "campaigns/acquisition/relative.yaml": "../../../outside/canary.yaml",
    "campaigns/acquisition/environ.yaml": "/proc/self/environ",
    "campaigns/templates/leak.html": "{canary}",
}


@pytest.fixture
def linked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str]:
    """A repository whose second commit adds links to a canary outside it and to
    /proc/self/environ (which holds the canary too, as an environment variable)."""
    outside = tmp_path / "outside"
    outside.mkdir()
    canary = outside / "canary.yaml"
    canary.write_text(f"kind: campaign\nid: {CANARY}\nname: {CANARY}\n", encoding="utf-8")
    monkeypatch.setenv("CAMPC_TEST_CANARY", CANARY)
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    shutil.copytree(ROOT / "campaigns", root / "campaigns")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "the quarter")
    for name, target in LINKS.items():
        os.symlink(target.format(canary=canary), root / name)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "links")
    return root, git(root, "rev-parse", "HEAD~1")


def _assert_links_reported(text: str) -> None:
    findings = [line for line in text.splitlines() if "FILE001" in line]
    for name in LINKS:
        assert any(f"`{name}:1:1` FILE001" in f and "is a symbolic link" in f for f in findings)
    assert CANARY not in text
    assert "Traceback" not in text


def test_links_in_the_head_revision_are_findings_and_never_read(
    campc: CliRun, linked: tuple[Path, str]
) -> None:
    root, _ = linked
    run = campc("diff", "HEAD~1", "HEAD", cwd=root)
    assert run.exit_code == 0, run.stderr
    _assert_links_reported(run.stdout.split("<strong>New findings</strong>")[1])
    assert CANARY not in run.stderr
    data = json.loads(campc("diff", "HEAD~1", "HEAD", "--format", "json", cwd=root).stdout)
    new = {(row["path"], row["code"]) for row in data["findings_new"]}
    assert {(name, "FILE001") for name in LINKS} <= new
    assert CANARY not in json.dumps(data)


def test_links_in_the_base_revision_are_resolved_when_removed(
    campc: CliRun, linked: tuple[Path, str]
) -> None:
    root, _ = linked
    git(root, "rm", "-q", *LINKS)
    git(root, "commit", "-q", "-m", "no links")
    run = campc("diff", "HEAD~1", "HEAD", cwd=root)
    assert run.exit_code == 0, run.stderr
    _assert_links_reported(run.stdout.split("<strong>Resolved findings</strong>")[1])
    assert CANARY not in run.stderr


def test_a_base_with_links_against_the_working_tree(
    campc: CliRun, linked: tuple[Path, str]
) -> None:
    root, first = linked
    run = campc("diff", "HEAD", cwd=root)
    assert run.exit_code == 0, run.stderr
    assert CANARY not in run.stdout + run.stderr
    run = campc("diff", first, "HEAD", cwd=root)
    assert run.exit_code == 0, run.stderr
    _assert_links_reported(run.stdout)


def test_a_campaigns_folder_that_is_a_link_is_one_finding(campc: CliRun, tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    (root / "campaigns").mkdir()
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", "config only")
    (root / "campaigns").rmdir()
    os.symlink(ROOT / "campaigns", root / "campaigns")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "campaigns is a link")
    (root / "campaigns").unlink()
    (root / "campaigns").mkdir()
    run = campc("diff", "HEAD~1", "HEAD", "--format", "json", cwd=root)
    assert run.exit_code == 0, run.stderr
    data = json.loads(run.stdout)
    assert [(r["path"], r["code"]) for r in data["findings_new"]] == [("campaigns", "FILE001")]
    assert not data["specs"]
