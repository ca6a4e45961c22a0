"""`campc check --base` on a hostile history: the base revision is read from git's tree
(a committed link is never followed, never read), a revision that looks like an option
is refused, a broken base spec is not a crash, and an experiment cannot dodge its lock
by a new id in the same file."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.conftest import CliRun
from tests.test_lock import SPEC

CANARY = "campc-canary-lock-51c2"


def _commit(root: Path, message: str, when: str = "2027-04-20T12:00:00+00:00") -> None:
    env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    identity = ["-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", *identity, "commit", "-qm", message], cwd=root, env=env, check=True)


def _repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "campaigns" / "performance").mkdir(parents=True)
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    return root


def test_a_linked_base_spec_is_never_followed(campc: CliRun, tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text(SPEC.replace("Pricing page call to action", CANARY), encoding="utf-8")
    root = _repo(tmp_path)
    (root / "campaigns" / "performance" / "cta.yaml").symlink_to(outside)
    (root / "campaigns" / "performance" / "environ.yaml").symlink_to("/proc/self/environ")
    _commit(root, "links")
    for link in ("cta.yaml", "environ.yaml"):
        (root / "campaigns" / "performance" / link).unlink()
    (root / "campaigns" / "performance" / "cta.yaml").write_text(SPEC, encoding="utf-8")
    run = campc("check", "--base", "HEAD", cwd=root, env={"CAMPC_CANARY": CANARY})
    assert CANARY not in run.stdout + run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    assert "EXP009" not in run.stdout  # the base held no experiment, only links


def test_a_broken_base_spec_is_not_a_crash(campc: CliRun, tmp_path: Path) -> None:
    root = _repo(tmp_path)
    spec = root / "campaigns" / "performance" / "cta.yaml"
    spec.write_text("kind: experiment\nid: cta\n" + "- " * 5000 + "x\n", encoding="utf-8")
    _commit(root, "broken")
    spec.write_text(SPEC, encoding="utf-8")
    run = campc("check", "--base", "HEAD", cwd=root)
    assert run.exit_code in (0, 1), run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    assert "EXP009" not in run.stdout


def test_a_new_id_in_the_same_file_is_the_same_experiment(campc: CliRun, tmp_path: Path) -> None:
    root = _repo(tmp_path)
    spec = root / "campaigns" / "performance" / "cta.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    _commit(root, "registered")
    spec.write_text(
        SPEC.replace("id: cta", "id: cta-v2").replace("  mde: 0.15\n", "  mde: 0.05\n"),
        encoding="utf-8",
    )
    run = campc("check", "--base", "HEAD", "--select", "EXP009", cwd=root)
    assert run.exit_code == 1, run.stdout
    assert "`id` is locked since the start on 2027-04-14: cta -> cta-v2" in run.stdout
    assert "`primary_metric.mde` is locked" in run.stdout


def test_a_revision_that_looks_like_an_option_is_refused(campc: CliRun, tmp_path: Path) -> None:
    root = _repo(tmp_path)
    (root / "campaigns" / "performance" / "cta.yaml").write_text(SPEC, encoding="utf-8")
    _commit(root, "registered")
    marker = tmp_path / "ran"
    run = campc("check", "--base", f"--output={marker}", cwd=root)
    assert run.exit_code == 2
    assert "is not a revision" in run.stderr
    assert not marker.exists()
