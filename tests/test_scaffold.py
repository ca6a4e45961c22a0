"""`campc init` and `campc new`: a new repository checks clean at once, skeletons are valid."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import CliRun


def test_init_makes_a_repository_that_checks_clean_and_builds(
    campc: CliRun, tmp_path: Path
) -> None:
    run = campc("init", "fresh", cwd=tmp_path)
    assert run.exit_code == 0, run.stderr
    root = tmp_path / "fresh"
    check = campc("check", "--strict", cwd=root)
    assert check.exit_code == 0, check.stdout
    assert "All checks passed" in check.stdout
    assert campc("schema", "--check", cwd=root).exit_code == 0
    assert campc("build", cwd=root).exit_code == 0
    assert (root / "outputs" / "calendar" / "first-campaign.ics").is_file()
    assert (root / "outputs" / "test-plans" / "cta-test.md").is_file()
    # CI and pre-commit come with it (tests/test_integrations.py runs both)
    assert (root / ".github" / "workflows" / "campaigns.yml").is_file()
    assert "campc-build-check" in (root / ".pre-commit-config.yaml").read_text()
    assert ".campc_cache/" in (root / ".gitignore").read_text()
    assert campc("init", "fresh", cwd=tmp_path).exit_code == 2  # never over an existing one


@pytest.mark.parametrize(
    ("kind", "folder"),
    [
        ("campaign", "campagnes"),
        ("sequence", "automation"),
        ("scoring_model", "automation"),
        ("experiment", "performance"),
    ],
)
def test_new_writes_a_valid_skeleton_into_the_domain_folder(
    campc: CliRun, tmp_path: Path, kind: str, folder: str
) -> None:
    campc("init", "repo", cwd=tmp_path)
    root = tmp_path / "repo"
    run = campc("new", kind, "next-one", cwd=root)
    assert run.exit_code == 0, run.stderr
    path = root / "campaigns" / folder / "next-one.yaml"
    assert path.read_text().startswith(f"# yaml-language-server: $schema=../../schemas/{kind}")
    check = campc("check", "--select", "REF001,REF002,REF003", str(path), cwd=root)
    assert check.exit_code == 0, check.stdout


def test_new_refuses_taken_ids_bad_slugs_and_unknown_kinds(campc: CliRun, tmp_path: Path) -> None:
    campc("init", "repo", cwd=tmp_path)
    root = tmp_path / "repo"
    assert (
        campc("new", "campaign", "first-campaign", "--domain", "acquisition", cwd=root).exit_code
        == 2
    )
    assert campc("new", "campaign", "Bad_Id", cwd=root).exit_code == 2
    assert campc("new", "newsletter", "x", cwd=root).exit_code == 2
