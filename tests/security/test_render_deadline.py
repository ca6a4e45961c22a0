"""SECURITY.md: a template that runs too long is stopped, and the stop lands in it.

The render deadline is a signal. Python delivers it to whatever Python code runs at
that moment; when that is a garbage collector callback or a `__del__` (a test runner's,
a library's, one a plugin installed), the exception is "unraisable": Python swallows it,
reports it on stderr (pytest then fails an unrelated test) and the render runs on. Here
such code runs constantly during a slow render: the render must still end in a timeout
finding, and nothing may be reported as unraisable.
"""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from compiler.email import sandbox

SLOW = (
    "line one\nline two\n"
    "{% for i in range(99999) %}{% for j in range(99999) %}{{ i }}{% endfor %}{% endfor %}"
)


HANG = 30
"""Seconds past the deadline after which a render is taken to hang (a loaded machine is
slow, never this slow)."""


def _busy(milliseconds: float) -> None:
    stop = time.perf_counter() + milliseconds / 1000
    while time.perf_counter() < stop:
        pass


class Noisy:
    """An object whose finaliser runs Python code for a while."""

    def __del__(self) -> None:
        _busy(0.5)


@pytest.fixture
def unraisable() -> Iterator[list[Any]]:
    """What Python reports as unraisable during the test."""
    seen: list[Any] = []
    previous = sys.unraisablehook
    sys.unraisablehook = seen.append
    try:
        yield seen
    finally:
        sys.unraisablehook = previous


@pytest.fixture
def busy_collector() -> Iterator[None]:
    """A garbage collector callback that runs 1 ms of Python on every collection, and
    collections that happen often."""

    def callback(phase: str, info: dict[str, int]) -> None:
        _busy(1)

    threshold = gc.get_threshold()
    gc.set_threshold(50)
    gc.callbacks.append(callback)
    try:
        yield
    finally:
        gc.callbacks.remove(callback)
        gc.set_threshold(*threshold)


def _template(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "slow.html").write_text(text, encoding="utf-8")
    return folder


def test_a_slow_template_times_out_in_itself_despite_collector_callbacks(
    tmp_path: Path, unraisable: list[Any], busy_collector: None
) -> None:
    folder = _template(tmp_path, SLOW)
    env = sandbox.environment(folder)
    started = time.monotonic()
    with pytest.raises(sandbox.TemplateProblem) as caught:
        sandbox.render(env, folder, "slow.html", {})
    took = time.monotonic() - started
    assert "took longer than" in caught.value.message, caught.value.message
    assert took < sandbox.RENDER_SECONDS + HANG, took  # ended: not a speed measurement
    assert unraisable == []


def test_a_slow_template_times_out_in_itself_despite_finalisers(
    tmp_path: Path, unraisable: list[Any]
) -> None:
    folder = _template(tmp_path, SLOW.replace("{{ i }}", "{{ i|g }}"))
    env = sandbox.environment(folder)

    def make_garbage(value: object) -> object:
        # a reference cycle holding a finaliser: freed by the collector, mid-render
        noisy = Noisy()
        noisy.self = noisy  # type: ignore[attr-defined]
        return value

    env.filters["g"] = make_garbage
    threshold = gc.get_threshold()
    gc.set_threshold(20)
    try:
        with pytest.raises(sandbox.TemplateProblem) as caught:
            sandbox.render(env, folder, "slow.html", {})
    finally:
        gc.set_threshold(*threshold)
    assert "took longer than" in caught.value.message, caught.value.message
    assert unraisable == []


def test_the_deadline_lands_outside_the_render_only_as_a_last_resort(
    unraisable: list[Any],
) -> None:
    """Python code that is no template's (here a loop in this test module) is never
    interrupted before the deadline's grace second is over, and is interrupted then."""

    def spin() -> None:
        with sandbox.limits():
            while True:
                _busy(10)

    started = time.monotonic()
    with pytest.raises(TimeoutError):
        spin()
    took = time.monotonic() - started
    assert took >= sandbox.RENDER_SECONDS + 1, took  # not before the grace second
    assert took < sandbox.RENDER_SECONDS + HANG, took
    assert unraisable == []


def test_the_deadline_leaves_nothing_behind() -> None:
    import signal

    before = signal.getsignal(signal.SIGALRM)
    with sandbox.limits():
        pass
    assert signal.getsignal(signal.SIGALRM) is before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
