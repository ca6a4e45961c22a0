"""The reference lead scorer: the one place the scoring semantics are defined.

For a lead, its events and an `as_of` date, in this order:

1. **Fit.** Each fit rule tests one attribute: `eq`, `ne`, `gt`, `gte`, `lt`, `lte`
   (numbers compare as numbers, everything else as text), `in` / `not_in` (a list),
   `between` (`[low, high]`, both included), `regex` (the pattern found anywhere in
   the value as text), `exists` (not null). A missing or null attribute makes every
   test false. Each true rule adds its signed `points`. Fit is the sum, capped at
   `caps.fit`.
2. **Behaviour.** Only events on or before the `as_of` day count; an event's age is
   the whole days from its date to `as_of`. A behaviour rule counts every event of
   its type whose age is below its `within` (if set) and below `expire_after` (the
   rule's decay, else the model's); each adds `points x 0.5^(age / half_life)` (no
   decay without a half-life) rounded to 2 decimals, half away from zero, so that
   every engine sums the same cents; a rule marked `once` counts only its most
   recent event, and a rule with a `limit` at most `max` events (the most recent)
   in each period of `per` days, periods counted back from `as_of` (age // per).
   A rule's total is its events' sum, its magnitude capped at `max_points`.
   Behaviour is the sum of the rule totals, capped at `caps.behaviour`.
3. **Total** = fit + behaviour, capped at `caps.total` and raised to `caps.floor`
   (without a floor, negative points can take a score below zero).
4. **Grade**: the first grade, in declared order, whose `min_fit` the fit reaches.
5. **Stage**: `disqualified` if any disqualifier holds (an attribute test as in fit
   rules, or an event that happened on or before `as_of`), else `sql` from the SQL
   threshold, `mql` from the MQL threshold, else `none`.

The SQL back-end must implement exactly this; tests hold the two together.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from compiler.model.scoring import Attribute, BehaviourRule, Decay, Predicate, ScoringModel


@dataclass(frozen=True)
class LeadEvent:
    """One event of a lead."""

    event: str
    at: datetime


@dataclass(frozen=True)
class Score:
    """A lead's score and why."""

    fit: float
    behaviour: float
    total: float
    grade: str | None
    stage: str
    contributions: dict[str, float] = field(default_factory=dict)
    """Rule id -> points it gave (fit rules, then behaviour rules)."""


def round2(value: float) -> float:
    """Round to 2 decimals, half away from zero, as DuckDB's ROUND does on doubles."""
    scaled = abs(value * 100)
    whole = math.floor(scaled)
    if scaled - whole >= 0.5:
        whole += 1
    return math.copysign(whole, value) / 100 if whole else 0.0


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        return float(value)
    try:
        return float(str(value))
    except ValueError:
        return None


def _matches(rule: Predicate, value: Any, attribute: Attribute | None) -> bool:
    if value is None:
        return False
    if rule.op == "exists":
        return True
    numeric = attribute is not None and attribute.type == "number"
    if rule.op == "regex":
        return re.search(str(rule.value), _text(value)) is not None
    if rule.op == "between":
        assert isinstance(rule.value, list)
        low, high = rule.value
        if numeric:
            number, lower, upper = _number(value), _number(low), _number(high)
            if number is None or lower is None or upper is None:
                return False
            return lower <= number <= upper
        return _text(low) <= _text(value) <= _text(high)
    if rule.op in ("in", "not_in"):
        options = rule.value if isinstance(rule.value, list) else [rule.value]
        if numeric:
            found = _number(value) in {_number(o) for o in options}
        else:
            found = str(value) in {str(o) for o in options}
        return found if rule.op == "in" else not found
    if numeric or rule.op in ("gt", "gte", "lt", "lte"):
        left, right = _number(value), _number(rule.value)
        if left is None or right is None:
            return False
        compare: tuple[float, float] | tuple[str, str] = (left, right)
    else:
        compare = (_text(value), _text(rule.value))
    a, b = compare
    return {
        "eq": a == b,
        "ne": a != b,
        "gt": a > b,  # type: ignore[operator]
        "gte": a >= b,  # type: ignore[operator]
        "lt": a < b,  # type: ignore[operator]
        "lte": a <= b,  # type: ignore[operator]
    }[rule.op]


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _cap(value: float, cap: int | None) -> float:
    return min(value, cap) if cap is not None else value


def _rule_points(rule: BehaviourRule, ages: Iterable[int], default: Decay | None) -> float:
    decay = rule.decay or default
    half_life = decay.half_life.days if decay and decay.half_life else None
    expire = decay.expire_after.days if decay and decay.expire_after else None
    within = rule.within.days if rule.within else None
    eligible = [
        age for age in ages if (within is None or age < within) and (expire is None or age < expire)
    ]
    if rule.once and eligible:
        eligible = [min(eligible)]
    elif rule.limit is not None:
        kept: dict[int, list[int]] = {}
        for age in sorted(eligible):
            period = kept.setdefault(age // rule.limit.per.days, [])
            if len(period) < rule.limit.max:
                period.append(age)
        eligible = [age for ages_in in kept.values() for age in ages_in]
    total = 0.0
    for age in eligible:
        weight = 0.5 ** (age / half_life) if half_life else 1.0
        total += round2(rule.points * weight)
    total = round2(total)  # a sum of cents, cleared of floating-point noise
    if rule.max_points is not None and abs(total) > rule.max_points:
        total = math.copysign(rule.max_points, total)
    return total


def score(
    model: ScoringModel, attributes: Mapping[str, Any], events: Iterable[LeadEvent], as_of: date
) -> Score:
    """Score one lead as of a date."""
    contributions: dict[str, float] = {}
    for rule in model.fit:
        attribute = model.catalog.attributes.get(rule.attribute)
        hit = _matches(rule, attributes.get(rule.attribute), attribute)
        contributions[rule.id] = float(rule.points) if hit else 0.0
    fit = _cap(sum(contributions.values()), model.caps.fit)
    ages: dict[str, list[int]] = {}
    for event in events:
        age = (as_of - event.at.date()).days
        if age >= 0:
            ages.setdefault(event.event, []).append(age)
    behaviour_parts = {}
    for behaviour_rule in model.behaviour:
        behaviour_parts[behaviour_rule.id] = _rule_points(
            behaviour_rule, ages.get(behaviour_rule.event, []), model.decay
        )
    contributions.update(behaviour_parts)
    behaviour = round2(_cap(sum(behaviour_parts.values()), model.caps.behaviour))
    total = _cap(fit + behaviour, model.caps.total)
    if model.caps.floor is not None:
        total = max(total, model.caps.floor)
    total = round2(total)
    grade = next((g.grade for g in model.grades if fit >= g.min_fit), None)
    disqualified = any(
        (d.event is not None and d.event in ages)
        or (
            (test := d.predicate()) is not None
            and _matches(
                test, attributes.get(test.attribute), model.catalog.attributes.get(test.attribute)
            )
        )
        for d in model.disqualifiers
    )
    stage = (
        "disqualified"
        if disqualified
        else "sql"
        if total >= model.thresholds.sql
        else "mql"
        if total >= model.thresholds.mql
        else "none"
    )
    return Score(fit, behaviour, total, grade, stage, contributions)


def maximum(model: ScoringModel) -> float:
    """The highest total any lead can reach (infinite when a behaviour rule has no cap)."""
    fit = _cap(sum(max(r.points, 0) for r in model.fit), model.caps.fit)
    behaviour = 0.0
    for rule in model.behaviour:
        if rule.points <= 0:
            continue
        if rule.once:
            behaviour += min(rule.points, rule.max_points or rule.points)
        else:
            behaviour += rule.max_points if rule.max_points is not None else math.inf
    behaviour = _cap(behaviour, model.caps.behaviour)
    return _cap(fit + behaviour, model.caps.total)
