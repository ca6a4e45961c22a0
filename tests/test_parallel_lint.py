"""Rules spread over worker processes find exactly what they find in one process.

`campc check` shares the spec-scoped rules and what the repository-wide rules collect
among forked workers, each on a share of the specs (`Related.shares`) and the specs
related to it; every spec's findings must be the ones a single process makes."""

from __future__ import annotations

import shutil
import sys
from concurrent.futures.process import BrokenProcessPool
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
from compiler.diagnostics import to_data
from compiler.lint import runner
from compiler.load import repository
from compiler.project import inputs
from compiler.project.repository import Baseline
from tests.conftest import ROOT, count_forks

CASES = Path(__file__).parent / "rules" / "cases"


def _failing_case(path: Path) -> dict[str, Any]:
    """The first case of `path` that expects findings, with the file's shared files."""
    data = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
    case = next(c for c in data["cases"] if c["expect"])
    files = {**data.get("files", {}), **case.get("files", {})}
    return {**case, "files": files, "codes": [data["rule"], *case.get("also_select", [])]}


def _check(
    folder: Path, codes: list[str] | None, spread: bool, base: Baseline | None = None
) -> list[Any]:
    policy = load_settings(folder).policy
    settings = Settings(
        root=folder,
        campaigns=folder,
        outputs=folder / "outputs",
        schemas=folder / "schemas",
        lint=LintSettings(select=tuple(codes)) if codes else LintSettings(),
        policy=policy,
    )
    result = pipeline.check(settings, cwd=folder, spread=spread, base=base)
    return [to_data(d) for d in result.diagnostics]


@pytest.fixture
def spread_always(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Workers for any number of specs; the list counts the pools started."""
    monkeypatch.setattr(repository, "PARALLEL_FROM", sys.maxsize)  # load in-process
    return count_forks(monkeypatch, runner)


@pytest.mark.parametrize("case_file", sorted(CASES.glob("*.yaml")), ids=lambda p: p.stem)
def test_each_rules_failing_case_finds_the_same_spread(
    tmp_path: Path, case_file: Path, spread_always: list[int]
) -> None:
    case = _failing_case(case_file)
    folder = tmp_path / "head"
    for name, content in case["files"].items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(content, encoding="utf-8")
    base = None
    if "base" in case:  # the lock's rules: `campc check --base`
        for name, content in case["base"].items():
            (tmp_path / "base" / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / "base" / name).write_text(content, encoding="utf-8")
        policy = load_settings(folder).policy
        repo, _ = repository.load(tmp_path / "base", str, policy, Cache.off())
        base = Baseline("base", repo, date.fromisoformat(str(case["as_of"])))
    serial = _check(folder, case["codes"], False, base)
    assert not spread_always
    assert serial, f"{case_file.stem}: its failing case found nothing"
    # a pyproject.toml among the files is a policy, read by load_settings, never a spec
    assert _check(folder, case["codes"], True, base) == serial
    specs = any("kind:" in text and "id:" in text for text in case["files"].values())
    assert bool(spread_always) == specs, "the workers were not used"  # none for registries


def test_the_example_repository_with_every_rule_finds_the_same_spread(
    tmp_path: Path, spread_always: list[int]
) -> None:
    folder = tmp_path / "campaigns"
    shutil.copytree(ROOT / "campaigns", folder)
    # findings on a spec, on a missing template and on a template two sends share
    launch = next(folder.rglob("pulse-launch-2027.yaml"))
    launch.write_text(launch.read_text().replace("launch/reminder.html", "launch/missing.html"))
    other = next(p for p in sorted(folder.rglob("*.yaml")) if "kind: sequence" in p.read_text())
    other.write_text(other.read_text().replace("owner:", "owner: nobody\nowner_:", 1))
    shared = folder / "templates" / "launch" / "announcement.html"
    shared.write_text(shared.read_text().replace("<h1>", "<h1>{{ frist_name }}", 1))
    serial = _check(folder, None, spread=False)
    codes = {d["code"] for d in serial}
    assert "EMAIL001" in codes, codes
    assert len(codes) >= 3, codes
    assert _check(folder, None, spread=True) == serial
    assert spread_always


def test_a_broken_pool_leaves_the_rules_to_this_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "campaigns"
    shutil.copytree(ROOT / "campaigns", folder)
    serial = _check(folder, None, spread=False)
    monkeypatch.setenv("CAMPC_JOBS", "2")
    monkeypatch.setattr(runner, "PARALLEL_FROM", 1)

    class Broken:
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            raise BrokenProcessPool("a worker died")

    import concurrent.futures

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", Broken)
    assert _check(folder, None, spread=True) == serial


def test_shares_hold_every_spec_once_with_its_related_specs() -> None:
    settings = pipeline.settings_for(ROOT)
    repo, _ = repository.load(settings.campaigns.resolve(), str, settings.policy)
    related = inputs.Related(repo)
    todo = list(repo.specs)
    for count in (1, 2, 3, 4):
        shares = related.shares(todo, count)
        assert len(shares) == count
        assert sorted(s.path for share in shares for s in share) == sorted(s.path for s in todo)
        where = {spec.path: n for n, share in enumerate(shares) for spec in share}
        for spec in todo:
            for other in related.of(spec):
                assert where[other.path] == where[spec.path], (spec.path, other.path)
        order = {spec.path: n for n, spec in enumerate(todo)}
        for share in shares:
            assert [order[s.path] for s in share] == sorted(order[s.path] for s in share)
    lone = [s for s in todo if not related.of(s)]
    assert lone, "the example has specs related to none"
    two = related.shares(lone, 2)
    assert abs(len(two[0]) - len(two[1])) <= 1, "unrelated specs are dealt evenly"
