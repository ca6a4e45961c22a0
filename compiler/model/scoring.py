"""The `scoring_model` kind: fit and behaviour rules that score leads against thresholds."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from compiler.model.common import (
    Duration,
    Identifier,
    IsoDate,
    LocalDateTime,
    Number,
    Slug,
    SpecBase,
    StrictModel,
)

Operator = Literal["eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in", "exists"]
Stage = Literal["none", "mql", "sql"]


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


class FitRule(StrictModel):
    """Points for who the lead is (firmographics, role)."""

    id: Slug
    """Rule id, unique within the model."""
    attribute: Identifier
    """Attribute tested (from the catalog)."""
    op: Operator = "eq"
    """Comparison."""
    value: str | Number | bool | list[str | Number] | None = None
    """Value compared with."""
    points: int
    """Points added (negative to subtract) when the test holds."""


class Decay(StrictModel):
    """How behaviour points lose weight with age."""

    half_life: Duration | None = None
    """Points halve after this long (exponential decay)."""
    expire_after: Duration | None = None
    """Points vanish entirely after this long."""


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


class Caps(StrictModel):
    """Upper bounds on the score's parts."""

    fit: int | None = None
    """Largest fit score."""
    behaviour: int | None = None
    """Largest behaviour score."""
    total: int | None = None
    """Largest total score."""


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
    examples: list[ExampleLead] = Field(default_factory=list)
    """Example leads with expected results."""
