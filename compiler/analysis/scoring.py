"""The reference lead scorer: the one place the scoring semantics are defined.

For a lead, its events and an `as_of` date, in this order:

1. **Fit.** Each fit rule tests one attribute: `eq`, `ne`, `gt`, `gte`, `lt`, `lte`,
   `in` / `not_in` (a list), `between` (`[low, high]`, both included), `regex`,
   `exists` (not null). A missing or null attribute makes every test false, `ne`,
   `not_in` and `exists` included. Each true rule adds its signed `points`. Fit is the
   sum, capped at `caps.fit`.
2. **Behaviour.** Only events on or before the `as_of` day count; an event's age is
   the whole days from its day to `as_of`. A behaviour rule counts every event of
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

**Values.** The attribute of a `number` type, and any attribute `gt`, `gte`, `lt` and
`lte` test, compares as a number: a number, or text that is one written in decimal
(`[+-]digits[.digits][e[+-]digits]`: no spaces, thousands separators, `inf` or
`nan`). Any other value, `n/a` or `12 ` in a number attribute, counts as null: no
test on it holds, `exists` included, and nothing fails. Every other attribute compares
as text (`true` and `false` for booleans, `YYYY-MM-DD` for dates), character by
character in Unicode code point order (PostgreSQL: `COLLATE "C"`), case-sensitive.
A `regex` is found anywhere in the text (`^` and `$` anchor it); a pattern sticks to
what every engine reads alike: characters, `.`, `[...]`, `^`, `$`, `|`, `(...)`,
`*`, `+`, `?`, `{m,n}` and `\\` before punctuation (no `\\d`, `\\w`, `(?...)`,
back-references or POSIX classes), and an attribute value holds no line break.

**Times.** An event's day is the UTC date of `occurred_at`: a time with a UTC offset
(or a warehouse's time-zone-aware type) is converted to UTC, a time without one is
UTC already. The machine's or the session's time zone never matters.

**The query.** The SQL reads `leads` and `events` under the names `[tool.campc.scoring]`
gives (by default `leads` and `events` in the session's schema), unquoted, as the
warehouse resolves unquoted names (PostgreSQL folds them to lower case, Snowflake to
upper case: create the tables without quotes, or as `LEADS` and `EVENTS`), and returns
unquoted column names. The
as-of date is the query's one parameter: `$as_of` in DuckDB (a prepared statement's
named parameter), `$1` in PostgreSQL (`PREPARE score(date) AS ...; EXECUTE
score('2027-04-20')`), `@as_of` in BigQuery (a named query parameter), `$as_of` in
Snowflake (a session variable: `SET as_of = '2027-04-20'`) and `:as_of` in Spark SQL
(`spark.sql(query, args={"as_of": "2027-04-20"})`); the SQL never reads the clock.
`occurred_at` is a timestamp (BigQuery: `TIMESTAMP`; Spark: `TIMESTAMP`, whose text
without an offset Spark reads in its session time zone: load it under UTC).

Every engine implements exactly this; `tests/test_scoring_engines.py` holds them together.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
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


NUMBER_TEXT = r"[+-]?[0-9]+(?:[.][0-9]+)?(?:[eE][+-]?[0-9]+)?"
"""Text that a number attribute reads as a number (the whole text); anything else is null."""
_NUMBER_TEXT = re.compile(NUMBER_TEXT)


def semantics() -> str:
    """The scoring semantics as Markdown, for the scoring doc page (this module's docstring
    after its first line)."""
    return (__doc__ or "").split("\n\n", 1)[1].strip()


def number(value: Any) -> float | None:
    """A value read as a number, or None if it is not one (a boolean, text that is not a
    decimal number, infinity, NaN)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | Decimal):
        found = float(value)
    elif isinstance(value, float):
        found = value
    elif isinstance(value, str) and _NUMBER_TEXT.fullmatch(value):
        found = float(value)
    else:
        return None
    return found if math.isfinite(found) else None


def event_day(at: datetime) -> date:
    """The day an event counts on: its UTC date (a time without an offset is UTC)."""
    return at.astimezone(UTC).date() if at.tzinfo is not None else at.date()


def _matches(rule: Predicate, value: Any, attribute: Attribute | None) -> bool:
    numeric = (attribute is not None and attribute.type == "number") or rule.op in (
        "gt",
        "gte",
        "lt",
        "lte",
    )
    if numeric:
        return _matches_number(rule, number(value))
    if value is None:
        return False
    text = _text(value)
    if rule.op == "exists":
        return True
    if rule.op == "regex":
        return re.search(str(rule.value), text) is not None
    if rule.op == "between":
        assert isinstance(rule.value, list)
        low, high = rule.value
        return _text(low) <= text <= _text(high)
    if rule.op in ("in", "not_in"):
        options = rule.value if isinstance(rule.value, list) else [rule.value]
        found = text in {_text(o) for o in options}
        return found if rule.op == "in" else not found
    if rule.op == "eq":
        return text == _text(rule.value)
    assert rule.op == "ne"
    return text != _text(rule.value)


def _matches_number(rule: Predicate, value: float | None) -> bool:
    if value is None:
        return False
    if rule.op == "exists":
        return True
    if rule.op == "regex":  # the model refuses it on a number attribute
        return re.search(str(rule.value), _text(value)) is not None
    if rule.op == "between":
        assert isinstance(rule.value, list)
        low, high = (number(bound) for bound in rule.value)
        return low is not None and high is not None and low <= value <= high
    if rule.op in ("in", "not_in"):
        options = rule.value if isinstance(rule.value, list) else [rule.value]
        found = value in {number(o) for o in options}
        return found if rule.op == "in" else not found
    other = number(rule.value)
    if other is None:
        return False
    return {
        "eq": value == other,
        "ne": value != other,
        "gt": value > other,
        "gte": value >= other,
        "lt": value < other,
        "lte": value <= other,
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
        age = (as_of - event_day(event.at)).days
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
