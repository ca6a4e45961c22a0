"""Promise 2 (SECURITY.md): nothing outside the outputs folder is written or deleted.

A build replaces its outputs folder whole. Pointed (by a link, or by a pull request's
`[tool.campc] outputs`) at the project root, `.git`, the campaigns folder or anything
above them, that replacement would delete the checkout: each attempt must end in exit 2
naming the setting or the link, with every file of the project still there.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.conftest import ROOT, CliRun, git

FIXTURE = ROOT / "tests" / "golden" / "budget-repo"


def _project(tmp_path: Path, outputs: str = "outputs") -> Path:
    root = tmp_path / "project"
    shutil.copytree(FIXTURE / "campaigns", root / "campaigns")
    (root / "pyproject.toml").write_text(
        f'[tool.campc]\ncampaigns = "campaigns"\noutputs = "{outputs}"\n', encoding="utf-8"
    )
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "start")
    (root / "notes.txt").write_text("uncommitted work\n", encoding="utf-8")
    return root


def _everything(root: Path) -> set[str]:
    return {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if ".campc_cache" not in p.parts and p.name != "index"
    }


@pytest.mark.parametrize("outputs", [".", "campaigns", ".git", "schemas/..", "./", "campaigns/.."])
def test_outputs_configured_as_the_root_or_a_protected_folder_is_refused(
    tmp_path: Path, campc: CliRun, outputs: str
) -> None:
    root = _project(tmp_path, outputs)
    before = _everything(root)
    run = campc("build", cwd=root)
    assert run.exit_code == 2, run.stdout + run.stderr
    assert "tool.campc.outputs" in run.stderr
    assert "Traceback" not in run.stderr
    assert _everything(root) == before
    assert git(root, "status", "--porcelain") == "?? notes.txt"


@pytest.mark.parametrize("outputs", ["../elsewhere", "{tmp}/absolute"])
def test_outputs_configured_outside_the_project_is_refused(
    tmp_path: Path, campc: CliRun, outputs: str
) -> None:
    root = _project(tmp_path, outputs.format(tmp=tmp_path))
    run = campc("build", cwd=root)
    assert run.exit_code == 2
    assert "not a folder inside the project" in run.stderr
    assert not (tmp_path / "elsewhere").exists()
    assert not (tmp_path / "absolute").exists()


def test_outputs_that_is_a_link_to_the_root_never_deletes_the_checkout(
    tmp_path: Path, campc: CliRun
) -> None:
    root = _project(tmp_path)
    (root / "outputs").symlink_to(".")
    before = _everything(root)
    run = campc("build", cwd=root)
    assert run.exit_code == 2
    assert "is a symbolic link" in run.stderr
    assert "outputs" in run.stderr
    assert _everything(root) == before
    assert (root / ".git" / "HEAD").is_file()
    assert (root / "notes.txt").read_text(encoding="utf-8") == "uncommitted work\n"


def test_outputs_below_a_linked_folder_is_refused(tmp_path: Path, campc: CliRun) -> None:
    root = _project(tmp_path, "site/outputs")
    victim = tmp_path / "victim"
    (victim / "outputs").mkdir(parents=True)
    (victim / "outputs" / "precious.txt").write_text("keep me\n", encoding="utf-8")
    (root / "site").symlink_to(victim)
    run = campc("build", cwd=root)
    assert run.exit_code == 2
    assert "site is a symbolic link" in run.stderr
    assert (victim / "outputs" / "precious.txt").read_text(encoding="utf-8") == "keep me\n"


@pytest.mark.parametrize("out", [".", "campaigns", ".git", ".."])
def test_out_on_the_command_line_may_not_replace_the_project(
    tmp_path: Path, campc: CliRun, out: str
) -> None:
    root = _project(tmp_path)
    before = _everything(root)
    run = campc("build", "--out", out, cwd=root)
    assert run.exit_code == 2
    assert "--out" in run.stderr
    assert _everything(root) == before


def test_out_that_is_a_link_is_refused(tmp_path: Path, campc: CliRun) -> None:
    root = _project(tmp_path)
    target = tmp_path / "target"
    target.mkdir()
    (target / "precious.txt").write_text("keep me\n", encoding="utf-8")
    (tmp_path / "linked").symlink_to(target)
    run = campc("build", "--out", str(tmp_path / "linked"), cwd=root)
    assert run.exit_code == 2
    assert "symbolic link" in run.stderr
    assert (target / "precious.txt").is_file()


def test_a_committed_scratch_folder_link_is_removed_never_followed(
    tmp_path: Path, campc: CliRun
) -> None:
    """`.outputs.old` and `.outputs.new` are campc's scratch names: a pull request that
    commits one as a link to a folder gets the link removed, not the folder emptied."""
    root = _project(tmp_path)
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "precious.txt").write_text("keep me\n", encoding="utf-8")
    (root / ".outputs.old").symlink_to(victim)
    (root / ".outputs.new").symlink_to(victim)
    assert campc("build", cwd=root).exit_code == 0
    assert (victim / "precious.txt").read_text(encoding="utf-8") == "keep me\n"
    assert not os.path.lexists(root / ".outputs.old")
    assert not os.path.lexists(root / ".outputs.new")
    assert (root / "outputs" / "manifest.json").is_file()


def test_build_check_never_reads_a_committed_artifact_through_a_link(
    tmp_path: Path, campc: CliRun
) -> None:
    root = _project(tmp_path)
    assert campc("build", cwd=root).exit_code == 0
    canary = tmp_path / "canary.txt"
    canary.write_text("CANARY-7f3a secret\n", encoding="utf-8")
    csv = root / "outputs" / "budget" / "budget.csv"
    csv.unlink()
    csv.symlink_to(canary)
    readme = root / "outputs" / "budget" / "README.md"
    readme.unlink()
    readme.symlink_to("/proc/self/environ")
    os.mkfifo(root / "outputs" / "extra.fifo")
    run = subprocess.run(
        [sys.executable, "-m", "compiler", "build", "--check"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "CAMPC_SECRET_PROBE": "env-canary-5e1d"},
        check=False,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert "CANARY-7f3a" not in run.stdout + run.stderr
    assert "env-canary-5e1d" not in run.stdout + run.stderr
    assert "stale: outputs/budget/budget.csv (FILE001: a symbolic link, never read)" in run.stdout
    assert "stale: outputs/budget/README.md (FILE001: a symbolic link" in run.stdout
    assert "extra: outputs/extra.fifo (FILE001: a FIFO" in run.stdout
    # and a real build replaces the links with the artifacts, leaving their targets alone
    assert campc("build", cwd=root).exit_code == 0
    assert not (root / "outputs" / "budget" / "budget.csv").is_symlink()
    assert canary.read_text(encoding="utf-8") == "CANARY-7f3a secret\n"


def test_build_check_diffs_cannot_start_a_workflow_command(tmp_path: Path, campc: CliRun) -> None:
    """A committed artifact is the pull request's: its lines reach the CI log in the
    `--check` diff, so none may start a workflow command there."""
    root = _project(tmp_path)
    assert campc("build", cwd=root).exit_code == 0
    readme = root / "outputs" / "budget" / "README.md"
    readme.write_text(
        "::add-mask::leak\n  ::stop-commands::tok\n##[set-output name=x;]1\n"
        + readme.read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    run = campc("build", "--check", cwd=root)
    assert run.exit_code == 1
    assert "stale: outputs/budget/README.md" in run.stdout
    for line in (run.stdout + run.stderr).splitlines():
        assert not line.lstrip().startswith("::"), line
        assert "##[" not in line, line
    assert "add-mask" in run.stdout  # shown, escaped


def test_a_rebuild_links_only_its_own_regular_files_with_the_same_bytes(
    tmp_path: Path, campc: CliRun
) -> None:
    """A rebuild hard-links a file the previous outputs hold unchanged instead of writing
    it again; never a link (to a file outside, with the very bytes of the artifact), a
    file linked in from elsewhere, or a file of another mode."""
    root = _project(tmp_path)
    assert campc("build", cwd=root).exit_code == 0
    out = root / "outputs"
    kept = out / "calendar" / "README.md"
    before = kept.stat().st_ino
    outside = tmp_path / "outside.csv"
    shutil.copy(out / "budget" / "budget.csv", outside)
    (out / "budget" / "budget.csv").unlink()
    (out / "budget" / "budget.csv").symlink_to(outside)
    shared = tmp_path / "shared.md"
    os.link(out / "budget" / "README.md", shared)  # the same file, reachable from outside
    (out / "manifest.json").chmod(0o755)
    spec = next((root / "campaigns").rglob("*.yaml"))
    spec.write_text(spec.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    assert campc("build", cwd=root).exit_code == 0
    assert kept.stat().st_ino == before  # unchanged: linked, not written again
    csv = out / "budget" / "budget.csv"
    assert not csv.is_symlink()
    assert csv.read_bytes() == outside.read_bytes()
    assert (out / "budget" / "README.md").stat().st_ino != shared.stat().st_ino
    assert (out / "manifest.json").stat().st_mode & 0o777 == 0o644
    fresh = tmp_path / "fresh"
    assert campc("build", "--no-cache", "--out", str(fresh), cwd=root).exit_code == 0
    assert {
        p.relative_to(fresh).as_posix(): p.read_bytes() for p in fresh.rglob("*") if p.is_file()
    } == {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def test_a_file_changed_after_the_comparison_is_read_again_before_it_is_linked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`write` skips reading again a file `compare` found holding its artifact's bytes
    only while its stamp is the same: one rewritten in place between the two (the same
    size, its write time set back) has a new change time, so it is read, found
    different, and written fresh instead of linked. A file changed just before the
    comparison is not vouched for by its stamp at all (its clock tick may not be over)."""
    from compiler import files
    from compiler.backends.artifacts import Artifact
    from compiler.output import writer

    out = tmp_path / "outputs"
    artifacts = [Artifact("a.txt", b"first\n", ()), Artifact("b/c.txt", b"second\n", ())]
    writer.write(out, artifacts)
    assert writer.compare(out, artifacts).same == {}  # too recent to vouch for
    monkeypatch.setattr(writer, "_RACY_NS", 0)
    time.sleep(0.05)  # past the tick the files were written in
    changes = writer.compare(out, artifacts)
    assert not changes
    assert set(changes.same) == {"a.txt", "b/c.txt"}
    target = out / "a.txt"
    held = target.stat()
    assert changes.same["a.txt"] == files.stamp(held)
    target.write_bytes(b"FIRST\n")  # a process outside campc, meanwhile
    os.utime(target, ns=(held.st_atime_ns, held.st_mtime_ns))
    assert target.stat().st_size == held.st_size
    writer.write(out, artifacts, changes.same)
    assert (out / "a.txt").read_bytes() == b"first\n"
    assert (out / "b" / "c.txt").read_bytes() == b"second\n"
    assert (out / "b" / "c.txt").stat().st_ino == changes.same["b/c.txt"][1]  # linked


def _safe_parts_by_pathlib(path: str) -> tuple[str, ...] | None:
    """The check `safe_parts` made with pathlib alone: the oracle of its quick path."""
    from pathlib import PurePosixPath

    parts = PurePosixPath(path).parts
    if (
        not parts
        or PurePosixPath(path).is_absolute()
        or any(p in ("", ".", "..") or "\\" in p or "\0" in p for p in parts)
    ):
        return None
    return parts


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="ab./\\\0é", max_size=12))
@example("../outside")
@example("a/./b")
@example("a//b")
@example("/etc/passwd")
@example("site/index.html")
def test_an_artifact_path_is_kept_inside_the_outputs_as_pathlib_would_keep_it(path: str) -> None:
    """The quick string check of an artifact path accepts and splits exactly what the
    pathlib check accepts; everything else (absolute, `..`, backslashes, NUL) is refused."""
    from compiler.output import writer

    expected = _safe_parts_by_pathlib(path)
    if expected is None:
        with pytest.raises(ValueError, match="escapes the outputs folder"):
            writer.safe_parts(path)
    else:
        assert writer.safe_parts(path) == expected
