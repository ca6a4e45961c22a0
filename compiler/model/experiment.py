"""The `experiment` kind: an A/B or multi-arm test with its statistical design."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from compiler.model.common import (
    Duration,
    Fraction,
    IsoDate,
    Number,
    PositiveInt,
    Slug,
    SpecBase,
    StrictModel,
)


class Variant(StrictModel):
    """One arm of the experiment."""

    id: Slug
    """Variant id; the first variant is the control."""
    name: str = Field(min_length=1)
    """What the variant is."""
    weight: Fraction
    """Share of the experiment's traffic (weights sum to 1)."""
    description: str | None = None
    """How it differs from the control."""
    subject: str | None = Field(default=None, min_length=1)
    """With the experiment's `send`: this variant's subject line (a template, like the
    send's); the control's defaults to the send's own."""
    preheader: str | None = Field(default=None, min_length=1)
    """With `send`: this variant's preheader (else the send's)."""


class PrimaryMetric(StrictModel):
    """The metric the decision rests on, with what the design assumes of it."""

    metric: str = Field(min_length=1)
    """Metric id from the registry (e.g. `conversion_rate`)."""
    type: Literal["proportion", "continuous"] = "proportion"
    """A rate per unit (proportion) or a mean of a continuous value."""
    baseline: Number
    """Current value: a rate in (0, 1) for proportions, a mean for continuous metrics."""
    std_dev: Number | None = Field(default=None, gt=0)
    """Standard deviation, for continuous metrics."""
    mde: Number = Field(gt=0)
    """Minimum detectable effect."""
    mde_type: Literal["relative", "absolute"] = "relative"
    """Whether the MDE is relative to the baseline (0.1 = +10%) or absolute."""
    direction: Literal["increase", "decrease", "any"] = "increase"
    """Which change counts as a win."""
    source: str | None = None
    """Where the baseline comes from (dashboard, query, period)."""

    @model_validator(mode="after")
    def _std_dev(self) -> PrimaryMetric:
        if self.type == "continuous" and self.std_dev is None:
            raise ValueError("a continuous metric needs `std_dev`")
        return self


class Guardrail(StrictModel):
    """A metric that must not get worse beyond a threshold."""

    metric: str = Field(min_length=1)
    """Metric id from the registry."""
    threshold: Number
    """Largest tolerated degradation, relative (0.02 = 2% worse)."""
    direction: Literal["increase", "decrease"] | None = None
    """Which direction is bad; defaults to the registry's direction."""


class Traffic(StrictModel):
    """How many units reach the experiment's surface."""

    daily: PositiveInt
    """Eligible units per day on the surface."""
    share: Fraction = 1.0
    """Share of them enrolled in the experiment."""


class Experiment(SpecBase):
    """An A/B or multi-arm experiment: hypothesis, variants, metrics and design."""

    kind: Literal["experiment"]
    """Always `experiment`."""
    hypothesis: str = Field(min_length=1)
    """The falsifiable hypothesis: because X, changing Y will move Z."""
    unit: Literal["visitor", "user", "session", "account", "lead", "contact"]
    """The randomization unit."""
    audience: Slug | None = None
    """Audience id the experiment targets."""
    surface: str = Field(min_length=1)
    """Where it runs (page, email, app screen)."""
    send: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9-]*/[a-z0-9][a-z0-9-]*$")
    """The email it splits, `<campaign or sequence id>/<send or step id>`: each variant
    with a `subject` or `preheader` gets its own proof and ESP subject (REF005 checks it)."""
    variants: list[Variant] = Field(min_length=2)
    """Control first, then treatments."""
    primary_metric: PrimaryMetric
    """The decision metric."""
    guardrails: list[Guardrail] = Field(default_factory=list)
    """Metrics that must not degrade."""
    alpha: float = Field(default=0.05, gt=0, lt=0.5)
    """Significance level (false-positive rate)."""
    power: float = Field(default=0.8, gt=0, lt=1)
    """Probability of detecting the MDE if it is real."""
    sides: Literal[1, 2] = 2
    """One- or two-sided test."""
    method: Literal["pooled", "unpooled", "arcsine"] = "pooled"
    """Sample-size method for proportions."""
    correction: Literal["bonferroni", "none"] = "bonferroni"
    """Multiple-comparison correction across treatment arms."""
    traffic: Traffic
    """Daily traffic and the share enrolled."""
    start: IsoDate
    """First day of the experiment."""
    max_duration: Duration | None = None
    """Longest acceptable run; defaults to the repository's setting."""
    sequential: bool = False
    """Whether a sequential design allows early stopping."""
    whole_weeks: bool = True
    """Run for whole weeks so every weekday is sampled alike; false for one-off sends."""

    @model_validator(mode="after")
    def _variant_emails(self) -> Experiment:
        if self.send is None and any(v.subject or v.preheader for v in self.variants):
            raise ValueError("a variant's `subject` or `preheader` needs the experiment's `send`")
        return self
