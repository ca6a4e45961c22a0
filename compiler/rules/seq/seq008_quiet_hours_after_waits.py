"""A sequence send that the waits before it push into quiet hours for some contacts.

## What it does
Adds up the waits on every path to each send. A send whose delay after entry is a whole
number of days goes out at the time of day the contact entered; any other delay moves
it around the clock. Assuming contacts enter outside quiet hours (a send on entry goes
out then), the rule works out which entry times put the send inside quiet hours and
reports the send with that range. A wait that ends `at` a time of day sets the clock
for every contact (business days without `at` keep it): a send that then lands inside
quiet hours does so for all of them. Quiet hours are the sequence's own `quiet_hours`,
else the project's `[tool.campc.calendar] quiet-hours`; the finding says what their
action does with the send (`defer` holds it and moves the steps after it, `skip`
drops it).

## Why is this bad?
A sequence runs per contact, whenever each one enters, so no single date shows the
problem: a 10-hour wait after a 14:00 welcome email means a 00:00 follow-up. The
platform either sends it at night or holds it until morning, and then the next wait
starts late and the whole path drifts from its plan. (A cohort with a known
`cohort_enters` time is checked send by send by CAL002.)

## Example
```yaml
quiet_hours: {start: "20:00", end: "08:00"}
steps:
  - {id: welcome, type: send, email: {...}}
  - {id: pause, type: wait, duration: 10h}
  - {id: reminder, type: send, email: {...}}   # contacts entering 10:00-20:00 get it at night
```

## Use instead
```yaml
  - {id: pause, type: wait, duration: 1d}
```
Waits that add up to whole days keep every send at its contact's entry time.

## Options
`[tool.campc.calendar] quiet-hours = "21:00-08:00"` for sequences without their own.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import time, timedelta
from functools import cache
from typing import TYPE_CHECKING

from compiler.analysis.sequences import Segment, paths
from compiler.analysis.timing import in_quiet as quiet
from compiler.analysis.timing import quiet_hours
from compiler.diagnostics import Diagnostic, Rule, Severity
from compiler.model.sequence import Sequence

if TYPE_CHECKING:
    from compiler.project.repository import Repository


DAY = 24 * 60


@cache
def _quiet_minutes(start: time, end: time) -> tuple[bool, ...]:
    return tuple(quiet(time(m // 60, m % 60), start, end) for m in range(DAY))


def bad_entries(shift: int, quiet: tuple[bool, ...]) -> list[tuple[int, int]]:
    """Entry minutes (outside quiet hours) whose send, `shift` minutes later on the clock,
    lands inside them: as `[start, end)` ranges of the day, a range past midnight joined."""
    bad = [not quiet[m] and quiet[(m + shift) % DAY] for m in range(DAY)]
    ranges: list[tuple[int, int]] = []
    m = 0
    while m < DAY:
        if not bad[m]:
            m += 1
            continue
        start = m
        while m < DAY and bad[m]:
            m += 1
        ranges.append((start, m))
    if len(ranges) > 1 and ranges[0][0] == 0 and ranges[-1][1] == DAY:
        ranges = [(ranges[-1][0], ranges[0][1] + DAY), *ranges[1:-1]]
    return ranges


def _clock(minute: int) -> str:
    minute %= DAY
    return f"{minute // 60:02d}:{minute % 60:02d}"


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding for each send some entry times push into quiet hours."""
    rule = RULE
    for spec in repo.specs:
        sequence = spec.model
        if not isinstance(sequence, Sequence):
            continue
        hours, action = quiet_hours(repo, sequence)
        if hours is None:
            continue
        quiet = _quiet_minutes(*hours)
        then = (
            f", where it waits until {hours[1]:%H:%M} and the steps after it move"
            if action == "defer"
            else ", where it is skipped"
        )
        index = {step.id: i for i, step in enumerate(sequence.steps)}
        reported: set[str] = set()
        found, _ = paths(sequence)
        for path in found:
            for hop in path.sends:
                step = hop.step
                if step.id in reported:
                    continue
                anchor, shift = _clock_after(hop.timeline)
                if anchor is not None:
                    at = (anchor + shift) % DAY
                    if not quiet[at]:
                        continue
                    said = f"at {_clock(at)} for every contact ({hop.when()} after entry)"
                    hint = "end the wait before it at a time outside quiet hours"
                else:
                    ranges = bad_entries(shift, quiet) if shift else []
                    if not ranges:
                        continue
                    entries = ", ".join(f"{_clock(a)}-{_clock(b)}" for a, b in ranges)
                    said = f"at {hop.when()} after entry, so contacts who enter {entries} get it"
                    hint = (
                        "make the waits before it add up to whole days, so each send goes "
                        "out at its contact's entry time"
                    )
                reported.add(step.id)
                line, col = spec.doc.value_at(("steps", index[step.id], "id"))
                yield rule.diagnostic(
                    spec.path,
                    line,
                    col,
                    f"send `{step.id}` comes {said} inside quiet hours "
                    f"{hours[0]:%H:%M}-{hours[1]:%H:%M}{then}",
                    hint,
                )


def _clock_after(timeline: tuple[Segment, ...]) -> tuple[int | None, int]:
    """The time of day a step comes at, in minutes: the last `at` before it (None: the
    contact's entry time) and the minutes of fixed waits after that, modulo a day
    (business days without `at` keep the time of day)."""
    anchor: int | None = None
    shift = 0
    for segment in timeline:
        if isinstance(segment, timedelta):
            shift += int(segment.total_seconds() // 60)
        elif segment.at is not None:
            anchor, shift = segment.at.hour * 60 + segment.at.minute, 0
    return anchor, shift % DAY


RULE = Rule(
    code="SEQ008",
    name="quiet-hours-after-waits",
    severity=Severity.WARNING,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # one sequence's own steps and quiet hours (the project's as a default)
)
