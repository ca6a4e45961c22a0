"""Rule tests as data: every `cases/<CODE>.yaml` lists passing and failing repositories.

A case file holds `rule`, optional `files` shared by every case, and `cases`:
each with a `name`, its own `files` (path -> content), `expect`, the
findings as `[path, line, col, code]`, and optionally `message`, words one of the rule's
findings must say (every rule has a case that asserts its words). Only the rule under test runs (the
loader's codes always do), so cases stay small. A `pyproject.toml` among the
files sets the project's policies (budget caps, markets, quiet hours). A case's `base`
(path -> content) is the repository at the base revision of `campc check --base`, judged
on its `as_of` date (the pre-registration lock's rules).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from compiler.cache import Cache
from compiler.commands import pipeline
from compiler.config.lint import LintSettings
from compiler.config.settings import Settings
from compiler.config.settings import load as load_settings
from compiler.load.repository import load as load_repository
from compiler.project.repository import Baseline
from compiler.rules import RULES

CASES = Path(__file__).parent / "cases"
CASE_FILES = sorted(CASES.glob("*.yaml"))


def _load(path: Path) -> dict[str, Any]:
    data = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _cases() -> list[Any]:
    params = []
    for path in CASE_FILES:
        data = _load(path)
        for case in data["cases"]:
            params.append(
                pytest.param(
                    data["rule"], data.get("files", {}), case, id=f"{path.stem}:{case['name']}"
                )
            )
    return params


@pytest.mark.parametrize(("code", "shared", "case"), _cases())
def test_rule_case(tmp_path: Path, code: str, shared: dict[str, str], case: dict[str, Any]) -> None:
    for name, content in {**shared, **case.get("files", {})}.items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
    # a case's pyproject.toml sets policies (caps, markets); it is not a spec
    policy = load_settings(tmp_path).policy
    (tmp_path / "pyproject.toml").unlink(missing_ok=True)
    settings = Settings(
        root=tmp_path,
        campaigns=tmp_path,
        outputs=tmp_path / "outputs",
        schemas=tmp_path / "schemas",
        lint=LintSettings(select=(code, *case.get("also_select", []))),
        policy=policy,
    )
    base = None
    if "base" in case:
        folder = tmp_path.with_name(tmp_path.name + "-base")
        for name, content in case["base"].items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(content, encoding="utf-8")
        repo, _ = load_repository(folder, str, policy, Cache.off())
        base = Baseline("base", repo, date.fromisoformat(str(case["as_of"])))
    result = pipeline.check(settings, cwd=tmp_path, base=base)
    found = [[d.path, d.line, d.col, d.code] for d in result.diagnostics]
    expected = sorted(case["expect"])
    assert found == expected, "\n".join(
        f"{d.location()}: {d.code} {d.message}" for d in result.diagnostics
    )
    if "message" in case:
        said = [d.message for d in result.diagnostics if d.code == code]
        assert any(case["message"] in m for m in said), said


def test_every_lint_rule_has_a_case_file_with_passing_and_failing_cases() -> None:
    covered = {}
    for path in CASE_FILES:
        data = _load(path)
        assert path.stem == data["rule"], f"{path.name} holds cases of {data['rule']}"
        outcomes = {bool(case["expect"]) for case in data["cases"]}
        covered[data["rule"]] = outcomes
        assert any("message" in case for case in data["cases"]), (
            f"{path.name}: no case says what a finding must say (`message:`)"
        )
    for code, rule in RULES.items():
        if not rule.ignorable:
            continue  # loader findings: tests/examples/invalid covers them
        assert covered.get(code) == {True, False}, f"{code} needs passing and failing cases"
