"""Example folders: valid cases read, validate and resolve their references without a
finding; invalid ones give their expected findings.

They exercise reading, validation and cross-file references, so they run with the
loader's codes and the cross-file reference rules only (lint rules: tests/rules).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ROOT, CliRun, assert_golden

EXAMPLES = Path(__file__).parent / "examples"
CROSS_FILE = "REF001,REF002,REF003"
VALID = sorted(p for p in (EXAMPLES / "valid").iterdir() if p.is_dir())
INVALID = sorted(p for p in (EXAMPLES / "invalid").iterdir() if p.is_dir())


@pytest.mark.parametrize("case", VALID, ids=lambda p: p.name)
def test_valid_example_reads_validates_and_resolves_its_references(
    campc: CliRun, case: Path
) -> None:
    run = campc("check", "--select", CROSS_FILE, ".", cwd=case)
    assert run.exit_code == 0, run.stdout
    assert run.stdout.startswith("All checks passed")


@pytest.mark.parametrize("case", INVALID, ids=lambda p: p.name)
def test_invalid_example_reports_expected_findings(campc: CliRun, case: Path) -> None:
    run = campc("check", "--select", CROSS_FILE, ".", cwd=case)
    assert run.exit_code == 1, run.stdout
    assert "Traceback" not in run.stdout + run.stderr
    assert_golden(case / "expected.txt", run.stdout)


def test_every_invalid_case_has_a_finding_per_file(campc: CliRun) -> None:
    """Guards against an invalid case whose expected.txt silently lost a file's findings."""
    for case in INVALID:
        expected = (case / "expected.txt").read_text(encoding="utf-8")
        assert expected.strip(), f"{case.name}: expected.txt is empty"
        assert ": " in expected.splitlines()[0], f"{case.name}: first line is not a finding"


def test_example_repository_checks_clean(campc: CliRun) -> None:
    run = campc("check", cwd=ROOT)
    assert run.exit_code == 0, run.stdout
    assert "All checks passed" in run.stdout


def test_example_repository_is_realistic() -> None:
    """The brief asks for at least 12 specs covering every kind and every domain."""
    from compiler.load.repository import load

    repo, problems = load(ROOT / "campaigns", str)
    assert problems == []
    kinds = [spec.kind for spec in repo.specs]
    domains = {spec.doc.data["domain"] for spec in repo.specs}
    assert len(repo.specs) >= 12
    assert set(kinds) == {"campaign", "sequence", "scoring_model", "experiment"}
    assert kinds.count("sequence") >= 2
    assert kinds.count("experiment") >= 3
    assert domains == {"campagnes", "acquisition", "automation", "performance"}
    assert {f.kind for f in repo.registries} == {
        "audiences",
        "blackouts",
        "routing",
        "metrics",
        "utm",
    }
    assert len(repo.templates) >= 10


def test_every_example_spec_has_a_schema_modeline() -> None:
    for path in sorted((ROOT / "campaigns").rglob("*.yaml")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        kind = next(
            line.split(":", 1)[1].strip()
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.startswith("kind:")
        )
        depth = len(path.relative_to(ROOT / "campaigns").parts) - 1
        schema = "../" * (depth + 1) + f"schemas/{kind}.schema.json"
        assert first == f"# yaml-language-server: $schema={schema}", path
        assert (path.parent / schema).resolve().is_file(), path
