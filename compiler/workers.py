"""Forked worker processes: how many, and one piece of work spread over them.

A fork shares the imported modules and everything loaded so far (a repository is never
pickled to reach a worker); only each worker's result comes back, pickled by the pool:
this process talking to its own children, never the cache. Unix only: where fork is
missing (Windows), or the CPUs a process may use are unknown (macOS, whose Python
prefers not to fork), the work stays in this process."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

PARALLEL_FROM = 200
"""Files or specs to work on from which the work is spread over worker processes."""


def jobs() -> int:
    """Worker processes: `CAMPC_JOBS`, else the CPUs this process may use (at most 4:
    past that, sending the results back costs more than the work saves)."""
    given = os.environ.get("CAMPC_JOBS", "").strip()
    if given.isdigit() and int(given) > 0:
        return int(given)
    return max(1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1))


_WORK: Callable[[int], Any] | None = None
"""The work of the pool running now: set before the fork, so the workers inherit it."""


def forked(work: Callable[[int], T], count: int, workers: int) -> list[T] | None:
    """`work(0)` to `work(count - 1)` in up to `workers` forked processes, the results in
    order (the pool pickles each on its way back); None when fork is missing or a worker
    died (the caller then does the work itself: a dying machine slows a run down, never
    changes its result)."""
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    global _WORK
    _WORK = work
    try:
        with ProcessPoolExecutor(workers, multiprocessing.get_context("fork")) as pool:
            return list(pool.map(_one, range(count)))
    except (BrokenProcessPool, OSError):
        return None
    finally:
        _WORK = None


def _one(index: int) -> Any:
    assert _WORK is not None
    return _WORK(index)
