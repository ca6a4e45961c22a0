"""The `scoring_model` kind: fit and behaviour rules that score leads against thresholds."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field, model_validator

from compiler.model.common import (
    Duration,
    Identifier,
    IsoDate,
    LocalDateTime,
    Number,
    PositiveInt,
    Slug,
    SpecBase,
    StrictModel,
)

Operator = Literal[
    "eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in", "between", "regex", "exists"
]
Stage = Literal["none", "mql", "sql", "disqualified"]


def pattern_problem(pattern: str) -> str | None:
    """Why a `regex` pattern would not match alike in Python, DuckDB, PostgreSQL, BigQuery,
    Snowflake and Spark, or None: only characters, `.`, `[...]`, anchors, `|`, groups,
    quantifiers and a backslash before punctuation are read the same by all of them."""
    if not pattern:
        return "an empty pattern matches any value: use `exists`"
    in_class = False
    index = 0
    while index < len(pattern):
        char, following = pattern[index], pattern[index + 1 : index + 2]
        if char == "\\":
            if not following or following.isalnum() or not following.isascii():
                return (
                    f"`\\{following}` is read differently by the warehouses"
                    " (write a class like `[0-9]`; escape only punctuation)"
                )
            index += 2
            continue
        if in_class:
            if char == "[" and following in (":", "=", "."):
                return "POSIX classes like `[[:alpha:]]` are not read alike: list the characters"
            in_class = char != "]"
        elif char == "[":
            in_class = True
            index += 2 if following == "^" else 1
            if pattern[index : index + 1] == "]":
                index += 1  # a leading `]` is a literal
            continue
        elif char == "(" and following == "?":
            return "`(?...)` groups (flags, look-arounds, named groups) are not read alike"
        elif char in "*+?}" and following == "+":
            return "possessive quantifiers like `*+` are not read alike"
        index += 1
    return None


class Attribute(StrictModel):
    """A lead attribute the model reads."""

    type: Literal["string", "number", "boolean", "date"]
    """Type of the attribute's values."""
    description: str | None = None
    """What it holds and where it comes from."""
    values: list[str] | None = None
    """For strings: the allowed values, if the set is closed."""


class EventType(StrictModel):
    """A behavioural event the model reads."""

    description: str | None = None
    """What the event is and where it comes from."""


class Catalog(StrictModel):
    """The lead attributes and events the model reads, and nothing else."""

    attributes: dict[Identifier, Attribute] = Field(default_factory=dict)
    """Attribute name -> type."""
    events: dict[Identifier, EventType] = Field(default_factory=dict)
    """Event name -> description."""


class Predicate(StrictModel):
    """A test on one lead attribute."""

    id: Slug
    """Rule id, unique within the model."""
    attribute: Identifier
    """Attribute tested (from the catalog)."""
    op: Operator = "eq"
    """Comparison: eq, ne, gt, gte, lt, lte, in, not_in, between, regex or exists."""
    value: str | Number | bool | list[str | Number] | None = None
    """Value compared with: a list for in/not_in, `[low, high]` for between (both
    included), a pattern for regex (found anywhere in the text of a string attribute;
    characters, `.`, `[...]`, `^`, `$`, `|`, groups, quantifiers, `\\` before
    punctuation)."""

    @model_validator(mode="after")
    def _value_fits_operator(self) -> Predicate:
        if self.op == "between" and not (isinstance(self.value, list) and len(self.value) == 2):
            raise ValueError("`between` needs `value: [low, high]`")
        if self.op == "regex":
            if not isinstance(self.value, str):
                raise ValueError("`regex` needs a pattern as `value`")
            problem = pattern_problem(self.value)
            if problem is not None:
                raise ValueError(f"`{self.value}`: {problem}")
            try:
                re.compile(self.value)
            except re.error as err:
                raise ValueError(f"`{self.value}` is not a valid pattern: {err}") from None
        if self.op in ("in", "not_in") and not isinstance(self.value, list):
            raise ValueError(f"`{self.op}` needs a list as `value`")
        return self


class FitRule(Predicate):
    """Points for who the lead is (firmographics, role)."""

    points: int
    """Points added (negative to subtract) when the test holds."""


class Decay(StrictModel):
    """How behaviour points lose weight with age."""

    half_life: Duration | None = None
    """Points halve after this long (exponential decay)."""
    expire_after: Duration | None = None
    """Points vanish entirely after this long."""


class PeriodLimit(StrictModel):
    """At most `max` events counted per period of `per` (periods counted back from `as_of`)."""

    max: PositiveInt
    """Events counted per period (the most recent ones)."""
    per: Duration
    """Length of a period, in whole days (`1d`, `7d`, `1w`)."""

    @model_validator(mode="after")
    def _whole_days(self) -> PeriodLimit:
        if self.per.days < 1 or self.per.seconds:
            raise ValueError("`per` is a whole number of days (1d, 7d, 1w...)")
        return self


class BehaviourRule(StrictModel):
    """Points for what the lead does (events)."""

    id: Slug
    """Rule id, unique within the model."""
    event: Identifier
    """Event counted (from the catalog)."""
    points: int
    """Points per occurrence (negative to subtract)."""
    max_points: int | None = None
    """Cap on the points this rule can give in total."""
    within: Duration | None = None
    """Only events within this long before the scoring date count."""
    decay: Decay | None = None
    """Overrides the model's default decay."""
    once: bool = False
    """Count only the most recent event instead of every one."""
    limit: PeriodLimit | None = None
    """Count at most so many events per period (e.g. 1 per 1d)."""


class Caps(StrictModel):
    """Upper bounds on the score's parts."""

    fit: int | None = None
    """Largest fit score."""
    behaviour: int | None = None
    """Largest behaviour score."""
    total: int | None = None
    """Largest total score."""
    floor: int | None = None
    """Smallest total score."""


class Thresholds(StrictModel):
    """Scores at which a lead changes stage."""

    mql: int
    """Marketing-qualified lead from this total score."""
    sql: int
    """Sales-qualified lead from this total score."""

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        if self.sql <= self.mql:
            raise ValueError("`sql` must be above `mql`")
        return self


class Grade(StrictModel):
    """A letter grade from the fit score."""

    grade: str = Field(pattern=r"^[A-Z][+-]?$")
    """Grade letter."""
    min_fit: int
    """Lowest fit score that earns this grade."""


class ExampleEvent(StrictModel):
    """An event of an example lead."""

    event: Identifier
    """Event name."""
    at: LocalDateTime
    """When it happened."""


class Expected(StrictModel):
    """What the model must produce for an example lead."""

    fit: int | None = None
    """Expected fit score."""
    behaviour: Number | None = None
    """Expected behaviour score (after decay, rounded to 2 places)."""
    total: Number
    """Expected total score."""
    stage: Stage
    """Expected stage."""
    grade: str | None = None
    """Expected grade."""


class ExampleLead(StrictModel):
    """A lead with its expected score: the model's executable documentation."""

    id: Slug
    """Example id."""
    attributes: dict[Identifier, str | Number | bool | None] = Field(default_factory=dict)
    """Attribute values."""
    events: list[ExampleEvent] = Field(default_factory=list)
    """Events the lead did."""
    as_of: IsoDate
    """Scoring date."""
    expect: Expected
    """The expected result."""


class Disqualifier(StrictModel):
    """A condition that takes a lead out of qualification whatever its score."""

    id: Slug
    """Disqualifier id."""
    attribute: Identifier | None = None
    """Attribute tested (with `op` and `value`, as in fit rules)."""
    op: Operator = "eq"
    """Comparison on the attribute."""
    value: str | Number | bool | list[str | Number] | None = None
    """Value compared with."""
    event: Identifier | None = None
    """Or: an event that disqualifies once it happened (on or before the scoring date)."""

    @model_validator(mode="after")
    def _one_subject(self) -> Disqualifier:
        if (self.attribute is None) == (self.event is None):
            raise ValueError("a disqualifier tests exactly one of `attribute` or `event`")
        if self.attribute is not None:
            Predicate(id=self.id, attribute=self.attribute, op=self.op, value=self.value)
        return self

    def predicate(self) -> Predicate | None:
        """The attribute test, if this disqualifier is one."""
        if self.attribute is None:
            return None
        return Predicate(id=self.id, attribute=self.attribute, op=self.op, value=self.value)


DataPath = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9_][A-Za-z0-9._-]*(?:/[A-Za-z0-9_][A-Za-z0-9._-]*)*\.csv$",
        max_length=300,
    ),
]
"""A `.csv` file below the campaigns folder, by its path there (`samples/outcomes.csv`)."""


class History(StrictModel):
    """A labelled history the build backtests the model on: leads as they were on a
    date, their events until then, and what became of them."""

    leads: DataPath
    """CSV: `lead_id`, `scored_on` (the date they were scored, YYYY-MM-DD), `outcome`
    (`won`, `lost` or `open`), then the catalog's attributes."""
    events: DataPath | None = None
    """CSV: `lead_id`, `event_type`, `occurred_at` (each lead's events; those after its
    `scored_on` are not counted)."""


class ScoringModel(SpecBase):
    """A lead-scoring model: catalog, fit and behaviour rules, caps, decay, thresholds."""

    kind: Literal["scoring_model"]
    """Always `scoring_model`."""
    catalog: Catalog
    """Attributes and events the model reads."""
    fit: list[FitRule] = Field(default_factory=list)
    """Fit rules."""
    behaviour: list[BehaviourRule] = Field(default_factory=list)
    """Behaviour rules."""
    caps: Caps = Field(default_factory=Caps)
    """Caps on the score's parts."""
    decay: Decay | None = None
    """Default decay of behaviour points."""
    thresholds: Thresholds
    """MQL and SQL thresholds."""
    grades: list[Grade] = Field(default_factory=list)
    """Grades from the fit score, best first."""
    disqualifiers: list[Disqualifier] = Field(default_factory=list)
    """Conditions that make a lead's stage `disqualified` whatever its score."""
    examples: list[ExampleLead] = Field(default_factory=list)
    """Example leads with expected results."""
    history: History | None = None
    """A labelled history: the build writes a backtest (AUC, deciles, the thresholds'
    calibration, MQLs and SQLs per month), and `campc diff` compares it."""

    @model_validator(mode="after")
    def _regex_on_text(self) -> ScoringModel:
        tests = [*self.fit, *(p for d in self.disqualifiers if (p := d.predicate()))]
        for test in tests:
            attribute = self.catalog.attributes.get(test.attribute)
            if test.op == "regex" and attribute is not None and attribute.type != "string":
                raise ValueError(
                    f"`{test.id}`: `regex` tests text, and `{test.attribute}` is a"
                    f" {attribute.type} (each warehouse writes a {attribute.type} as text"
                    " its own way)"
                )
        return self
