"""A sequence as a graph: every path from entry to its end, with the delay at each step.

Edges follow `schedule.following` (a step's `next`, else the step after it; a branch's
`then` and `else`). A path ends at an exit step, at a step with nothing after it, or
where it would come back to a step it already passed (a loop: the QA plan says where
it loops back to instead of walking it forever). `Hop.when` and `Path.ending_in` say a
path in English (the SEQ findings) or in the sequence page's locale.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from compiler.analysis import timing
from compiler.model.sequence import (
    BranchStep,
    Condition,
    ExitStep,
    SendStep,
    Sequence,
    Step,
    WaitStep,
)
from compiler.text.labels import Labels, _, labels


def following(sequence: Sequence) -> dict[str, list[str]]:
    """Each step's successors: `next` (or the following step), a branch's `then` and `else`."""
    steps = sequence.steps
    graph: dict[str, list[str]] = {}
    for index, step in enumerate(steps):
        after = steps[index + 1].id if index + 1 < len(steps) else None
        if isinstance(step, ExitStep):
            graph[step.id] = []
        elif isinstance(step, BranchStep):
            graph[step.id] = [step.then, step.otherwise or after or step.then]
        else:
            nxt = step.next or after
            graph[step.id] = [nxt] if nxt else []
    return graph


MAX_PATHS = 64
"""Paths listed per sequence; more are summarised (a sequence with that many paths is
itself the problem)."""


Segment = timedelta | WaitStep
"""A stretch of a path's timing: fixed waits added up, or one wait in business days or
until a time of day (whose length depends on when it starts)."""


@dataclass(frozen=True)
class Hop:
    """One step on a path: when it is reached, and the branch outcome taken from it."""

    step: Step
    delay: timedelta
    """Time from entry until the step is reached: exact when every wait before it is a
    duration, else the shortest it can be (`timing.least`)."""
    outcome: str | None = None
    """For a branch: `yes` or `no`, the arm this path takes."""
    timeline: tuple[Segment, ...] = ()
    """The waits before the step, fixed ones added up (`when` says them)."""

    @property
    def exact(self) -> bool:
        """Whether `delay` is the same for every contact."""
        return all(isinstance(s, timedelta) for s in self.timeline)

    def when(self, words: Labels | None = None) -> str:
        """`day 4, +6h`, or with a business wait `day 2, then the next business day at
        09:00, then +1d` (after entry; quiet hours may hold a send later still), in
        `words`' locale (English by default)."""
        words = words or labels()
        if self.exact:
            return when(self.delay, words)
        first = self.timeline[0]
        said = when(first, words) if isinstance(first, timedelta) else words(_("day {n}"), n=0)
        for segment in self.timeline[1:] if isinstance(first, timedelta) else self.timeline:
            if isinstance(segment, timedelta):
                after = f"+{_span(segment, words)}"
            else:
                after = timing.later(segment, words)
            said = words(_("{before}, then {after}"), before=said, after=after)
        return said


Ending = Literal["exit", "end", "loop", "missing"]
"""How a path ends: at an exit step, at a step with nothing after it, back at a step it
passed, or at a step the sequence does not have."""

_ENDINGS: dict[Ending, str] = {
    "exit": _("exit {step}"),
    "end": _("end"),
    "loop": _("loops back to {step}"),
    "missing": _("missing step {step}"),
}


@dataclass(frozen=True)
class Path:
    """Entry to end, in order."""

    hops: tuple[Hop, ...]
    end: Ending
    target: str = ""
    """The exit, the step looped back to or the missing step (none for `end`)."""

    @property
    def ending(self) -> str:
        """How the path ends, in English: `exit `<id>``, `end`, `loops back to `<id>``."""
        return self.ending_in(labels())

    def ending_in(self, words: Labels) -> str:
        """How the path ends, in a locale: `exit `done``, `sortie `done``."""
        return words(_ENDINGS[self.end], step=f"`{self.target}`")

    @property
    def sends(self) -> list[Hop]:
        """The emails this path receives, in order."""
        return [h for h in self.hops if isinstance(h.step, SendStep)]


def describe(condition: Condition, holds: bool = True) -> str:
    """`did `webinar_attended` within 5d`, `did not ...`, or `plan` eq 'pro'."""
    if condition.event:
        within = f" within {_duration(condition.within)}" if condition.within else ""
        return f"{'did' if holds else 'did not do'} `{condition.event}`{within}"
    test = f"`{condition.attribute}` {condition.op} {condition.value!r}"
    return test if holds else f"not {test}"


def _span(delta: timedelta, words: Labels) -> str:
    """A stretch after a day: `6h`, `1d6h` in campc's English shorthand, the locale's
    words elsewhere (`6 heures`, `1 Tag 6 Stunden`)."""
    return _duration(delta) if words.locale == "en" else words.duration(delta)


def _duration(delta: timedelta) -> str:
    days, seconds = delta.days, delta.seconds
    hours, minutes = seconds // 3600, seconds % 3600 // 60
    parts = [
        f"{days}d" if days else "",
        f"{hours}h" if hours else "",
        f"{minutes}m" if minutes else "",
    ]
    return "".join(parts) or "0m"


def when(delay: timedelta, words: Labels | None = None) -> str:
    """`day 4` or `day 4, +6h` after entry (day 0 is the entry day), in `words`' locale."""
    words = words or labels()
    extra = delay - timedelta(days=delay.days)
    day = words(_("day {n}"), n=delay.days)
    return day + (f", +{_span(extra, words)}" if extra else "")


def paths(sequence: Sequence) -> tuple[list[Path], bool]:
    """Every path from the first step, and whether the list was cut at MAX_PATHS."""
    by_id = {step.id: step for step in sequence.steps}
    graph = following(sequence)
    found: list[Path] = []
    cut = False

    def walk(
        step_id: str,
        delay: timedelta,
        trail: tuple[Hop, ...],
        seen: frozenset[str],
        line: tuple[Segment, ...] = (),
    ) -> None:
        nonlocal cut
        if len(found) >= MAX_PATHS:
            cut = True
            return
        step = by_id.get(step_id)
        if step is None:
            found.append(Path(trail, "missing", step_id))
            return
        if step_id in seen:
            found.append(Path(trail, "loop", step_id))
            return
        if isinstance(step, ExitStep):
            found.append(Path((*trail, Hop(step, delay, None, line)), "exit", step.id))
            return
        after, later = delay, line
        if isinstance(step, WaitStep):
            after = delay + timing.least(step)
            later = _then(line, step)
        nexts = graph.get(step_id, [])
        if isinstance(step, BranchStep):
            for outcome, target in zip(("yes", "no"), nexts, strict=False):
                hop = Hop(step, delay, outcome, line)
                walk(target, after, (*trail, hop), seen | {step_id}, later)
            return
        if not nexts:
            found.append(Path((*trail, Hop(step, delay, None, line)), "end"))
            return
        walk(nexts[0], after, (*trail, Hop(step, delay, None, line)), seen | {step_id}, later)

    if sequence.steps:
        walk(sequence.steps[0].id, timedelta(0), (), frozenset())
    return found, cut


def _then(line: tuple[Segment, ...], step: WaitStep) -> tuple[Segment, ...]:
    """The timeline after a wait: a duration added to the fixed stretch before it."""
    if step.duration is None:
        return (*line, step)
    if line and isinstance(line[-1], timedelta):
        return (*line[:-1], line[-1] + step.duration)
    return (*line, step.duration)


def reachable(sequence: Sequence) -> set[str]:
    """Ids of the steps some path from the first step reaches."""
    graph = following(sequence)
    seen: set[str] = set()
    pending = [sequence.steps[0].id] if sequence.steps else []
    while pending:
        step_id = pending.pop()
        if step_id in seen:
            continue
        seen.add(step_id)
        pending += graph.get(step_id, [])
    return seen


def instant_loops(sequence: Sequence) -> list[list[str]]:
    """Cycles of the graph that pass no wait step (each as its step ids, once)."""
    by_id = {step.id: step for step in sequence.steps}
    graph = following(sequence)
    loops: list[list[str]] = []
    seen_cycles: set[frozenset[str]] = set()
    budget = [10_000]  # simple paths can be exponential in the branches: stop looking

    def walk(step_id: str, trail: list[str]) -> None:
        budget[0] -= 1
        if budget[0] < 0:
            return
        if step_id in trail:
            cycle = trail[trail.index(step_id) :]
            key = frozenset(cycle)
            if key not in seen_cycles:
                seen_cycles.add(key)
                if not any(isinstance(by_id.get(s), WaitStep) for s in cycle):
                    loops.append(cycle)
            return
        if step_id not in by_id or isinstance(by_id[step_id], ExitStep):
            return
        for nxt in dict.fromkeys(graph.get(step_id, [])):
            walk(nxt, [*trail, step_id])

    if sequence.steps:
        walk(sequence.steps[0].id, [])
    return loops
