"""Types every spec kind shares: slugs, dates, durations, money, rates, KPIs."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from email import policy
from email.utils import parseaddr
from functools import cache, lru_cache
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
    model_validator,
)

from compiler.model import docstrings

Domain = Literal["campagnes", "acquisition", "automation", "performance"]

Partner = Literal[
    "paid-media",
    "marketing-analytics",
    "seo-expert",
    "content-marketing",
    "customer-success",
    "frontend-developer",
]
"""Partner teams (seed: Composition avec les Autres Skills)."""

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
NAME_PATTERN = r"^[a-z][a-z0-9_]*$"
DURATION_PATTERN = r"^(?:\d+w)?(?:\d+d)?(?:\d+h)?(?:\d+m)?$"
DECIMAL_PATTERN = r"^-?\d+(?:\.\d+)?$"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
LOCAL_DATETIME_PATTERN = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2})?$"
TEMPLATE_PATTERN = r"^[A-Za-z0-9_-][A-Za-z0-9_.-]*(?:/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*$"
CLOCK_PATTERN = r"^(?:[01]\d|2[0-3]):[0-5]\d$"

_DURATION = re.compile(r"^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$")


class StrictModel(docstrings.Described, BaseModel):
    """Base of every spec model: unknown keys are errors, no NaN or infinity; each field's
    docstring is its description (`docstrings`)."""

    model_config = ConfigDict(
        extra="forbid",
        allow_inf_nan=False,
        frozen=True,
        strict=True,
        str_strip_whitespace=False,
        defer_build=True,
    )


def _parse_duration(value: Any) -> timedelta:
    if not isinstance(value, str):
        raise ValueError("a duration is text like `2d`, `36h`, `90m` or `1w`")
    match = _DURATION.match(value.strip())
    if not value.strip() or match is None:
        raise ValueError(
            f"`{value}` is not a duration: write whole numbers with w, d, h or m, "
            "largest unit first (`2d`, `36h`, `1d12h`, `90m`)"
        )
    weeks, days, hours, minutes = (int(g) if g else 0 for g in match.groups())
    return timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes)


def format_duration(value: timedelta) -> str:
    """The canonical text form of a duration: `1d12h`, `90m` becomes `1h30m`."""
    minutes = int(value.total_seconds() // 60)
    if minutes == 0:
        return "0m"
    parts = []
    for unit, size in (("w", 7 * 24 * 60), ("d", 24 * 60), ("h", 60), ("m", 1)):
        count, minutes = divmod(minutes, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)


Duration = Annotated[
    timedelta,
    BeforeValidator(_parse_duration),
    PlainSerializer(format_duration, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": DURATION_PATTERN,
            "minLength": 2,
            "examples": ["2d", "36h", "90m", "1w"],
        }
    ),
]


def _parser(kind: str, pattern: str, parse: Callable[[str], Any]) -> Callable[[Any], Any]:
    """A before-validator: text of the right shape, parsed, with the reason when it is not."""
    compiled = re.compile(pattern)

    def check(value: Any) -> Any:
        if not isinstance(value, str) or not compiled.match(value):
            raise ValueError(f"expected {kind}, got `{value}`")
        try:
            return parse(value)
        except ValueError as err:
            raise ValueError(
                f"`{value}` is not a valid {kind.split(' like ')[0][2:]}: {err}"
            ) from None

    return check


IsoDate = Annotated[
    date,
    BeforeValidator(_parser("a date like 2027-03-01", DATE_PATTERN, date.fromisoformat)),
    WithJsonSchema({"type": "string", "format": "date", "pattern": DATE_PATTERN}),
]
LocalDateTime = Annotated[
    datetime,
    BeforeValidator(
        _parser(
            "a local date and time like 2027-03-10T16:00 (no offset: the spec's timezone applies)",
            LOCAL_DATETIME_PATTERN,
            datetime.fromisoformat,
        )
    ),
    WithJsonSchema({"type": "string", "pattern": LOCAL_DATETIME_PATTERN}),
]
ClockTime = Annotated[
    time,
    BeforeValidator(_parser("a time of day like 08:30", CLOCK_PATTERN, time.fromisoformat)),
    WithJsonSchema({"type": "string", "pattern": CLOCK_PATTERN}),
]


def _to_decimal(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"expected a number, got `{value}`")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("expected a finite number")
    text = str(value).strip()
    if isinstance(value, str) and not re.match(DECIMAL_PATTERN, text):
        raise ValueError(f"`{value}` is not a decimal number like 1250 or 1250.50")
    return Decimal(text)


Number = Annotated[
    Decimal,
    BeforeValidator(_to_decimal),
    WithJsonSchema({"anyOf": [{"type": "number"}, {"type": "string", "pattern": DECIMAL_PATTERN}]}),
]
"""An exact number (Decimal, never float): money amounts, targets, baselines."""

Amount = Number

Fraction = Annotated[float, Field(ge=0, le=1)]
"""A rate written as a fraction in [0, 1]: 0.25, not 25."""

PositiveInt = Annotated[int, Field(ge=1)]

Slug = Annotated[
    str,
    Field(pattern=SLUG_PATTERN, min_length=1, max_length=64),
]
"""A lowercase id: letters, digits and single hyphens (`spring-launch-2027`)."""

Identifier = Annotated[str, Field(pattern=NAME_PATTERN, min_length=1, max_length=64)]
"""A snake_case name (channels, metrics, attributes, events)."""

CURRENCY_PATTERN = r"^[A-Z]{3}$"
Currency = Annotated[str, Field(pattern=CURRENCY_PATTERN)]
"""An ISO 4217 currency code such as EUR or USD."""

TemplatePath = Annotated[
    str,
    Field(pattern=TEMPLATE_PATTERN, max_length=200),
]
"""A template file relative to `campaigns/templates/`, without `..`."""


@cache
def _known_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return name != "localtime"  # a system alias, not an IANA name


def _check_timezone(value: str) -> str:
    if not _known_zone(value):
        raise ValueError(f"`{value}` is not an IANA timezone (for example Europe/Paris)")
    return value


Timezone = Annotated[
    str,
    AfterValidator(_check_timezone),
    WithJsonSchema({"type": "string", "pattern": r"^[A-Za-z_]+(?:/[A-Za-z0-9_+-]+)*$"}),
]
"""An IANA timezone name such as Europe/Paris or America/New_York."""


class Kpi(StrictModel):
    """A key metric the spec is judged by."""

    metric: str = Field(min_length=1)
    """Canonical metric id from the metric registry (e.g. `open_rate`)."""
    target: Number
    """Target value in the metric's unit: rates as fractions (0.25, not 25)."""
    currency: Currency | None = None
    """Currency of the target, for metrics measured in money."""
    primary: bool = False
    """The one KPI the spec is judged by first."""


class DateWindow(StrictModel):
    """A span of whole days, both ends included."""

    start: IsoDate
    """First day (ISO date)."""
    end: IsoDate
    """Last day, included (ISO date)."""

    @model_validator(mode="after")
    def _ordered(self) -> DateWindow:
        if self.end < self.start:
            raise ValueError("`end` is before `start`")
        return self


class Handoff(StrictModel):
    """Work handed to a partner team (seed: Composition avec les Autres Skills)."""

    team: Partner
    """The partner team that owns the work."""
    scope: str = Field(min_length=1)
    """What they own."""
    contact: str | None = None
    """Who to talk to there."""


class SpecBase(StrictModel):
    """Fields every spec has."""

    id: Slug
    """Lowercase slug, unique across the repository; also the output file name."""
    name: str = Field(min_length=1, max_length=200)
    """Human-readable name."""
    domain: Domain
    """Sub-domain: campagnes, acquisition, automation or performance."""
    owner: str = Field(min_length=1, max_length=200)
    """Who answers for the spec: an email or a team handle (@growth-team)."""
    description: str | None = None
    """What the spec is for, in a sentence or two."""
    tags: list[str] = Field(default_factory=list)
    """Free-form labels (also read by routing)."""
    kpis: list[Kpi] = Field(default_factory=list)
    """Key metrics with targets; exactly one should be primary."""
    handoffs: list[Handoff] = Field(default_factory=list)
    """Work handed off to partner teams (paid media, SEO, content...)."""


Locale = Annotated[str, Field(pattern=r"^[a-z]{2,3}(?:-[A-Z]{2})?$")]
"""A language tag, like `de` or `fr-CA`: the `lang` of a send's email."""


class Variable(StrictModel):
    """A template variable with its type and a sample value for previews."""

    type: Literal["string", "number", "boolean", "url", "date"] = "string"
    """Type of the value."""
    sample: str | int | float | bool
    """Value used to render previews."""
    description: str | None = None
    """What the variable holds."""


_LOCAL_PART = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_HOST = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9-]{2,63}$")


@lru_cache(maxsize=4096)
def mailbox_problem(value: str) -> str | None:
    """Why `value` is not one address with an optional display name, or None. (Cached:
    the standard library's header parser takes most of a millisecond, and a repository
    names the same few senders in every spec.)"""
    if any(unicodedata.category(c) in ("Cc", "Cs") or c in "\u2028\u2029" for c in value):
        return "it contains a line break or a control character, which would add headers"
    try:
        header = policy.default.header_factory("reply-to", value)
    except Exception:  # the stdlib's parser raises IndexError and others on some text
        return "write one address, optionally after a name: `Name <user@domain>`"
    if header.defects or len(header.groups) != 1 or header.groups[0].display_name is not None:
        return "write one address, optionally after a name: `Name <user@domain>`"
    (address,) = header.addresses
    if not _LOCAL_PART.match(address.username) or not _HOST.match(address.domain):
        return "the address needs a plain user name and a domain name (`user@example.com`)"
    # the message builder reads it back with parseaddr: both readings must agree
    if parseaddr(value) != (address.display_name, address.addr_spec):
        return "write the name as plain text (the email package encodes it)"
    return None


def _check_mailbox(value: str) -> str:
    problem = mailbox_problem(value)
    if problem is not None:
        raise ValueError(f"`{value}` is not an email address: {problem}")
    return value


Mailbox = Annotated[
    str,
    AfterValidator(_check_mailbox),
    WithJsonSchema(
        {
            "type": "string",
            "minLength": 3,
            "maxLength": 320,
            "pattern": "^[^\\u0000-\\u001f\\u007f]*@[^\\u0000-\\u001f\\u007f@]+$",
            "examples": ["Fjord <news@fjord.example>", "news@fjord.example"],
        }
    ),
    Field(max_length=320),
]
"""One email address, optionally after a display name (`Fjord <news@fjord.example>`),
checked as a header would carry it: no line break (which would add a `Bcc:`), no
second address or group, a plain user name and domain."""


class Sender(StrictModel):
    """Who an email comes from."""

    from_: Mailbox = Field(alias="from")
    """From header, e.g. `Fjord <news@fjord.example>`."""
    reply_to: Mailbox | None = None
    """Reply-To address, e.g. `replies@fjord.example`."""

    model_config = ConfigDict(populate_by_name=True)


class Email(StrictModel):
    """The content of one email send."""

    template: TemplatePath
    """Template file relative to `campaigns/templates/`."""
    text_template: TemplatePath | None = None
    """Hand-written plain-text part (e.g. `launch/announcement.txt`, never HTML-escaped);
    without it the text part is derived from the HTML, every link kept."""
    subject: str = Field(min_length=1)
    """Subject line (may use template variables)."""
    preheader: str | None = None
    """Preview text shown after the subject in the inbox."""
    sender: Sender | None = None
    """Overrides the spec's default sender."""
