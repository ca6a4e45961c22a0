"""The pre-registration lock: once an experiment has started, its design does not change
without a recorded amendment.

An experiment is locked when the base revision's version of it (the one reviewed and
merged) starts on or before the as-of date (`campc check --as-of`, by default the date
of the commit being checked: never the clock, so a check gives the same answer
tomorrow). Its locked fields are the ones a p-hacker would move: the primary and
co-primary metrics (all but their `source`), MDE, alpha, power, sides, method and
correction, the variants (ids, weights, subjects and preheaders), looks and spending,
the guardrails (metric, threshold, margin, baseline, direction), the unit, the audience,
the population and the start itself. Fields compare by their validated values, so
reformatting a spec (`0.030` for `0.03`, flow or block style) changes nothing.

Names are dotted paths with list items by id (`variants.pain-point.weight`,
`guardrails.unsubscribe_rate.margin`); an amendment's `fields` cover a path and
everything under it (`variants` covers every variant's weight).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from compiler.diagnostics import Loc
from compiler.model.experiment import LOCKED as LOCKED_FIELDS
from compiler.model.experiment import Amendment, Experiment

LOCKED = tuple(name for name in LOCKED_FIELDS if name != "id")
"""What `fields` compares (an id change is found by matching files: EXP009)."""
_UNLOCKED = {"source", "name", "description"}
"""Words, not design: a metric's source, a variant's name and description."""
_ITEM_KEYS = {"variants": "id", "guardrails": "metric", "co_primary_metrics": "metric"}


@dataclass(frozen=True)
class LockedChange:
    """One locked field that differs from the base revision."""

    field: str
    """Its dotted name (`primary_metric.mde`)."""
    loc: Loc
    """Where it is in the head's spec (its nearest ancestor when removed)."""
    before: str
    after: str
    amendment: Amendment | None
    """The amendment that covers it, if any."""


def started(experiment: Experiment, as_of: date) -> bool:
    """Whether the experiment had started by `as_of` (its lock applies)."""
    return experiment.start <= as_of


def _text(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_text(v) for v in value) + "]"
    return str(value)


def _flatten(value: Any, name: str, loc: Loc, out: dict[str, tuple[Loc, str]]) -> None:
    """`value` as dotted names -> (loc, text); list items by their id where they have one."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in _UNLOCKED:
                continue
            _flatten(item, f"{name}.{key}", (*loc, key), out)
        return
    field = name.split(".", 1)[0]
    if isinstance(value, list) and field in _ITEM_KEYS and name == field:
        key = _ITEM_KEYS[field]
        for index, item in enumerate(value):
            label = item.get(key, index) if isinstance(item, dict) else index
            _flatten(item, f"{name}.{label}", (*loc, index), out)
        return
    out[name] = (loc, _text(value))


def fields(experiment: Experiment) -> dict[str, tuple[Loc, str]]:
    """Every locked field of an experiment: dotted name -> (where, its value as text)."""
    data = experiment.model_dump(mode="json", exclude_defaults=False)
    found: dict[str, tuple[Loc, str]] = {}
    for name in LOCKED:
        _flatten(data.get(name), name, (name,), found)
    return found


def covers(amendment: Amendment, field: str) -> bool:
    """Whether an amendment names `field` or a path above it."""
    return any(field == f or field.startswith(f + ".") for f in amendment.fields)


def changes(before: Experiment, after: Experiment, as_of: date | None = None) -> list[LockedChange]:
    """The locked fields `after` changes from `before`, each with the amendment that
    covers it (the latest that does, dated by `as_of`: a later one amends nothing yet)."""
    if before == after:
        return []  # the locked fields are the model's own: equal models change none
    was, now = fields(before), fields(after)
    found = []
    for name in sorted(was.keys() | now.keys()):
        old = was.get(name, ((), "(none)"))[1]
        new = now.get(name, ((), "(none)"))[1]
        if old == new:
            continue
        loc = now[name][0] if name in now else _parent(name, now, was)
        amendments = [
            a for a in after.amendments if covers(a, name) and (as_of is None or a.date <= as_of)
        ]
        chosen = max(amendments, key=lambda a: a.date) if amendments else None
        found.append(LockedChange(name, loc, old, new, chosen))
    return found


def _parent(name: str, now: dict[str, tuple[Loc, str]], was: dict[str, tuple[Loc, str]]) -> Loc:
    """Where a removed field was: its base loc cut to the part the head still has."""
    loc = was[name][0]
    held = {step for entry in now.values() for step in _prefixes(entry[0])}
    while loc and loc not in held:
        loc = loc[:-1]
    return loc


def _prefixes(loc: Loc) -> list[Loc]:
    return [loc[:n] for n in range(1, len(loc) + 1)]
