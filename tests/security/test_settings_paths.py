"""Promises 1 and 2 (SECURITY.md) for the settings themselves: `[tool.campc]` comes from
the pull request, so its folders may not lead outside the project or through a link,
`pyproject.toml` is read only if it is a regular file, and `campc schema` never writes
through a committed link.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, CliRun

FIXTURE = ROOT / "tests" / "golden" / "budget-repo"


def _project(tmp_path: Path, extra: str = "") -> Path:
    root = tmp_path / "project"
    shutil.copytree(FIXTURE / "campaigns", root / "campaigns")
    (root / "pyproject.toml").write_text(f"[tool.campc]\n{extra}", encoding="utf-8")
    return root


@pytest.mark.parametrize("key", ["campaigns", "schemas"])
def test_a_folder_outside_the_project_is_refused(tmp_path: Path, campc: CliRun, key: str) -> None:
    outside = tmp_path / "outside"
    shutil.copytree(FIXTURE / "campaigns", outside)
    root = _project(tmp_path, f'{key} = "../outside"\n')
    run = campc("check", cwd=root)
    assert run.exit_code == 2
    assert f"tool.campc.{key}" in run.stderr
    assert "outside the project" in run.stderr


def test_a_linked_campaigns_folder_is_refused(tmp_path: Path, campc: CliRun) -> None:
    root = _project(tmp_path)
    shutil.move(root / "campaigns", tmp_path / "real-campaigns")
    (root / "campaigns").symlink_to(tmp_path / "real-campaigns")
    run = campc("check", cwd=root)
    assert run.exit_code == 2
    assert "is a symbolic link" in run.stderr


@pytest.mark.parametrize("kind", ["link", "fifo"])
def test_pyproject_that_is_a_link_or_a_fifo_is_refused(tmp_path: Path, kind: str) -> None:
    root = _project(tmp_path)
    config = root / "pyproject.toml"
    config.unlink()
    if kind == "link":
        config.symlink_to("/proc/self/environ")
    else:
        os.mkfifo(config)
    run = subprocess.run(
        [sys.executable, "-m", "compiler", "check"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "CAMPC_PROBE": "env-canary-1d2c"},
        check=False,
    )
    assert run.returncode == 2, run.stderr
    assert "pyproject.toml is a" in run.stderr
    assert "env-canary-1d2c" not in run.stdout + run.stderr
    assert "Traceback" not in run.stderr


def test_schema_replaces_a_committed_link_instead_of_writing_through_it(
    tmp_path: Path, campc: CliRun
) -> None:
    root = _project(tmp_path)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n", encoding="utf-8")
    (root / "schemas").mkdir()
    (root / "schemas" / "campaign.schema.json").symlink_to(victim)
    check = campc("schema", "--check", cwd=root)
    assert check.exit_code == 1
    assert "FILE001" in check.stdout
    assert "keep me" not in check.stdout
    assert campc("schema", cwd=root).exit_code == 0
    assert victim.read_text(encoding="utf-8") == "keep me\n"
    written = root / "schemas" / "campaign.schema.json"
    assert not written.is_symlink()
    assert written.read_text(encoding="utf-8").startswith("{")
    assert campc("schema", "--check", cwd=root).exit_code == 0


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("unsubscribe-url", "https://a.example/u\\r\\nBcc: victim@evil.example"),
        ("unsubscribe-url", "https://a.example/u>, <https://evil.example/"),
        ("preferences-url", "https://a.example/\\u00e4"),
        ("unsubscribe-mailto", "u@a.example,evil@b.example"),
        ("unsubscribe-mailto", "u@a.example\\nBcc: x@y.example"),
    ],
)
def test_header_settings_cannot_add_headers_or_addresses(
    tmp_path: Path, campc: CliRun, key: str, value: str
) -> None:
    """`[tool.campc.email]` values go into every message's List-Unsubscribe header."""
    root = _project(tmp_path, f'[tool.campc.email]\n{key} = "{value}"\n')
    run = campc("check", "--no-cache", cwd=root)
    assert run.exit_code == 2
    assert f"tool.campc.email`.{key}" in run.stderr or f"tool.campc.email.{key}" in run.stderr
