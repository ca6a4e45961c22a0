"""Reading spread over worker processes gives exactly what reading in-process gives."""

from __future__ import annotations

import concurrent.futures
import shutil
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import pytest

from compiler import cache, workers
from compiler.commands import pipeline
from compiler.load import repository
from tests.conftest import ROOT


def _load() -> tuple[list[Any], list[str]]:
    settings = pipeline.settings_for(ROOT)
    repo, problems = repository.load(settings.campaigns.resolve(), str, settings.policy)
    specs = [(s.path, s.doc.data, s.model.model_dump()) for s in [*repo.specs, *repo.registries]]
    return specs, [f"{d.location()} {d.code}" for d in problems]


def test_workers_read_what_one_process_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAMPC_JOBS", "1")
    serial = _load()
    monkeypatch.setenv("CAMPC_JOBS", "2")
    monkeypatch.setattr(repository, "PARALLEL_FROM", 1)
    calls = []
    real = concurrent.futures.ProcessPoolExecutor

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", counting)
    assert _load() == serial
    assert calls, "the workers were not used"


def test_a_broken_pool_falls_back_to_reading_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    serial = _load()
    monkeypatch.setenv("CAMPC_JOBS", "2")
    monkeypatch.setattr(repository, "PARALLEL_FROM", 1)

    class Broken:
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            raise BrokenProcessPool("a worker died")

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", Broken)
    assert _load() == serial


@pytest.mark.parametrize(("given", "expected"), [("3", 3), ("1", 1), ("0", None), ("x", None)])
def test_campc_jobs_sets_the_workers(
    monkeypatch: pytest.MonkeyPatch, given: str, expected: int | None
) -> None:
    monkeypatch.setenv("CAMPC_JOBS", given)
    found = workers.jobs()
    assert found == expected if expected is not None else 1 <= found <= 4


def test_entries_the_workers_pickled_are_what_the_cache_gives_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serial = _load()
    monkeypatch.setenv("CAMPC_JOBS", "2")
    monkeypatch.setattr(repository, "PARALLEL_FROM", 1)
    folder = tmp_path / "project"
    shutil.copytree(ROOT / "campaigns", folder / "campaigns")
    settings = pipeline.settings_for(ROOT)

    def load_cached() -> tuple[list[Any], list[str], int]:
        store = cache.Cache.open(folder)
        repo, problems = repository.load(
            (folder / "campaigns").resolve(), str, settings.policy, store
        )
        store.flush()
        specs = [(s.rel, s.doc.data, s.model.model_dump()) for s in [*repo.specs, *repo.registries]]
        return specs, [d.code for d in problems], store.hits

    cold = load_cached()
    warm = load_cached()
    assert cold[2] == 0
    assert warm[2] == len(cold[0])
    assert cold[:2] == warm[:2]
    assert [(data, dumped) for _, data, dumped in warm[0]] == [
        (data, dumped) for _, data, dumped in serial[0]
    ]
