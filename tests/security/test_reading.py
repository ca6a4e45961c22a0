"""Promise 1 (SECURITY.md): nothing outside the project is read.

A pull request commits links where specs, conventions files and template folders should
be (to a file holding a canary secret, to `/proc/self/environ`), or CI leaves a FIFO
there. Each is one FILE001 finding naming the path; nothing it points at reaches stdout,
a finding's source line, a `--check` listing or an artifact; a FIFO never hangs a run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import ROOT

CANARY = "CANARY-c41f-secret"
ENV_CANARY = "env-canary-93b2"


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(ROOT / "campaigns", root / "campaigns")
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    secret = tmp_path / "secret.yaml"
    secret.write_text(f"kind: campaign\nid: leak\nname: {CANARY}\n", encoding="utf-8")
    campaigns = root / "campaigns"
    (campaigns / "acquisition" / "leak.yaml").symlink_to(secret)
    (campaigns / "acquisition" / "relative.yml").symlink_to("../../../secret.yaml")
    (campaigns / "environ.yaml").symlink_to("/proc/self/environ")
    (campaigns / "conventions" / "routing-extra.yaml").symlink_to(secret)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "spec.yaml").write_text(f"kind: campaign\nname: {CANARY}\n", encoding="utf-8")
    (campaigns / "linked-folder").symlink_to(outside)
    os.mkfifo(campaigns / "performance" / "pipe.yaml")
    return root


def _campc(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "compiler", *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,  # a hang guard: a FIFO read would block forever
        env={**os.environ, "CAMPC_PROBE": ENV_CANARY, "NO_COLOR": "1"},
        check=False,
    )


EXPECTED = [
    "campaigns/acquisition/leak.yaml",
    "campaigns/acquisition/relative.yml",
    "campaigns/conventions/routing-extra.yaml",
    "campaigns/environ.yaml",
    "campaigns/linked-folder",
    "campaigns/performance/pipe.yaml",
]


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif", "concise"])
def test_links_and_fifos_are_one_finding_each_and_never_read(hostile: Path, fmt: str) -> None:
    run = _campc(hostile, "check", "--format", fmt)
    assert run.returncode == 1, run.stderr
    output = run.stdout + run.stderr
    assert CANARY not in output
    assert ENV_CANARY not in output
    assert "Traceback" not in output
    for path in EXPECTED:
        assert path in run.stdout, (path, run.stdout)
    assert run.stdout.count("FILE001") >= len(EXPECTED)


def test_the_cached_check_does_not_read_them_either(hostile: Path) -> None:
    first = _campc(hostile, "check")
    second = _campc(hostile, "check")  # fingerprinted from the cache's inventory
    assert first.stdout == second.stdout
    assert CANARY not in first.stdout + second.stdout


def test_a_build_stops_and_no_artifact_holds_what_they_point_at(hostile: Path) -> None:
    before = sorted(p.relative_to(hostile).as_posix() for p in (hostile / "outputs").rglob("*"))
    run = _campc(hostile, "build")
    assert run.returncode == 1
    assert "FILE001" in run.stdout
    assert CANARY not in run.stdout + run.stderr
    after = sorted(p.relative_to(hostile).as_posix() for p in (hostile / "outputs").rglob("*"))
    assert after == before


def test_a_linked_templates_folder_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(ROOT / "campaigns", root / "campaigns")
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    shutil.move(root / "campaigns" / "templates", tmp_path / "templates")
    (root / "campaigns" / "templates").symlink_to(tmp_path / "templates")
    run = _campc(root, "check")
    assert run.returncode == 1
    assert "campaigns/templates:1:1: FILE001" in run.stdout
    assert "is a symbolic link" in run.stdout


def test_a_reader_of_many_files_never_follows_a_link_on_the_way(tmp_path: Path) -> None:
    """`files.Reader` keeps the last file's folders open for the next read: a folder on
    the way that is a link is refused as `read_bytes` refuses it, and a folder swapped
    for a link after it was opened is still the folder it was (the link is not read)."""
    from compiler import files

    root = tmp_path / "root"
    (root / "a" / "b").mkdir(parents=True)
    (root / "c").mkdir()
    for name in ("a/one", "a/b/two", "c/three"):
        (root / name).write_text(name, encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "two").write_text(CANARY, encoding="utf-8")
    (outside / "four").write_text(CANARY, encoding="utf-8")
    (root / "linked").symlink_to(outside)
    with files.Reader(root) as reader:
        read = [reader.read_bytes(root / n) for n in ("a/one", "a/b/two", "c/three", "a/one")]
        assert read == [b"a/one", b"a/b/two", b"c/three", b"a/one"]
        with pytest.raises(files.NotRegular, match="symbolic link"):
            reader.read_bytes(root / "linked" / "two")
        with pytest.raises(files.NotRegular, match="outside the project"):
            reader.read_bytes(root / ".." / "outside" / "two")
        assert reader.read_bytes(root / "a" / "b" / "two") == b"a/b/two"
        # `a/b` is open now: swap it for a link to the outside folder
        (root / "a" / "b").rename(root / "a" / "b-old")
        (root / "a" / "b").symlink_to(outside)
        with pytest.raises(FileNotFoundError):
            reader.read_bytes(root / "a" / "b" / "four")  # looked for in the real folder
        assert reader.read_bytes(root / "a" / "b" / "two") == b"a/b/two"
    # a new reader opens the folders again, and refuses the link
    with files.Reader(root) as reader, pytest.raises(files.NotRegular, match="symbolic link"):
        reader.read_bytes(root / "a" / "b" / "two")
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(50):
        with files.Reader(root) as reader:
            reader.read_bytes(root / "a" / "b-old" / "two")
            with pytest.raises(files.NotRegular):
                reader.read_bytes(root / "linked" / "two")
    assert len(os.listdir("/proc/self/fd")) == before  # no descriptor left open


_SEGMENTS = st.sampled_from(["a", "b", "spec.yaml", ".", "..", "", "x y", "é"])


@given(st.lists(_SEGMENTS, max_size=6), st.lists(_SEGMENTS.filter(lambda s: s), max_size=3))
def test_the_parts_below_a_root_are_what_pathlib_makes_of_them(
    below: list[str], root_parts: list[str]
) -> None:
    """`files.parts_below` cuts the relative path as text; pathlib's parts of the same
    relative path are the reference, and what is not below the root is refused."""
    from compiler import files

    root = Path("/project", *root_parts)
    path = Path(str(root) + "/" + "/".join(below))
    relative = os.path.relpath(os.path.normpath(os.path.abspath(path)), os.path.abspath(root))
    expected = Path(relative).parts
    outside = relative == os.curdir or not expected or expected[0] == os.pardir
    if outside:
        with pytest.raises(files.NotRegular, match="outside the project"):
            files.parts_below(path, root)
    else:
        assert files.parts_below(path, root) == expected
