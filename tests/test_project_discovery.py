"""Settings come from the files named, not from the working directory: a monorepo's
`campc check sub/project/campaigns/x.yaml` uses `sub/project/pyproject.toml`, and
`campc new` outside any project refuses instead of writing a stray `campaigns/`."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import ROOT, CliRun

FIXTURE = ROOT / "tests" / "golden" / "budget-repo"


def _monorepo(tmp_path: Path) -> Path:
    project = tmp_path / "sub" / "project"
    shutil.copytree(FIXTURE / "campaigns", project / "campaigns")
    (project / "pyproject.toml").write_text(
        '[tool.campc]\ncampaigns = "campaigns"\n[tool.campc.lint]\nignore = ["META002"]\n',
        encoding="utf-8",
    )
    return project


def test_check_of_a_file_in_a_sub_project_uses_that_project_settings(
    tmp_path: Path, campc: CliRun
) -> None:
    project = _monorepo(tmp_path)
    spec = project / "campaigns" / "campagnes" / "winter-even.yaml"
    from_inside = campc("check", "--no-cache", str(spec), cwd=project)
    from_above = campc(
        "check", "--no-cache", "sub/project/campaigns/campagnes/winter-even.yaml", cwd=tmp_path
    )
    assert from_inside.exit_code == from_above.exit_code == 0, from_above.stdout
    assert "META002" not in from_above.stdout  # the sub-project's ignore applies
    assert from_above.stdout == from_inside.stdout


def test_paths_of_two_projects_are_refused(tmp_path: Path, campc: CliRun) -> None:
    first = _monorepo(tmp_path)
    second = tmp_path / "other"
    shutil.copytree(first, second)
    run = campc("check", str(first / "campaigns"), str(second / "campaigns"), cwd=tmp_path)
    assert run.exit_code == 2
    assert "different projects" in run.stderr


def test_new_outside_any_project_refuses_and_writes_nothing(tmp_path: Path, campc: CliRun) -> None:
    run = campc("new", "campaign", "spring-launch", cwd=tmp_path)
    assert run.exit_code == 2
    assert "campc init" in run.stderr
    assert list(tmp_path.iterdir()) == []
