"""Team policies the rules enforce beyond the specs: markets, quiet hours, budget caps.

Declared in `[tool.campc.calendar]`, `[tool.campc.budget]`, `[tool.campc.experiments]`,
`[tool.campc.email]` and `[tool.campc.scoring]`: each table is the model below of the same
name, its options the fields (kebab-case in TOML, documented by their docstrings), the
defaults those that apply when a project says nothing. Validating needs pydantic, so a
cached check never imports this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, StrictBool, StrictInt, StrictStr

from compiler.config.options import Says, Table, fullmatch, refusal
from compiler.model.common import Duration
from compiler.model.names import DOMAINS


def _uid_domain(value: str) -> str:
    if not value or any(c in value for c in "@/ \t\n"):
        raise ValueError("not a domain name")
    return value


def _quiet_hours(value: Any) -> Any:
    """'21:00-08:00' as two times; '' as None (no default quiet hours)."""
    if value == "":
        return None
    pattern = r"([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)"
    match = re.fullmatch(pattern, value) if isinstance(value, str) else None
    if match is None:
        raise ValueError("not HH:MM-HH:MM")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    return (time(h1, m1), time(h2, m2))


class CalendarPolicy(Table):
    """`[tool.campc.calendar]`: UIDs, the company's markets, default quiet hours."""

    uid_domain: Annotated[StrictStr, AfterValidator(_uid_domain), Says("must be a domain name")] = (
        "campc.invalid"
    )
    """domain part of calendar event UIDs"""
    markets: Annotated[
        tuple[Annotated[StrictStr, fullmatch(r"[A-Z]{2}(?:-[A-Z0-9]{1,3})?")], ...],
        Says("must list codes like 'FR' or 'DE-BY'"),
    ] = ()
    """countries whose public holidays apply by default, like ['FR', 'DE-BY']"""
    quiet_hours: Annotated[
        tuple[time, time] | None,
        BeforeValidator(_quiet_hours),
        Says("must look like '21:00-08:00'"),
    ] = (time(21, 0), time(8, 0))
    """no campaign send between these local times, like '21:00-08:00' (or '')"""
    quiet_hours_action: Annotated[Literal["defer", "skip"], Says("must be 'defer' or 'skip'")] = (
        "defer"
    )
    """what a sequence does with a send inside its quiet hours: 'defer' holds it until they
    end, 'skip' drops it"""


def _caps(value: Any, domain: str = "") -> dict[str, Decimal]:
    """CURRENCY = amount pairs (of one domain's table, when `domain` is given)."""
    if not isinstance(value, dict):
        raise refusal("must be a table of CURRENCY = amount", domain)
    caps = {}
    for currency, amount in value.items():
        key = f"{domain}.{currency}" if domain else currency
        if not re.fullmatch(r"[A-Z]{3}", currency) or isinstance(amount, bool):
            raise refusal("must be CURRENCY = amount", key)
        try:
            caps[currency] = Decimal(str(amount))
        except InvalidOperation:
            raise refusal("is not a number", key) from None
    return caps


def _domain_caps(value: Any) -> dict[str, dict[str, Decimal]]:
    if not isinstance(value, dict):
        raise ValueError("not a table")
    for domain in value:
        if domain not in DOMAINS:
            raise refusal(f"is not a domain ({', '.join(DOMAINS)})", domain)
    return {domain: _caps(table, domain) for domain, table in value.items()}


def _unique(value: tuple[str, ...]) -> tuple[str, ...]:
    if len(set(value)) != len(value):
        raise ValueError("an ESP listed twice")
    return value


_NAME = r"(?:[A-Za-z_][A-Za-z0-9_-]*|\$\{[A-Za-z_][A-Za-z0-9_]*\})"
_ESPS = ("customerio", "braze", "klaviyo", "hubspot", "mailchimp", "brevo", "mautic")
"""The ESPs campc compiles for (`compiler/email/esp.py`, whose `ESPS` a test holds equal)."""
_FIELD = re.compile(rf"{_NAME}(?:\.{_NAME})*")
"""An ESP's field: dotted names, each plain or Braze's `${name}` (never a brace more)."""


def _fields(value: Any) -> dict[str, dict[str, str]]:
    """`[tool.campc.email.fields.<esp>]` tables of variable = field."""
    if not isinstance(value, dict):
        raise ValueError("not a table")
    found: dict[str, dict[str, str]] = {}
    for esp, table in value.items():
        if esp not in _ESPS:
            raise refusal("is not an ESP campc compiles for", esp)
        if not isinstance(table, dict):
            raise refusal("must be a table of variable = field", esp)
        for variable, target in table.items():
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", variable):
                raise refusal("is not a template variable's name", f"{esp}.{variable}")
            if not isinstance(target, str) or not _FIELD.fullmatch(target):
                raise refusal(
                    "must be the ESP's field, like 'customer.first_name'", f"{esp}.{variable}"
                )
        found[esp] = dict(table)
    return found


def _share(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ValueError("not in [0, 1]")
    return Decimal(str(value))


class BudgetPolicy(Table):
    """`[tool.campc.budget]`: budget limits across campaigns."""

    quarterly_caps: Annotated[dict[str, Decimal], BeforeValidator(_caps)] = Field(
        default_factory=dict
    )
    """currency -> most all campaigns may spend per quarter"""
    domain_caps: Annotated[
        dict[str, dict[str, Decimal]], BeforeValidator(_domain_caps), Says("must be a table")
    ] = Field(default_factory=dict)
    """domain -> currency -> most its campaigns may spend per quarter"""
    max_contingency_share: Annotated[
        Decimal, BeforeValidator(_share), Says("must be in [0, 1]")
    ] = Decimal("0.1")
    """largest share of a budget held as contingency (default 0.1)"""


class ExperimentPolicy(Table):
    """`[tool.campc.experiments]`: limits on experiments."""

    max_duration: Annotated[Duration, Says("must be a duration like '8w' or '30d'")] = timedelta(
        weeks=8
    )
    """longest planned run without a spec's own, like '8w'"""
    srm_alpha: Annotated[
        float, Field(gt=0, lt=0.5), Says("must be a p-value threshold in (0, 0.5)")
    ] = 0.001
    """p-value below which the sample-ratio-mismatch check alerts (default 0.001)"""


_SQL_NAME = r"[a-z_][a-z0-9_]{0,62}"
"""A name the scoring SQL writes unquoted, so each warehouse resolves it as it resolves the
tables its users create (Snowflake folds it to upper case, PostgreSQL to lower case):
lower case, so that dbt, which quotes source names on most adapters, reads the same table."""
_RESERVED = frozenset(
    [
        "all",
        "and",
        "any",
        "array",
        "as",
        "asc",
        "between",
        "both",
        "by",
        "case",
        "cast",
        "check",
        "collate",
        "column",
        "constraint",
        "create",
        "cross",
        "current_date",
        "current_time",
        "current_timestamp",
        "current_user",
        "default",
        "delete",
        "desc",
        "distinct",
        "do",
        "else",
        "end",
        "except",
        "exists",
        "false",
        "fetch",
        "for",
        "foreign",
        "from",
        "full",
        "grant",
        "group",
        "having",
        "ilike",
        "in",
        "inner",
        "insert",
        "intersect",
        "interval",
        "into",
        "is",
        "join",
        "lateral",
        "leading",
        "left",
        "like",
        "limit",
        "natural",
        "not",
        "null",
        "of",
        "offset",
        "on",
        "only",
        "or",
        "order",
        "outer",
        "over",
        "partition",
        "pivot",
        "primary",
        "qualify",
        "references",
        "right",
        "rows",
        "select",
        "session_user",
        "some",
        "table",
        "tablesample",
        "then",
        "to",
        "trailing",
        "true",
        "union",
        "unique",
        "unpivot",
        "update",
        "user",
        "using",
        "values",
        "when",
        "where",
        "window",
        "with",
    ]
)
"""Words some warehouse reserves (PostgreSQL, Snowflake, BigQuery, Spark, DuckDB): unquoted,
`FROM order.leads` is a syntax error."""


def _sql_name(value: str) -> str:
    if value in _RESERVED:
        raise ValueError("a reserved word")
    return value


SqlName = Annotated[
    StrictStr,
    fullmatch(_SQL_NAME),
    AfterValidator(_sql_name),
    Says(f"must be a SQL name ({_SQL_NAME}, not a reserved word like `order`)"),
]


class ScoringPolicy(Table):
    """`[tool.campc.scoring]`: where the warehouse keeps the tables the scoring SQL reads
    (the plain SQL files name them so; the dbt project declares them as its sources)."""

    database: Annotated[
        SqlName | None, Says(f"must be a SQL name ({_SQL_NAME}, not a reserved word)")
    ] = None
    """database (BigQuery: project; DuckDB: catalog) of both tables (default: the session's)"""
    schema_: Annotated[
        SqlName | None, Says(f"must be a SQL name ({_SQL_NAME}, not a reserved word)")
    ] = Field(default=None, alias="schema")
    """schema (BigQuery: dataset) of both tables (default: the session's)"""
    leads: SqlName = "leads"
    """table of leads: lead_id and one column per catalog attribute (default 'leads')"""
    events: SqlName = "events"
    """table of events: lead_id, event_type, occurred_at (default 'events')"""
    dbt_profile: SqlName = "campc"
    """profile the dbt project (outputs/scoring/dbt/) connects with (default 'campc')"""


_HEADER_URL = r"https://[A-Za-z0-9.-]+(?::\d+)?(?:[/?#][!#$&'()*+,/:;=?@\[\]~%A-Za-z0-9_.-]*)?"
"""An https URL that can go into a `List-Unsubscribe` header as it is: no space, control,
quote, angle bracket or non-ASCII character (which would end or add a header)."""
_ADDRESS = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
"""One plain address (what `List-Unsubscribe`'s mailto: takes, with no name)."""

HeaderUrl = Annotated[StrictStr, fullmatch(_HEADER_URL), Says("must be an https:// URL")]

DEFAULT_CLIENTS = (
    "apple-mail.ios",
    "apple-mail.macos",
    "gmail.desktop-webmail",
    "gmail.ios",
    "gmail.android",
    "outlook.windows",
    "outlook.macos",
    "outlook.outlook-com",
    "outlook.ios",
    "outlook.android",
    "yahoo.desktop-webmail",
    "samsung-email.android",
)
"""The clients EMAIL021 targets by default: those most opens come from (Apple Mail,
Gmail, Outlook, Yahoo, Samsung Email), as caniemail names them. Whether each exists in
caniemail's data is checked by the settings, which may read it."""


def _some(value: tuple[str, ...]) -> tuple[str, ...]:
    if not value:
        raise refusal("must list at least one client")
    return value


class EmailPolicy(Table):
    """`[tool.campc.email]`: how emails are rendered and what they must carry."""

    sending_domains: Annotated[
        tuple[Annotated[StrictStr, fullmatch(r"[a-z0-9-]+(?:\.[a-z0-9-]+)+")], ...],
        Says("must list domain names"),
    ] = ()
    """domains a From address may use, like ['fjord.example'] (empty: any)"""
    unsubscribe_url: HeaderUrl = "https://example.invalid/unsubscribe"
    """https URL of the one-click unsubscribe (List-Unsubscribe)"""
    preferences_url: HeaderUrl = "https://example.invalid/preferences"
    """https URL of the preference centre"""
    unsubscribe_mailto: Annotated[
        Annotated[StrictStr, fullmatch(_ADDRESS)] | None, Says("must be an address")
    ] = None
    """address for List-Unsubscribe's mailto: form"""
    max_subject_length: Annotated[StrictInt, Field(ge=10, le=998), Says("must be 10 to 998")] = 78
    """longest subject in characters (default 78)"""
    min_font_size: Annotated[StrictInt, Field(ge=8, le=24), Says("must be 8 to 24")] = 12
    """smallest text in pixels, as the inlined CSS sets it (default 12; EMAIL018)"""
    allow_safe: Annotated[StrictBool, Says("must be true or false")] = False
    """let templates use |safe (default false)"""
    esp: Annotated[
        tuple[
            Literal["customerio", "braze", "klaviyo", "hubspot", "mailchimp", "brevo", "mautic"],
            ...,
        ],
        AfterValidator(_unique),
        Says(
            "must list ESPs among 'customerio', 'braze', 'klaviyo', 'hubspot', 'mailchimp', "
            "'brevo', 'mautic'"
        ),
    ] = ()
    """ESPs each send is also compiled for, in their syntax (outputs/esp/)"""
    fields: Annotated[
        dict[str, dict[str, str]], BeforeValidator(_fields), Says("must be a table")
    ] = Field(default_factory=dict)
    """ESP -> template variable -> the ESP's field, like first_name = 'customer.first_name'"""
    clients: Annotated[
        tuple[Annotated[StrictStr, fullmatch(r"[a-z0-9-]+\.[a-z0-9-]+")], ...],
        AfterValidator(_some),
        Says("must list caniemail clients like 'outlook.windows'"),
    ] = DEFAULT_CLIENTS
    """email clients EMAIL021 checks support in, caniemail's family.platform names"""
    allow_unsupported: Annotated[
        tuple[Annotated[StrictStr, fullmatch(r"[a-z0-9-]+")], ...],
        Says("must list caniemail features like 'css-border-radius'"),
    ] = ()
    """features EMAIL021 accepts where clients lack them, caniemail's slugs"""


@dataclass(frozen=True)
class Policy:
    """Every policy of a project."""

    calendar: CalendarPolicy = field(default_factory=CalendarPolicy)
    budget: BudgetPolicy = field(default_factory=BudgetPolicy)
    experiments: ExperimentPolicy = field(default_factory=ExperimentPolicy)
    email: EmailPolicy = field(default_factory=EmailPolicy)
    scoring: ScoringPolicy = field(default_factory=ScoringPolicy)
    locale: str = "en"
    """`[tool.campc] locale`: the language of the calendars' labels (`text/labels.py`)."""
