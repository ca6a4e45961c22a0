"""Reading spread over worker processes gives exactly what reading in-process gives."""

from __future__ import annotations

import concurrent.futures
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import pytest

from compiler import pipeline, repository
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
    found = repository.jobs()
    assert found == expected if expected is not None else 1 <= found <= 4
