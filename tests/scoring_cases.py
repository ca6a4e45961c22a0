"""An adversarial scoring model with leads and events, shared by every engine's test.

The values sit where engines part ways: a regex found inside the text (Snowflake's
REGEXP_LIKE matches the whole text), offsets that move an event across midnight UTC,
ages exactly on a half-life, a window, an expiry and a limit period, nulls, text that
is not a number in a number attribute, text ordered by code point, quotes and Unicode.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from compiler.analysis.scoring import LeadEvent, score
from compiler.model.scoring import ScoringModel

if TYPE_CHECKING:
    import duckdb

AS_OF = date(2027, 4, 20)
TIME_ZONES = ("Asia/Tokyo", "America/Los_Angeles")
"""Session time zones the SQL runs under: neither may change a score."""

JINJA = "{{ env_var('HOME') }}{% if x %}{#"
"""Text that Jinja (dbt) would read as an expression, a tag and a comment."""

MODEL = ScoringModel.model_validate(
    {
        "kind": "scoring_model",
        "id": "adversarial",
        "name": "Adversarial",
        "domain": "automation",
        "owner": "ops@acme.example",
        "catalog": {
            "attributes": {
                "size": {"type": "number"},
                "revenue": {"type": "number"},
                "level": {"type": "string"},
                "industry": {"type": "string"},
                "city": {"type": "string"},
                "active": {"type": "boolean"},
            },
            "events": {"demo": {}, "click": {}, "view": {}, "webinar": {}, "spam": {}},
        },
        "fit": [
            {"id": "ware", "attribute": "industry", "op": "regex", "value": "ware", "points": 7},
            {"id": "soft", "attribute": "industry", "op": "regex", "value": "^soft", "points": 3},
            {"id": "ship", "attribute": "industry", "op": "regex", "value": "ship$", "points": 2},
            {"id": "one-char", "attribute": "city", "op": "regex", "value": "^.$", "points": 1},
            {"id": "umlaut", "attribute": "city", "op": "regex", "value": "ü|é", "points": 4},
            {
                "id": "a-to-m",
                "attribute": "city",
                "op": "between",
                "value": ["B", "m"],
                "points": 6,
            },
            {"id": "smb", "attribute": "size", "op": "between", "value": [50, 199], "points": 5},
            {"id": "big", "attribute": "size", "op": "gte", "value": 200, "points": 15},
            {"id": "known-size", "attribute": "size", "op": "exists", "points": 1},
            {"id": "odd-size", "attribute": "size", "op": "in", "value": [1, 2.5], "points": 2},
            {"id": "not-ten", "attribute": "size", "op": "ne", "value": 10, "points": 1},
            {"id": "rich", "attribute": "revenue", "op": "gt", "value": 1000000, "points": 8},
            {"id": "tiny", "attribute": "revenue", "op": "lt", "value": 0.001, "points": 3},
            {"id": "level-num", "attribute": "level", "op": "gt", "value": 3, "points": 9},
            {
                "id": "senior",
                "attribute": "level",
                "op": "in",
                "value": ["vp", "c_level", "O'Brien"],
                "points": 20,
            },
            {"id": "not-intern", "attribute": "level", "op": "ne", "value": "intern", "points": 2},
            {
                "id": "not-listed",
                "attribute": "level",
                "op": "not_in",
                "value": ["vp", "intern"],
                "points": 1,
            },
            {"id": "quote", "attribute": "industry", "op": "eq", "value": "O'Reilly", "points": 4},
            # Jinja's openers, which dbt would run if a model wrote them as they are
            {"id": "templated", "attribute": "industry", "op": "eq", "value": JINJA, "points": 5},
            {"id": "braces", "attribute": "city", "op": "regex", "value": "[{][{%#]", "points": 2},
            {"id": "active", "attribute": "active", "op": "eq", "value": True, "points": 3},
            {"id": "active-in", "attribute": "active", "op": "in", "value": ["true"], "points": 1},
        ],
        "behaviour": [
            {"id": "demo", "event": "demo", "points": 30},
            {"id": "clicks", "event": "click", "points": 3, "within": "14d", "max_points": 10},
            {"id": "webinar", "event": "webinar", "points": 10, "once": True},
            {
                "id": "views",
                "event": "view",
                "points": 5,
                "max_points": 12,
                "limit": {"max": 1, "per": "2d"},
            },
            {"id": "spam", "event": "spam", "points": -7, "decay": {"half_life": "3d"}},
        ],
        "caps": {"fit": 60, "behaviour": 50, "total": 90, "floor": -10},
        "decay": {"half_life": "7d", "expire_after": "30d"},
        "thresholds": {"mql": 30, "sql": 60},
        "grades": [{"grade": "A", "min_fit": 40}, {"grade": "B", "min_fit": 15}],
        "disqualifiers": [
            {"id": "school", "attribute": "industry", "op": "regex", "value": "educat"},
            {"id": "spammer", "event": "spam"},
        ],
    }
)

ATTRIBUTES = ("size", "revenue", "level", "industry", "city", "active")
"""Lead columns after `lead_id`: `size` is text (as a warehouse may hold a number),
`revenue` a double, `active` a boolean, the others text."""
TYPES = {
    "size": "VARCHAR",
    "revenue": "DOUBLE",
    "level": "VARCHAR",
    "industry": "VARCHAR",
    "city": "VARCHAR",
    "active": "BOOLEAN",
}
"""Each lead column's SQL type (DuckDB's names)."""
TIME_TYPES = {"aware": "TIMESTAMPTZ", "naive": "TIMESTAMP"}
"""`occurred_at` with a time zone, or without (UTC)."""

_SPECIAL_LEADS: list[dict[str, Any]] = [
    {"industry": "software", "city": "Berlin", "size": "50", "level": "vp"},
    {"industry": "hardware", "city": "b", "size": "199", "level": "4"},
    {"industry": "shipping, partnership", "city": "m", "size": "199.5", "level": "3"},
    {"industry": "Software", "city": "ma", "size": "200", "level": "3.5"},
    {"industry": "education", "city": "München", "size": "n/a", "level": "intern"},
    {"industry": "higher education", "city": "Zürich", "size": "", "level": "O'Brien"},
    {"industry": "O'Reilly", "city": "é", "size": " 12", "level": None},
    {"industry": None, "city": "😀", "size": "1e3", "level": "c_level", "active": True},
    {"industry": "", "city": "", "size": "1", "level": "", "active": False},
    {"industry": "warez", "city": "Ärhus", "size": "2.5", "revenue": 1e-7, "level": "nan"},
    {"industry": "ware", "city": "Amsterdam", "size": "inf", "revenue": 1e20, "level": "1_000"},
    {"industry": "soft ware", "city": "Bz", "size": "10", "revenue": 1000000.0},
    {"industry": "café", "city": "B", "size": "-5", "revenue": -3.5, "level": "+4"},
    {"industry": "edu", "city": "Ñandú", "size": "0x10", "revenue": 0.0, "level": "4."},
    {"industry": "\\ware", "city": "m\u0301", "size": "+199", "active": False},
    {"industry": JINJA, "city": "x{%y", "size": "7"},
    {"industry": "{{", "city": "{#}", "level": "{%"},
]


@dataclass(frozen=True)
class Event:
    """One event as the engines receive it: `at` is ISO 8601, with or without an offset."""

    lead_id: str
    event: str
    at: str

    def moment(self) -> datetime:
        """The instant, a time without an offset being UTC."""
        parsed = datetime.fromisoformat(self.at)
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _at(days_ago: int, hour: int = 12) -> str:
    return (datetime(2027, 4, 20, hour) - timedelta(days=days_ago)).isoformat()


def leads() -> list[dict[str, Any]]:
    """Every lead: `lead_id` and each attribute (None for null)."""
    found = []
    for index, lead in enumerate(_SPECIAL_LEADS):
        found.append({"lead_id": f"lead-{index:02d}", **dict.fromkeys(ATTRIBUTES), **lead})
    found.append({"lead_id": "lead-'quoted'", **dict.fromkeys(ATTRIBUTES), "size": "300"})
    found.append({"lead_id": "lead-ünï", **dict.fromkeys(ATTRIBUTES), "city": "Ürümqi"})
    return found


def events() -> list[Event]:
    """Events on the boundaries, for the special leads; a few for leads that do not exist."""
    found = [
        # Around midnight UTC: the offset decides the day.
        Event("lead-00", "demo", "2027-04-21T01:00:00+02:00"),  # 20th 23:00 UTC: today
        Event("lead-01", "demo", "2027-04-20T23:30:00-02:00"),  # 21st 01:30 UTC: future
        Event("lead-02", "demo", "2027-04-20T00:30:00+01:00"),  # 19th 23:30 UTC: 1 day
        Event("lead-03", "demo", "2027-04-20T23:59:59"),  # no offset: UTC, today
        Event("lead-04", "demo", "2027-04-21T00:00:00"),  # future
        Event("lead-05", "demo", "2027-04-21T00:00:00+00:30"),  # 20th 23:30 UTC: today
        Event("lead-06", "demo", "2027-04-13T23:00:00-05:00"),  # 14th 04:00 UTC: 6 days
        Event("lead-07", "demo", "2027-04-14T08:59:00+09:00"),  # 13th 23:59 UTC: 7 days
        # Decay and windows exactly on their boundaries.
        Event("lead-08", "demo", _at(7)),  # one half-life: 15
        Event("lead-08", "demo", _at(30)),  # expired
        Event("lead-08", "demo", _at(29)),
        Event("lead-09", "click", _at(14)),  # outside the 14-day window
        Event("lead-09", "click", _at(13)),
        Event("lead-09", "click", _at(0, 0)),
        Event("lead-10", "webinar", _at(3)),
        Event("lead-10", "webinar", _at(1)),  # once: the most recent
        Event("lead-10", "webinar", _at(-1)),  # future
        *[Event("lead-11", "view", _at(d, h)) for d in (0, 1, 2, 3, 4) for h in (8, 20)],
        Event("lead-12", "spam", _at(3)),  # disqualifies; -7 halved
        Event("lead-13", "spam", _at(-2)),  # future: does not
        *[Event("lead-14", "click", _at(d)) for d in range(12)],  # capped at 10
        Event("lead-'quoted'", "demo", "2027-04-20T10:00:00Z"),
        Event("lead-ünï", "webinar", "2027-04-19T22:00:00-03:00"),
        Event("ghost", "demo", _at(0)),
    ]
    # A spread of ages for every lead, to sum many decayed cents.
    for index in range(15):
        for step in range(6):
            days = (index * 7 + step * 11) % 40 - 3
            kind = ("demo", "click", "view", "webinar", "spam", "click")[(index + step) % 6]
            if kind != "spam":
                found.append(Event(f"lead-{index:02d}", kind, _at(days, (index * step) % 24)))
    return found


def expected() -> list[tuple[Any, ...]]:
    """Each lead's row as the reference scorer computes it."""
    by_lead: dict[str, list[LeadEvent]] = {}
    for event in events():
        by_lead.setdefault(event.lead_id, []).append(LeadEvent(event.event, event.moment()))
    rows = []
    for lead in leads():
        result = score(MODEL, lead, by_lead.get(lead["lead_id"], []), AS_OF)
        rows.append(
            (
                lead["lead_id"],
                result.fit,
                result.behaviour,
                result.total,
                result.grade,
                result.stage,
                *result.contributions.values(),
            )
        )
    return normal(rows)


def normal(rows: Sequence[Sequence[Any]]) -> list[tuple[Any, ...]]:
    """Rows sorted by lead, numbers as floats to the cent (engines differ in types)."""
    return sorted(
        (
            tuple(
                round(float(v), 2) if isinstance(v, int | float) or _decimal(v) else v for v in row
            )
            for row in rows
        ),
        key=lambda row: str(row[0]),
    )


def _decimal(value: Any) -> bool:
    return type(value).__name__ == "Decimal"


def occurred(event: Event, kind: str) -> Any:
    """An event's time as a column of `TIME_TYPES[kind]` receives it."""
    moment = event.moment()
    return moment if kind == "aware" else moment.astimezone(UTC).replace(tzinfo=None)


def to_duckdb(
    con: duckdb.DuckDBPyConnection,
    kind: str,
    leads_table: str = "leads",
    events_table: str = "events",
) -> None:
    """The leads and events as two tables (named as given, unquoted) of a DuckDB
    connection, `occurred_at` of `TIME_TYPES[kind]`."""
    columns = ", ".join(f"{name} {type_}" for name, type_ in TYPES.items())
    con.execute(f"CREATE TABLE {leads_table} (lead_id VARCHAR, {columns})")
    con.executemany(
        f"INSERT INTO {leads_table} VALUES (?, {', '.join('?' for _ in TYPES)})",
        [[lead["lead_id"], *(lead[name] for name in TYPES)] for lead in leads()],
    )
    con.execute(
        f"CREATE TABLE {events_table} (lead_id VARCHAR, event_type VARCHAR, "
        f"occurred_at {TIME_TYPES[kind]})"
    )
    con.executemany(
        f"INSERT INTO {events_table} VALUES (?, ?, ?)",
        [[e.lead_id, e.event, occurred(e, kind)] for e in events()],
    )
