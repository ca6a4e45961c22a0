"""[tool.campc.lint]: selection, per-file ignores, severities, --strict, and bad options."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT, CliRun

MISFILED = """\
kind: campaign
id: launch
name: Launch campaign
domain: campagnes
owner: Marie
timezone: Europe/Paris
window: {start: 2027-04-01, end: 2027-04-30}
kpis:
  - {metric: reach, target: 1000, primary: true}
description: A launch.
"""


def project(tmp_path: Path, lint: str = "") -> Path:
    (tmp_path / "pyproject.toml").write_text(f"[tool.campc]\n{lint}")
    folder = tmp_path / "campaigns" / "legacy"
    folder.mkdir(parents=True)
    (folder / "launch.yaml").write_text(MISFILED)
    return tmp_path


def codes(stdout: str) -> list[str]:
    return [line.split(": ")[1].split()[0] for line in stdout.splitlines() if ".yaml:" in line]


def test_default_selection_runs_every_rule(campc: CliRun, tmp_path: Path) -> None:
    run = campc("check", "--format", "concise", cwd=project(tmp_path))
    assert codes(run.stdout) == ["ROUTE002", "META001"]
    assert run.exit_code == 1


def test_ignore_and_select_from_config(campc: CliRun, tmp_path: Path) -> None:
    root = project(
        tmp_path, '[tool.campc.lint]\nselect = ["ROUTE", "META"]\nignore = ["owner-format"]\n'
    )
    run = campc("check", "--format", "concise", cwd=root)
    assert codes(run.stdout) == ["ROUTE002"]


def test_per_file_ignores_match_globs_relative_to_pyproject(campc: CliRun, tmp_path: Path) -> None:
    lint = '[tool.campc.lint.per-file-ignores]\n"campaigns/legacy/*" = ["ROUTE002", "META001"]\n'
    run = campc("check", cwd=project(tmp_path, lint))
    assert run.exit_code == 0, run.stdout


def test_severity_override_turns_an_error_into_a_warning(campc: CliRun, tmp_path: Path) -> None:
    lint = '[tool.campc.lint.severity]\nROUTE002 = "warning"\nowner-format = "warning"\n'
    root = project(tmp_path, lint)
    run = campc("check", cwd=root)
    assert run.exit_code == 0, run.stdout
    assert "[warning]" in run.stdout
    assert campc("check", "--strict", cwd=root).exit_code == 1


def test_command_line_select_replaces_and_ignore_adds(campc: CliRun, tmp_path: Path) -> None:
    root = project(tmp_path, '[tool.campc.lint]\nignore = ["META001"]\n')
    assert codes(campc("check", "--format", "concise", "--select", "META", cwd=root).stdout) == [
        "META001"
    ]
    assert codes(campc("check", "--format", "concise", "--ignore", "ROUTE", cwd=root).stdout) == []


def test_unknown_lint_option_or_code_is_a_usage_error_naming_the_key(
    campc: CliRun, tmp_path: Path
) -> None:
    run = campc("check", cwd=project(tmp_path, '[tool.campc.lint]\nselct = ["ROUTE"]\n'))
    assert run.exit_code == 2
    assert "tool.campc.lint.selct" in run.stderr
    shutil.rmtree(tmp_path / "campaigns")
    run = campc("check", cwd=project(tmp_path, '[tool.campc.lint]\nignore = ["ROUTE999"]\n'))
    assert run.exit_code == 2
    assert "tool.campc.lint.ignore" in run.stderr
    assert "ROUTE999" in run.stderr
    shutil.rmtree(tmp_path / "campaigns")
    run = campc("check", cwd=project(tmp_path, '[tool.campc.lint.severity]\nROUTE001 = "fatal"\n'))
    assert run.exit_code == 2
    assert "tool.campc.lint.severity.ROUTE001" in run.stderr


def test_loader_findings_cannot_be_ignored(campc: CliRun) -> None:
    run = campc(
        "check", "--ignore", "ALL", ".", cwd=ROOT / "tests" / "examples" / "invalid" / "yaml-syntax"
    )
    assert run.exit_code == 1
    assert "YAML001" in run.stdout


def test_readme_configuration_example_is_valid(campc: CliRun, tmp_path: Path) -> None:
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```toml\n(\[tool\.campc\].*?)```", readme, re.DOTALL)
    assert block is not None
    (tmp_path / "pyproject.toml").write_text(block.group(1))
    shutil.copytree(ROOT / "campaigns", tmp_path / "campaigns")
    run = campc("check", cwd=tmp_path)
    assert run.exit_code == 0, run.stdout + run.stderr


def test_a_rule_that_is_not_selected_does_not_run(
    campc: CliRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--select ROUTE001` runs ROUTE001 alone (and the loader), not every rule filtered
    afterwards; `--ignore` keeps a rule from running too."""
    from collections.abc import Iterable
    from dataclasses import replace
    from typing import Any

    from compiler.diagnostics import Check, Collect, Diagnostic
    from compiler.rules import RULES

    ran: list[str] = []
    for code, rule in list(RULES.items()):
        if rule.collect is not None:  # the runner collects, then combines

            def gather(repo: Any, code: str = code, of: Collect = rule.collect) -> dict[str, Any]:
                ran.append(code)
                return of(repo)

            monkeypatch.setitem(RULES._loaded, code, replace(rule, collect=gather, check=None))
            continue
        if rule.check is None:
            continue

        def spy(repo: Any, code: str = code, check: Check = rule.check) -> Iterable[Diagnostic]:
            ran.append(code)
            return check(repo)

        monkeypatch.setitem(RULES._loaded, code, replace(rule, check=spy))
    run = campc("check", "--no-cache", "--select", "ROUTE001", cwd=ROOT)
    assert run.exit_code == 0, run.stdout
    assert sorted(set(ran)) == ["ROUTE001"]
    ran.clear()
    run = campc("check", "--no-cache", "--select", "ROUTE", "--ignore", "ROUTE002", cwd=ROOT)
    assert run.exit_code == 0, run.stdout
    assert sorted(set(ran)) == ["ROUTE001", "ROUTE003"]
