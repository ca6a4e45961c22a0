"""The `campaign` kind: a window of coordinated activity with a budget, sends and milestones."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import ConfigDict, Field, model_validator

from compiler.model.common import (
    SLUG_PATTERN,
    Amount,
    Currency,
    DateWindow,
    Duration,
    Email,
    Identifier,
    IsoDate,
    LocalDateTime,
    Locale,
    PositiveInt,
    Sender,
    Slug,
    SpecBase,
    StrictModel,
    Timezone,
    Variable,
)

Weekday = Literal["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


class MonthlyPacing(StrictModel):
    """Explicit spend per month, as shares of each channel's allocation."""

    months: dict[str, float] = Field(min_length=1)
    """Month (`2027-04`) -> share of the allocation spent that month; shares sum to 1."""


class Budget(StrictModel):
    """The money a campaign may spend, and how it is split across channels."""

    currency: Currency
    """ISO 4217 currency code of every amount in this budget."""
    total: Amount
    """Total budget."""
    channels: dict[Identifier, Amount] = Field(default_factory=dict)
    """Channel -> allocated amount; allocations should sum to `total`."""
    contingency: Amount | None = None
    """Part of the total held back for the unforeseen."""
    pacing: Literal["even", "front_loaded", "back_loaded"] | MonthlyPacing = "even"
    """How spend is spread over the window: even, front_loaded, back_loaded or explicit months."""
    spend_on: dict[Identifier, list[Slug]] = Field(default_factory=dict)
    """Channel -> the milestones or sends its spend lands with (a trade show, a webinar):
    the channel is spent in their months, in equal parts per milestone or occurrence,
    not over the window."""
    cost_centre: str | None = Field(default=None, min_length=1, max_length=100)
    """Finance's cost centre the spend is booked to."""
    purchase_order: str | None = Field(default=None, min_length=1, max_length=100)
    """The purchase order that covers the spend."""


MAX_OCCURRENCES = 1000
"""Occurrences a recurrence may have (daily for almost three years): the calendar, the
caps and the proofs walk every one, so an `until` in year 9999 must not make them."""


class Repeat(StrictModel):
    """A recurrence rule for a send (compiles to an iCalendar RRULE)."""

    frequency: Literal["daily", "weekly", "monthly"]
    """How often the send repeats."""
    interval: PositiveInt = 1
    """Every n-th day, week or month."""
    weekdays: list[Weekday] = Field(default_factory=list)
    """Days of the week (MO..SU); with `monthly`, combine with `position`."""
    position: int | None = Field(default=None, ge=-5, le=5)
    """With monthly + weekdays: 1 = first, 2 = second, -1 = last such weekday."""
    count: PositiveInt | None = Field(default=None, le=MAX_OCCURRENCES)
    """Number of occurrences (at most 1,000)."""
    until: IsoDate | None = None
    """Last day on which an occurrence may fall."""

    @model_validator(mode="after")
    def _bounded(self) -> Repeat:
        if (self.count is None) == (self.until is None):
            raise ValueError("give exactly one of `count` or `until`")
        if self.position is not None and not self.weekdays:
            raise ValueError("`position` needs `weekdays`")
        return self

    def most(self, start: date) -> int:
        """At most how many occurrences the rule has from `start` (exact for `count`, an
        upper bound for `until`, from the calendar alone: no occurrence is computed)."""
        if self.count is not None:
            return self.count
        assert self.until is not None
        days = (self.until - start).days
        if days < 0:
            return 0
        per = max(1, len(self.weekdays))
        if self.frequency == "daily":
            return days // self.interval + 1
        if self.frequency == "weekly":
            return (days // 7 // self.interval + 1) * per
        months = (self.until.year - start.year) * 12 + self.until.month - start.month
        return (months // self.interval + 1) * (per if self.position else 5 * per)


class Send(StrictModel):
    """A scheduled send: one-off at `at`, or recurring from `at` with `repeat`."""

    id: Slug
    """Id of the send, unique within the campaign."""
    name: str = Field(min_length=1)
    """What the send is."""
    channel: Identifier = "email"
    """Channel used (email, sms, push...)."""
    audience: Slug
    """Audience id the send goes to."""
    at: LocalDateTime
    """First (or only) send time, local to the campaign's timezone."""
    repeat: Repeat | None = None
    """Recurrence; absent for a one-off send."""
    email: Email | None = None
    """Email content, for email sends."""
    locale: Locale | None = None
    """The email's language (`de`, `fr-CA`): the templates' `lang`, and Content-Language."""
    variables: dict[Identifier, Variable] = Field(default_factory=dict)
    """Template variables of this send alone, added to (or replacing) the campaign's."""
    occurrences: dict[IsoDate, dict[Identifier, str | int | float | bool]] = Field(
        default_factory=dict, max_length=366
    )
    """For a recurring send: sample values of some occurrences, by date (`2027-05-04:
    {issue_title: Lineage}`); each gets its own proof, dated then (CAL008 checks them)."""

    @model_validator(mode="after")
    def _email_content(self) -> Send:
        if self.channel == "email" and self.email is None:
            raise ValueError("an email send needs `email` (template and subject)")
        if self.occurrences and self.repeat is None:
            raise ValueError("`occurrences` are for a send with `repeat`")
        if self.repeat is not None and self.repeat.most(self.at.date()) > MAX_OCCURRENCES:
            raise ValueError(
                f"a recurrence has at most {MAX_OCCURRENCES:,} occurrences, and this `until` "
                f"allows up to {self.repeat.most(self.at.date()):,}: end it sooner"
            )
        return self


class Milestone(StrictModel):
    """A dated moment of the campaign: a launch, a webinar, a deadline."""

    id: Slug
    """Id of the milestone, unique within the campaign."""
    name: str = Field(min_length=1)
    """What happens."""
    at: LocalDateTime | IsoDate
    """When: a local date and time, or a whole day."""
    duration: Duration | None = None
    """How long it lasts, for timed milestones."""


class Utm(StrictModel):
    """UTM parameters appended to the campaign's links."""

    source: str = Field(min_length=1)
    """utm_source, e.g. newsletter."""
    medium: str = Field(min_length=1)
    """utm_medium, e.g. email."""
    campaign: str | None = None
    """utm_campaign; defaults to the campaign id."""


def _id_or_object(schema: dict[str, Any]) -> None:
    """In the schema as in the model, a bare id stands for `{id: ...}`."""
    as_object = dict(schema)
    schema.clear()
    schema.update(
        title=as_object.pop("title", "SequenceLink"),
        description=as_object.pop("description", ""),
        anyOf=[{"type": "string", "pattern": SLUG_PATTERN}, as_object],
    )


class SequenceLink(StrictModel):
    """A sequence the campaign feeds, with when its cohort enters."""

    model_config = ConfigDict(json_schema_extra=_id_or_object)

    id: Slug
    """Sequence id."""
    cohort_enters: LocalDateTime | None = None
    """When the campaign's cohort enters the sequence (schedules its sends)."""

    @model_validator(mode="before")
    @classmethod
    def _bare_id(cls, value: Any) -> Any:
        return {"id": value} if isinstance(value, str) else value


class Campaign(SpecBase):
    """A campaign: window, timezone, channels, budget, sends, milestones, KPIs."""

    kind: Literal["campaign"]
    """Always `campaign`."""
    timezone: Timezone
    """IANA timezone the campaign's local times are in."""
    window: DateWindow
    """First and last day of the campaign."""
    audiences: list[Slug] = Field(default_factory=list)
    """Audience ids the campaign reaches."""
    channels: list[Identifier] = Field(default_factory=list)
    """Channels used (email, paid_social, events...)."""
    budget: Budget | None = None
    """Budget and per-channel allocation."""
    sender: Sender | None = None
    """Default sender of the campaign's emails."""
    variables: dict[Identifier, Variable] = Field(default_factory=dict)
    """Template variables with sample values."""
    sends: list[Send] = Field(default_factory=list)
    """Scheduled sends, one-off or recurring."""
    milestones: list[Milestone] = Field(default_factory=list)
    """Launches, webinars, deadlines."""
    utm: Utm | None = None
    """UTM parameters for links."""
    sequences: list[SequenceLink] = Field(default_factory=list)
    """Sequences the campaign feeds (ids, or `{id, cohort_enters}`)."""
    experiments: list[Slug] = Field(default_factory=list)
    """Experiments run within the campaign."""
