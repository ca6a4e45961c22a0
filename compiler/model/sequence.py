"""The `sequence` kind: a triggered flow of sends, waits, branches and goals."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from compiler.model.common import (
    ClockTime,
    Duration,
    Email,
    Fraction,
    Identifier,
    Locale,
    Number,
    PositiveInt,
    Sender,
    Slug,
    SpecBase,
    StrictModel,
    Timezone,
    Variable,
)

Operator = Literal["eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in", "contains", "exists"]


class Condition(StrictModel):
    """A test on a contact: an event that happened, or an attribute's value."""

    event: Identifier | None = None
    """Event name (e.g. `email_clicked`); true if it happened."""
    within: Duration | None = None
    """With `event`: only if it happened within this long."""
    attribute: Identifier | None = None
    """Contact attribute name (e.g. `company_size`)."""
    op: Operator = "eq"
    """Comparison applied to the attribute."""
    value: str | Number | bool | list[str | Number] | None = None
    """Value compared with the attribute."""

    @model_validator(mode="after")
    def _one_subject(self) -> Condition:
        if (self.event is None) == (self.attribute is None):
            raise ValueError("a condition tests exactly one of `event` or `attribute`")
        if self.attribute is not None and self.op != "exists" and self.value is None:
            raise ValueError(f"operator `{self.op}` needs a `value`")
        return self


class Trigger(StrictModel):
    """What makes a contact enter the sequence."""

    event: Identifier
    """Event that starts the sequence (e.g. `trial_started`)."""
    description: str | None = None
    """Where the event comes from."""


class QuietHours(StrictModel):
    """Hours in the recipient's timezone during which nothing is sent."""

    start: ClockTime
    """Start of the quiet period (e.g. 21:00)."""
    end: ClockTime
    """End of the quiet period (e.g. 08:00); may be on the next day."""
    timezone: Timezone | None = None
    """Timezone if not the recipient's own."""
    action: Literal["defer", "skip"] | None = None
    """What happens to a send that falls inside them: `defer` holds it (and the contact)
    until they end, `skip` drops it and moves on; by default the project's
    `[tool.campc.calendar] quiet-hours-action` (`defer`)."""


class FrequencyCap(StrictModel):
    """At most `max` sends in any rolling window of `per`."""

    max: PositiveInt
    """Largest number of sends allowed in the window."""
    per: Duration
    """The rolling window (e.g. 7d)."""


class StepBase(StrictModel):
    """Fields of every step."""

    id: Slug
    """Step id, unique within the sequence; also the email's output name."""
    next: Slug | None = None
    """Step that follows; defaults to the next one in the list."""


class SendStep(StepBase):
    """Send an email."""

    type: Literal["send"]
    """Always `send`."""
    email: Email
    """The email's template, subject and preheader."""
    locale: Locale | None = None
    """The email's language (`de`, `fr-CA`): the templates' `lang`, and Content-Language."""
    variables: dict[Identifier, Variable] = Field(default_factory=dict)
    """Template variables of this step alone, added to (or replacing) the sequence's."""


class WaitStep(StepBase):
    """Wait before the next step: a fixed time, or business days and a time of day.

    Business days are weekdays that are not a public holiday in any of the audience's
    markets (else the project's `[tool.campc.calendar] markets`), in the contact's time.
    """

    type: Literal["wait"]
    """Always `wait`."""
    duration: Duration | None = None
    """How long to wait (e.g. 2d)."""
    business_days: int | None = Field(default=None, ge=0, le=60)
    """Wait this many business days, at the same time of day (or at `at`); 0 with `at`:
    until `at` on a business day, today if it is one and `at` is still ahead."""
    at: ClockTime | None = None
    """The local time the wait ends: on the business day `business_days` gives, or alone
    the next time the clock shows it (e.g. 09:00)."""

    @model_validator(mode="after")
    def _one_kind(self) -> WaitStep:
        timed = self.business_days is not None or self.at is not None
        if (self.duration is None) == (not timed):
            raise ValueError("a wait has a `duration`, or `business_days` and/or `at`")
        if self.business_days == 0 and self.at is None:
            raise ValueError("`business_days: 0` needs an `at` time")
        return self


class BranchStep(StepBase):
    """Go one way or the other depending on a condition."""

    type: Literal["branch"]
    """Always `branch`."""
    condition: Condition
    """What is tested."""
    then: Slug
    """Step taken when the condition holds."""
    otherwise: Slug | None = Field(default=None, alias="else")
    """Step taken otherwise."""
    rate: Fraction | None = None
    """Expected share of contacts for whom the condition holds here (for `campc simulate`)."""


class GoalStep(StepBase):
    """A conversion the sequence aims for; reaching it is recorded.

    A contact who meets the condition at an earlier step moves on to the goal (and the
    steps after it), so a goal both counts conversions and ends the emails before it.
    """

    type: Literal["goal"]
    """Always `goal`."""
    condition: Condition
    """What counts as reaching the goal."""
    rate: Fraction | None = None
    """Expected share of the contacts reaching this step who convert (for `campc simulate`)."""


class ExitStep(StepBase):
    """Leave the sequence."""

    type: Literal["exit"]
    """Always `exit`."""


Step = Annotated[
    SendStep | WaitStep | BranchStep | GoalStep | ExitStep, Field(discriminator="type")
]


class Sequence(SpecBase):
    """A nurture or drip sequence: trigger, criteria, steps, quiet hours, caps."""

    kind: Literal["sequence"]
    """Always `sequence`."""
    trigger: Trigger
    """What makes a contact enter."""
    audience: Slug | None = None
    """Audience the contacts belong to."""
    entry: list[Condition] = Field(default_factory=list)
    """All must hold for a contact to enter."""
    exit: list[Condition] = Field(default_factory=list)
    """Any of these takes a contact out of the sequence at once."""
    quiet_hours: QuietHours | None = None
    """No sends during these hours."""
    frequency_cap: FrequencyCap | None = None
    """Upper bound on sends per rolling window."""
    sender: Sender | None = None
    """Default sender of the sequence's emails."""
    variables: dict[Identifier, Variable] = Field(default_factory=dict)
    """Template variables with sample values."""
    steps: list[Step] = Field(min_length=1, max_length=500)
    """The steps, in order (at most 500); `next`, `then` and `else` jump elsewhere."""
