"""Experiment plans kept across runs (`experiments.planned`, `Repository.kept`): what comes
back from the cache equals a plan worked out fresh, for every experiment of the example
repository and variations of them (looks and spending, a send to a list, CUPED, Holm,
ratio metrics); a later run takes them from the cache; a check does not drop them; the
pack they are in stays bounded; data of another shape is worked out again."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from compiler import cache
from compiler.analysis import experiments, plain
from compiler.analysis.experiments import ExperimentPlan, list_size, plan, planned
from compiler.commands import pipeline
from compiler.config import settings
from compiler.load.repository import load
from compiler.model.experiment import Experiment
from compiler.project.repository import Repository
from tests.conftest import ROOT


def _example() -> Repository:
    repo, problems = load(ROOT / "campaigns", str)
    assert not [p for p in problems if p.severity.value == "error"]
    return repo


def _variations(repo: Repository) -> Iterator[tuple[Experiment, int | None]]:
    """Each example experiment, then each with looks and spending, as a send to a list
    and back, with and without its list size."""
    for spec in repo.specs:
        model = spec.model
        if not isinstance(model, Experiment):
            continue
        size = list_size(repo, model)
        yield model, size
        yield model, None
        for looks, spending in ((2, "pocock"), (4, "obf"), (5, "obf-classical")):
            yield model.model_copy(update={"looks": looks, "spending": spending}), size
        yield model.model_copy(update={"whole_weeks": not model.whole_weeks}), size
        yield model.model_copy(update={"power": 0.9, "alpha": 0.01}), size


def test_a_plan_as_the_cache_keeps_it_is_the_plan() -> None:
    repo = _example()
    kinds: set[str] = set()
    for model, size in _variations(repo):
        made = plan(model, size)
        if made is None:
            continue
        kinds.update(
            name
            for name in ("sequential", "batch", "looks", "needs")
            if getattr(made, name) not in (None, ())
        )
        kept = cache._decode(cache._encode(plain.to_plain(made)))  # the JSON the cache keeps
        assert plain.from_plain(ExperimentPlan, kept) == made
        assert repr(plain.from_plain(ExperimentPlan, kept)) == repr(made)  # ints stay ints
    assert kinds == {"sequential", "batch", "looks", "needs"}  # every part was there


@pytest.mark.parametrize(
    "data",
    [
        [],
        {"design": None},
        "2027-01-01",
        {"unknown": 1},
    ],
)
def test_data_of_another_shape_is_refused(data: Any) -> None:
    with pytest.raises(ValueError):  # noqa: PT011  (the one error it may raise)
        plain.from_plain(ExperimentPlan, data)


def test_another_shape_from_the_cache_is_worked_out_again() -> None:
    repo = _example()
    model = next(s.model for s in repo.specs if isinstance(s.model, Experiment))
    assert isinstance(model, Experiment)
    repo.kept = lambda kind, key, make: {"design": "forged"}  # what an older campc kept
    assert planned(repo, model, list_size(repo, model)) == plan(model, list_size(repo, model))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "campaigns", tmp_path / "campaigns")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _plans_worked_out(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    made: list[str] = []
    original = experiments.plan

    def counting(model: Experiment, population: int | None = None) -> ExperimentPlan | None:
        made.append(model.id)
        return original(model, population)

    monkeypatch.setattr(experiments, "plan", counting)
    return made


def test_a_later_run_takes_the_plans_from_the_cache_and_a_check_keeps_them(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = _plans_worked_out(monkeypatch)

    def build() -> dict[str, bytes]:
        store = pipeline.open_cache(settings.load(project))
        result = pipeline.build(settings.load(project), cwd=project, cache=store)
        assert result.out is not None
        return {
            p.relative_to(result.out).as_posix(): p.read_bytes() for p in result.out.rglob("*.md")
        }

    first = build()
    assert made  # every experiment planned once
    made.clear()
    spec = project / "campaigns" / "performance" / "pricing-page-cta.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("daily: 4200", "daily: 5200"))
    store = pipeline.open_cache(settings.load(project))
    pipeline.check(settings.load(project), cwd=project, cache=store)
    assert set(made) <= {"pricing-page-cta"}  # only the changed experiment, if any
    made.clear()
    second = build()
    assert set(made) <= {"pricing-page-cta"}  # the others came from the cache
    assert second != first
    made.clear()
    fresh = project.parent / "fresh"
    shutil.copytree(project, fresh)
    shutil.rmtree(fresh / cache.FOLDER)
    store = pipeline.open_cache(settings.load(fresh), enabled=False)
    result = pipeline.build(settings.load(fresh), cwd=fresh, cache=store)
    assert result.out is not None
    assert {
        p.relative_to(result.out).as_posix(): p.read_bytes() for p in result.out.rglob("*.md")
    } == second


def test_the_kept_pack_keeps_what_it_held_until_its_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def store() -> cache.Cache:
        return cache.Cache.open(tmp_path)

    first = store()
    first.put("plans", "a", ["x" * 100])
    first.flush()
    second = store()
    assert second.get("plans", "b") is None  # reads the pack, uses nothing of it
    second.put("plans", "b", ["y"])
    second.flush()
    third = store()
    assert third.get("plans", "a") == ["x" * 100]  # kept though the second run did not use it
    assert third.get("plans", "b") == ["y"]
    monkeypatch.setattr(cache, "KEPT_LIMIT", 150)
    fourth = store()
    assert fourth.get("plans", "c") is None
    fourth.put("plans", "c", ["z" * 100])
    fourth.flush()  # a, b and c are past the limit: what this run used alone
    fifth = store()
    assert fifth.get("plans", "c") == ["z" * 100]
    assert fifth.get("plans", "a") is None  # dropped
    assert fifth.get("plans", "b") is None
