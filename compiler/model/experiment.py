"""The `experiment` kind: an A/B or multi-arm test with its statistical design."""

from __future__ import annotations

import difflib
from decimal import Decimal
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

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


class Moments(StrictModel):
    """A per-unit quantity's mean and standard deviation (a ratio metric's part)."""

    mean: Number = Field(gt=0)
    """Mean per unit (opens per contact, visits per visitor)."""
    std_dev: Number = Field(ge=0)
    """Standard deviation per unit."""


class Cuped(StrictModel):
    """Variance reduction with a pre-period covariate (CUPED, Deng et al. 2013)."""

    correlation: float = Field(ge=0, lt=1)
    """The metric's correlation with the covariate, from past data: the variance is
    multiplied by 1 - correlation^2."""
    covariate: str = Field(min_length=1)
    """What the covariate is ("the same metric over the 4 weeks before the start")."""


class PrimaryMetric(StrictModel):
    """The metric the decision rests on, with what the design assumes of it."""

    metric: str = Field(min_length=1)
    """Metric id from the registry (e.g. `conversion_rate`)."""
    type: Literal["proportion", "continuous", "ratio"] = "proportion"
    """A rate per unit (proportion), a mean of a continuous value, or a ratio of two
    per-unit sums (clicks per open, revenue per visitor), planned by the delta method."""
    baseline: Number | None = None
    """Current value: a rate in (0, 1) for proportions, a mean for continuous metrics;
    a ratio metric's is its numerator's mean over its denominator's."""
    std_dev: Number | None = Field(default=None, gt=0)
    """Standard deviation, for continuous metrics."""
    numerator: Moments | None = None
    """A ratio metric's numerator per unit (clicks per contact)."""
    denominator: Moments | None = None
    """A ratio metric's denominator per unit (opens per contact)."""
    correlation: float | None = Field(default=None, ge=-1, le=1)
    """A ratio metric's correlation between numerator and denominator per unit."""
    cuped: Cuped | None = None
    """A declared CUPED covariate: the plan's variance is reduced by it."""
    heavy_tailed: bool = False
    """A metric with rare large values (revenue): the plan says to winsorise it."""
    mde: Number = Field(gt=0)
    """Minimum detectable effect."""
    mde_type: Literal["relative", "absolute"] = "relative"
    """Whether the MDE is relative to the baseline (0.1 = +10%) or absolute."""
    direction: Literal["increase", "decrease", "any"] = "increase"
    """Which change counts as a win."""
    source: str | None = None
    """Where the baseline comes from (dashboard, query, period)."""

    @model_validator(mode="after")
    def _moments(self) -> PrimaryMetric:
        if self.type == "ratio":
            if self.numerator is None or self.denominator is None or self.correlation is None:
                raise ValueError(
                    "a ratio metric needs `numerator` and `denominator` (each a `mean` and a "
                    "`std_dev` per unit) and their `correlation`"
                )
            if self.baseline is not None or self.std_dev is not None:
                raise ValueError(
                    "a ratio metric's baseline and standard deviation come from its "
                    "`numerator` and `denominator`: remove `baseline` and `std_dev`"
                )
            return self
        if self.numerator or self.denominator or self.correlation is not None:
            raise ValueError(
                "`numerator`, `denominator` and `correlation` are for `type: ratio` metrics"
            )
        if self.baseline is None:
            raise ValueError(f"a {self.type} metric needs `baseline`")
        if self.type == "continuous" and self.std_dev is None:
            raise ValueError("a continuous metric needs `std_dev`")
        return self


class Guardrail(StrictModel):
    """A metric that must not get worse beyond a threshold: read at the end, or planned
    as a one-sided non-inferiority test of a `margin` with its own sample size."""

    metric: str = Field(min_length=1)
    """Metric id from the registry."""
    threshold: Number | None = None
    """Largest tolerated degradation, relative (0.02 = 2% worse); defaults to `margin`."""
    margin: Number | None = Field(default=None, gt=0, lt=1)
    """The non-inferiority margin, relative (0.05 = 5% worse): the plan sizes a
    one-sided test at the experiment's alpha that the treatment is not worse by it."""
    baseline: Number | None = None
    """The guardrail's current rate (or mean, with `std_dev`): needed with `margin`."""
    std_dev: Number | None = Field(default=None, gt=0)
    """Its standard deviation, for a continuous guardrail with `margin`."""
    direction: Literal["increase", "decrease"] | None = None
    """Which direction is bad; defaults to the registry's direction."""

    @model_validator(mode="after")
    def _margin(self) -> Guardrail:
        if self.threshold is None and self.margin is None:
            raise ValueError("a guardrail needs a `threshold`, or a `margin` to plan it")
        if self.margin is not None and self.baseline is None:
            raise ValueError("a guardrail's `margin` needs its `baseline` to size the test")
        if self.margin is not None and self.std_dev is None and not 0 < self.baseline < 1:  # type: ignore[operator]
            raise ValueError(
                "a rate's `baseline` lies strictly between 0 and 1 (give `std_dev` for a mean)"
            )
        return self

    @property
    def limit(self) -> Decimal:
        """The tolerated degradation the readout applies."""
        chosen = self.threshold if self.threshold is not None else self.margin
        assert chosen is not None
        return chosen


class Population(StrictModel):
    """The list a send experiment splits."""

    size: PositiveInt | None = None
    """Recipients on the list; defaults to the audience's `size`."""
    share: Fraction = 1.0
    """Share of the list in the test (the rest gets the winner later)."""


LOCKED = (
    "id",
    "unit",
    "audience",
    "population",
    "primary_metric",
    "co_primary_metrics",
    "variants",
    "guardrails",
    "alpha",
    "power",
    "sides",
    "method",
    "correction",
    "looks",
    "spending",
    "start",
)
"""The fields a started experiment's design locks (`analysis.lock`), as an amendment
names them: a field, or a path below one (`primary_metric.mde`, `variants.b.weight`)."""


class Amendment(StrictModel):
    """A change to a locked design after the start, approved and explained."""

    date: IsoDate
    """When the change was agreed."""
    fields: list[str] = Field(min_length=1)
    """The locked fields it changes (`primary_metric.mde`, `variants`, ...)."""
    reason: str = Field(min_length=1)
    """Why the design had to change."""
    approver: str = Field(min_length=1)
    """Who approved it (a handle)."""

    @field_validator("fields")
    @classmethod
    def _locked(cls, value: list[str]) -> list[str]:
        for name in value:
            head = name.split(".", 1)[0]
            if head not in LOCKED:
                close = difflib.get_close_matches(head, LOCKED, n=1)
                meant = f": did you mean `{close[0]}`?" if close else ""
                raise ValueError(
                    f"`{name}` is not a locked field (they are {', '.join(LOCKED)}){meant}"
                )
        return value


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
    co_primary_metrics: list[PrimaryMetric] = Field(default_factory=list)
    """Further primary metrics: each is tested, all share the alpha family (the
    `correction` covers arms times primary metrics), and the plan sizes for the most
    demanding."""
    guardrails: list[Guardrail] = Field(default_factory=list)
    """Metrics that must not degrade (not in the alpha family)."""
    alpha: float = Field(default=0.05, gt=0, lt=0.5)
    """Significance level (false-positive rate)."""
    power: float = Field(default=0.8, gt=0, lt=1)
    """Probability of detecting the MDE if it is real."""
    sides: Literal[1, 2] = 2
    """One- or two-sided test."""
    method: Literal["pooled", "unpooled", "arcsine"] = "pooled"
    """Sample-size method for proportions."""
    correction: Literal["bonferroni", "holm", "sidak", "none"] = "bonferroni"
    """Multiple-comparison correction across treatment arms and primary metrics."""
    population: Population | None = None
    """The list a send experiment splits, when the audience's `size` is not it."""
    traffic: Traffic | None = Field(default=None, validate_default=True)
    """Daily traffic and the share enrolled (an experiment on a surface people visit)."""
    start: IsoDate
    """First day of the experiment."""
    max_duration: Duration | None = None
    """Longest acceptable run; defaults to the repository's setting."""
    sequential: bool = False
    """Superseded by `looks`: a sequential design without its looks declared."""
    looks: int = Field(default=1, ge=1, le=20)  # `_one_look` below
    """Analyses of a group-sequential design, equally spaced, the last at the planned
    end; 1 is a fixed horizon."""
    spending: Literal["obf", "pocock", "obf-classical", "pocock-classical"] = "obf"
    """With `looks`: Lan-DeMets O'Brien-Fleming (`obf`) or Pocock spending, or the
    classical constants."""
    whole_weeks: bool = True
    """Run for whole weeks so every weekday is sampled alike (sends excepted)."""
    whole_weeks_reason: str | None = Field(default=None, min_length=1)
    """Why a traffic experiment may stop mid-week (with `whole_weeks: false`)."""
    amendments: list[Amendment] = Field(default_factory=list)
    """Approved changes to the locked design after the start."""

    @property
    def batch(self) -> bool:
        """A send to a list (planned on the list's size), not traffic over days."""
        return self.send is not None or self.population is not None

    @property
    def primary_metrics(self) -> list[PrimaryMetric]:
        """The primary metric, then the co-primary ones."""
        return [self.primary_metric, *self.co_primary_metrics]

    @model_validator(mode="after")
    def _variant_emails(self) -> Experiment:
        if self.send is None and any(v.subject or v.preheader for v in self.variants):
            raise ValueError("a variant's `subject` or `preheader` needs the experiment's `send`")
        for amendment in self.amendments:
            if amendment.date < self.start:
                raise ValueError(
                    f"the amendment of {amendment.date.isoformat()} is before the start "
                    f"({self.start.isoformat()}): before the start, edit the design itself"
                )
        return self

    @field_validator("traffic")
    @classmethod
    def _traffic(cls, value: Traffic | None, info: ValidationInfo) -> Traffic | None:
        if "send" not in info.data or "population" not in info.data:
            return value  # one of them is invalid, and reported: no second guess
        batch = info.data["send"] is not None or info.data["population"] is not None
        if batch and value is not None:
            raise ValueError(
                "a send experiment is planned on its list, not on traffic: remove "
                "`traffic` (the list is the audience's `size`, or `population`)"
            )
        if not batch and value is None:
            raise ValueError(
                "an experiment needs `traffic` (units a day on its surface), or `send` or "
                "`population` for a send to a list"
            )
        return value

    @field_validator("looks")
    @classmethod
    def _one_look(cls, value: int, info: ValidationInfo) -> int:
        batch = info.data.get("send") is not None or info.data.get("population") is not None
        if batch and value > 1:
            raise ValueError(
                "a send is read once: `looks` is for an experiment on traffic over days"
            )
        return value
