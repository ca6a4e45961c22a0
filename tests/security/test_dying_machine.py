"""Promises 7 and 8 (SECURITY.md): a dying machine loses nothing, and concurrent builds
are safe.

A kill -9 is injected at each step of the swap (the `CAMPC_TEST_KILL_AT` hook), on a
filesystem that exchanges folders in one step and, with `CAMPC_TEST_NO_EXCHANGE`, on
one that needs two renames. After every kill the outputs folder is the old version or
the new one, and the next run repairs what was left half-done. Disk full and read-only
folders, on a small tmpfs the test mounts (root only), end in exit 2 and one line, with
the previous outputs byte-identical and nothing left behind.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.golden_build import tree
from tests.security import swaps

_project = swaps.project
SPEC = swaps.SPEC


def _campc(root: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return swaps.campc(root, *args, env=env)


def _edit(root: Path) -> None:
    spec = root / SPEC
    text = spec.read_text(encoding="utf-8")
    assert "\nname: " in text
    spec.write_text(text.replace("\nname: ", "\nname: Renamed ", 1), encoding="utf-8")


_leftovers = swaps.leftovers


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """The outputs before and after the edit, built without interruption."""
    root = _project(tmp_path_factory.mktemp("versions"))
    assert _campc(root, "build").returncode == 0
    old = tree(root / "outputs")
    _edit(root)
    assert _campc(root, "build").returncode == 0
    new = tree(root / "outputs")
    assert old != new
    return old, new


@pytest.mark.parametrize(("step", "no_exchange"), swaps.STEPS)
def test_a_kill_at_each_step_of_the_swap_loses_nothing(
    tmp_path: Path,
    versions: tuple[dict[str, bytes], dict[str, bytes]],
    step: str,
    no_exchange: str,
) -> None:
    old, new = versions
    root = _project(tmp_path)
    assert _campc(root, "build").returncode == 0
    _edit(root)
    swaps.killed_then_repaired(root, _campc, step, no_exchange, old, new)


def test_scratch_folders_of_earlier_versions_are_removed(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / ".outputs.new-abc123" / "calendar").mkdir(parents=True)
    (root / ".outputs.old-def456").mkdir()
    run = _campc(root, "build")
    assert run.returncode == 0
    assert _leftovers(root) == []
    assert "removed .outputs.new-abc123" in run.stderr


def test_two_builds_at_once_both_finish_with_complete_outputs(
    tmp_path: Path, versions: tuple[dict[str, bytes], dict[str, bytes]]
) -> None:
    _, new = versions
    root = _project(tmp_path)
    assert _campc(root, "build").returncode == 0  # as the fixture: the old outputs first
    _edit(root)
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "compiler", "build"],
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    results = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0], results
    assert not any("Traceback" in err for _, err in results)
    assert tree(root / "outputs") == new
    assert _leftovers(root) == []


@pytest.fixture
def small_disk(tmp_path: Path) -> object:
    """An 8 MiB tmpfs (a build, its site's Mermaid included, takes about 3.5) mounted for
    the test (root only; elsewhere the test is skipped,
    except under CI, where it must run)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    yield from swaps.mounted(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs"], mount, "a tmpfs")


def test_disk_full_exits_2_with_one_line_and_keeps_the_previous_outputs(
    small_disk: Path,
) -> None:
    root = _project(small_disk)
    assert _campc(root, "build").returncode == 0
    before = tree(root / "outputs")
    _edit(root)
    free = shutil.disk_usage(small_disk).free
    (small_disk / "filler").write_bytes(b"\0" * max(free - 8192, 0))
    run = _campc(root, "build")
    assert run.returncode == 2, run.stdout + run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert "No space left on device" in lines[0]
    assert tree(root / "outputs") == before
    assert _leftovers(root) == []


def test_a_read_only_folder_exits_2_with_one_line_and_keeps_the_outputs(
    small_disk: Path,
) -> None:
    root = _project(small_disk)
    assert _campc(root, "build").returncode == 0
    before = tree(root / "outputs")
    _edit(root)
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    try:
        run = _campc(root, "build")
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(small_disk)], check=True)
    assert run.returncode == 2, run.stdout + run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert "Read-only file system" in lines[0]
    assert tree(root / "outputs") == before
    assert _leftovers(root) == []
