"""What the tests of the outputs swap share (`test_dying_machine.py`, without the cache,
and `test_spare_outputs.py`, with it): a small project, campc in a process of its own
(a kill -9 must not take the test with it), and the steps a kill is injected after."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.golden_build import tree

FIXTURE = ROOT / "tests" / "golden" / "budget-repo"
SPEC = "campaigns/campagnes/winter-even.yaml"
"""A campaign of the fixture whose name shows in its calendar, pages and sheet."""

STEPS = [("writing", ""), ("staged", ""), ("swapped", ""), ("writing", "1"), ("staged", "1")]
STEPS += [("retired", "1"), ("swapped", "1")]
"""`CAMPC_TEST_KILL_AT` steps, and `CAMPC_TEST_NO_EXCHANGE` ("1": two renames)."""


def project(where: Path) -> Path:
    """The budget fixture's campaigns as a project of their own below `where`."""
    root = where / "project"
    shutil.copytree(FIXTURE / "campaigns", root / "campaigns")
    (root / "pyproject.toml").write_text(
        '[tool.campc]\ncampaigns = "campaigns"\noutputs = "outputs"\n', encoding="utf-8"
    )
    return root


def campc(
    root: Path, *args: str, cache: bool = False, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`campc ARGS` run in `root` as a process of its own (without the cache unless
    `cache`), with `env` added."""
    off = {} if cache else {"CAMPC_NO_CACHE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "compiler", *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **off, **(env or {})},
        check=False,
    )


def leftovers(root: Path) -> list[str]:
    """campc's scratch folders beside the outputs."""
    return sorted(p.name for p in root.iterdir() if p.name.startswith(".outputs"))


Run = Callable[..., subprocess.CompletedProcess[str]]


def killed_then_repaired(
    root: Path,
    run: Run,
    step: str,
    no_exchange: str,
    before: dict[str, bytes],
    after: dict[str, bytes],
) -> None:
    """A build killed after `step` leaves the outputs `before` or `after` (or, killed
    between the two renames, `before` complete beside them); a `build --check` repairs
    the swap first, and the next build writes `after`, with no scratch folder left."""
    hooks = {"CAMPC_TEST_KILL_AT": step, "CAMPC_TEST_NO_EXCHANGE": no_exchange}
    killed = run(root, "build", **hooks)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    outputs = root / "outputs"
    if no_exchange and step == "retired":
        # two renames, killed between them: the old version waits beside, complete
        assert not outputs.exists()
        assert tree(root / ".outputs.old" / "") == before
    else:
        assert tree(outputs) in (before, after), f"half-written outputs after a kill at {step}"
    again = run(root, "build", "--check")  # a read-only run repairs first, too
    assert tree(outputs) in (before, after)
    assert leftovers(root) == [], again.stderr
    done = run(root, "build")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr + again.stderr
    assert tree(outputs) == after
    assert leftovers(root) == []


def mounted(command: list[str], mount: Path, what: str) -> Iterator[Path]:
    """Mount at `mount` with `command` (its last argument) for one test, then unmount:
    root only, so elsewhere the test is skipped, except under CI, where it must run."""
    done = subprocess.run([*command, str(mount)], capture_output=True, check=False)
    if done.returncode != 0:
        if os.environ.get("CI"):
            pytest.fail(f"cannot mount {what} under CI: {done.stderr!r}")
        pytest.skip(f"mounting {what} needs root")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)
