"""A scoring model as one SQL query, built as a sqlglot syntax tree (never by string pasting).

Inputs, documented in the scoring doc:
- `leads`: one row per lead, a `lead_id` column and one column per catalog attribute;
- `events`: `lead_id`, `event_type`, `occurred_at` (a timestamp).

Output: one row per lead with `lead_id`, `fit`, `behaviour`, `total`, `grade`, `stage`
and one `c_<rule id>` column per rule (its contribution), following the semantics of
`compiler/analysis/scoring.py` exactly. The tree is written once with portable nodes; `render_all`
turns the few that differ into each dialect's own: the as-of parameter, the epoch of a
timestamp, a regex found anywhere, text compared by code point, rounding.

One tree serves every file of a model (the plain SQL and the dbt model): `render_all`
writes it once per dialect with stand-ins for the tables and the as-of date, then puts
each target's own text in their place. A string literal never holds `{{`, `{%` or `{#`
(which dbt's Jinja would run): such a literal is written as pieces the query
concatenates, the same text to the warehouse, in every file alike.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import cast

from sqlglot import exp

from compiler.analysis.scoring import NUMBER_TEXT, number
from compiler.config.policy import ScoringPolicy
from compiler.errors import InternalError
from compiler.model.scoring import Attribute, BehaviourRule, Decay, Predicate, ScoringModel

DIALECTS = ("duckdb", "postgres", "bigquery", "snowflake", "spark")
AS_OF = "as_of"
"""The query's one parameter, the scoring date (see `parameter`)."""
_PARAMETERS = {
    "duckdb": "$as_of",
    "postgres": "$1",
    "bigquery": "@as_of",
    "snowflake": "$as_of",
    "spark": ":as_of",
}


def parameter(dialect: str) -> str:
    """How the as-of date appears in the query for a dialect."""
    return _PARAMETERS[dialect]


def _column(name: str, table: str | None = None) -> exp.Column:
    # Unquoted: each warehouse resolves the name as it resolves the tables its users create
    # (Snowflake folds it to upper case, PostgreSQL to lower case).
    return exp.column(name, table=table, quoted=False)


def _table(name: str, schema: str | None = None, database: str | None = None) -> exp.Table:
    return exp.table_(name, db=schema, catalog=database, quoted=False)


@dataclass(frozen=True)
class Tables:
    """Where the query reads its two inputs (by default `leads` and `events`, as the
    session resolves them)."""

    leads: exp.Table = field(default_factory=lambda: _table("leads"))
    events: exp.Table = field(default_factory=lambda: _table("events"))

    @classmethod
    def of(cls, policy: ScoringPolicy) -> Tables:
        """The tables `[tool.campc.scoring]` names, qualified by its database and schema."""
        return cls(
            leads=_table(policy.leads, policy.schema_, policy.database),
            events=_table(policy.events, policy.schema_, policy.database),
        )


def _number(value: float | int) -> exp.Expression:
    return exp.Literal.number(value) if value >= 0 else exp.Neg(this=exp.Literal.number(-value))


OPENER = re.compile(r"\{(?=[{%#])")
"""Where Jinja would see a tag open: a brace followed by one of `{`, `%`, `#`."""


def _string(text: str) -> exp.Expression:
    """A string literal; one that holds a Jinja opener as pieces concatenated, each ending
    before the opener's second character."""
    if not OPENER.search(text):
        return exp.Literal.string(text)
    cuts = [m.end() for m in OPENER.finditer(text)]
    bounds = zip([0, *cuts], [*cuts, len(text)], strict=True)
    return exp.Paren(
        this=exp.Concat(expressions=[exp.Literal.string(text[a:b]) for a, b in bounds])
    )


def _text_literal(value: object) -> exp.Expression:
    if isinstance(value, bool):
        return exp.Literal.string("true" if value else "false")
    return _string(str(value))


def _type(name: str) -> exp.DataType:
    """A type by name, built without the parser (which `DataType.build` runs on a string)."""
    return exp.DataType(this=exp.DataType.Type[name])


def _text(value: exp.Expression) -> exp.Expression:
    return exp.Cast(this=value, to=_type("VARCHAR"))


def _by_code_point(value: exp.Expression) -> exp.Expression:
    """Text compared by code point; only PostgreSQL needs saying so (`render_all`). One side
    with an explicit collation sets the comparison's."""
    return exp.Paren(this=exp.Collate(this=value, expression=exp.to_identifier("C", quoted=True)))


def _found(text: exp.Expression, pattern: str) -> exp.Expression:
    """The pattern found anywhere in the text (Snowflake's own form is set by `render_all`)."""
    return exp.RegexpLike(this=text, expression=_string(pattern))


def _as_number(value: exp.Expression) -> exp.Expression:
    """The value as a number if its text is a decimal number, else NULL (as `scoring.number`)."""
    text = _text(value)
    return _case(
        _found(text, f"^{NUMBER_TEXT}$".replace("(?:", "(")),
        exp.Cast(this=text.copy(), to=_type("DOUBLE")),
        exp.Null(),
    )


def contribution_column(rule_id: str) -> str:
    """The output column holding a rule's points."""
    return "c_" + rule_id.replace("-", "_")


def _predicate(rule: Predicate, attribute: Attribute | None) -> exp.Expression:
    numeric = (attribute is not None and attribute.type == "number") or rule.op in (
        "gt",
        "gte",
        "lt",
        "lte",
    )
    value: exp.Expression = _column(rule.attribute, "l")
    if numeric:
        return _number_predicate(rule, _as_number(value))
    if rule.op == "exists":
        return exp.Not(this=exp.Is(this=value, expression=exp.Null()))
    text = _text(value)
    if rule.op == "regex":
        return _found(text, str(rule.value))
    if rule.op == "between":
        assert isinstance(rule.value, list)
        low, high = rule.value
        return exp.Between(
            this=_by_code_point(text), low=_text_literal(low), high=_text_literal(high)
        )
    if rule.op in ("in", "not_in"):
        options = rule.value if isinstance(rule.value, list) else [rule.value]
        found = exp.In(this=text, expressions=[_text_literal(o) for o in options])
        return found if rule.op == "in" else exp.Not(this=found)
    kind = exp.EQ if rule.op == "eq" else exp.NEQ
    return kind(this=text, expression=_text_literal(rule.value))


def _number_predicate(rule: Predicate, value: exp.Expression) -> exp.Expression:
    known = exp.Not(this=exp.Is(this=value, expression=exp.Null()))
    if rule.op == "exists":
        return known
    if rule.op == "between":
        assert isinstance(rule.value, list)
        low, high = (number(bound) for bound in rule.value)
        if low is None or high is None:
            return exp.false()
        return exp.Between(this=value, low=_number(low), high=_number(high))
    if rule.op in ("in", "not_in"):
        options = rule.value if isinstance(rule.value, list) else [rule.value]
        numbers = sorted({n for o in options if (n := number(o)) is not None})
        if not numbers:  # no option is a number: `in` never holds, `not_in` for every number
            return exp.false() if rule.op == "in" else known
        found = exp.In(this=value, expressions=[_number(n) for n in numbers])
        return found if rule.op == "in" else exp.Not(this=found)
    other = number(rule.value)
    if other is None:
        return exp.false()
    kinds: dict[str, type[exp.Binary]] = {
        "eq": exp.EQ,
        "ne": exp.NEQ,
        "gt": exp.GT,
        "gte": exp.GTE,
        "lt": exp.LT,
        "lte": exp.LTE,
    }
    return cast(exp.Expression, kinds[rule.op](this=value, expression=_number(other)))


def _case(condition: exp.Expression, then: exp.Expression, otherwise: exp.Expression) -> exp.Case:
    return exp.Case(ifs=[exp.If(this=condition, true=then)], default=otherwise)


def _round2(value: exp.Expression) -> exp.Expression:
    return exp.Round(this=value, decimals=exp.Literal.number(2))


def _cap(value: exp.Expression, cap: int | None) -> exp.Expression:
    if cap is None:
        return value
    return exp.Least(this=value, expressions=[_number(cap)])


def _counts(rule: BehaviourRule, default: Decay | None) -> exp.Expression:
    """Whether an event row counts for a rule: its type, its window, its expiry."""
    decay = rule.decay or default
    age = _column("age_days")
    conditions: list[exp.Expression] = [
        exp.EQ(this=_column("event_type"), expression=exp.Literal.string(rule.event))
    ]
    if rule.within is not None:
        conditions.append(exp.LT(this=age.copy(), expression=_number(rule.within.days)))
    if decay is not None and decay.expire_after is not None:
        conditions.append(exp.LT(this=age.copy(), expression=_number(decay.expire_after.days)))
    return cast(exp.Expression, exp.and_(*conditions))


def _behaviour(rule: BehaviourRule, default: Decay | None) -> exp.Expression:
    decay = rule.decay or default
    age = _column("age_days")
    condition = _counts(rule, default)

    def weighted(days: exp.Expression) -> exp.Expression:
        points: exp.Expression = _number(rule.points)
        if decay is None or decay.half_life is None:
            return points
        exponent = exp.Div(
            this=exp.Cast(this=days, to=_type("DOUBLE")),
            expression=_number(float(decay.half_life.days)),
        )
        weight = exp.Pow(this=_number(0.5), expression=exponent)
        return _round2(exp.Mul(this=points, expression=weight))

    if rule.once:  # only the most recent event counts
        youngest = exp.Min(this=_case(condition, age.copy(), exp.Null()))
        total: exp.Expression = _case(
            exp.Is(this=youngest, expression=exp.Null()), _number(0), weighted(youngest.copy())
        )
    else:
        total = _round2(exp.Sum(this=_case(condition, weighted(age), _number(0))))
    if rule.max_points is None:
        return total
    limit = _number(rule.max_points)
    return exp.Case(
        ifs=[
            exp.If(this=exp.GT(this=total, expression=limit), true=limit),
            exp.If(
                this=exp.LT(this=total, expression=_number(-rule.max_points)),
                true=_number(-rule.max_points),
            ),
        ],
        default=total,
    )


def query(
    model: ScoringModel, as_of: date | None = None, tables: Tables | None = None
) -> exp.Select:
    """The scoring query; with `as_of` None, the as-of date is the query's parameter.

    One CTE per step, each built by its own function: `params` (the as-of day),
    `lead_events` (each event's age in days), `numbered_<i>` and `limited_<i>` (a rule
    with a per-period limit), `behaviour_raw` (the other behaviour rules and the
    disqualifying events), `parts` (every rule's contribution per lead), `totals` (fit and
    behaviour, capped), `scored` (the total), then grade and stage."""
    limited = [r for r in model.behaviour if r.limit is not None and not r.once]
    tables = tables or Tables()
    final = _final(model)
    for name, body in (
        ("params", _params(as_of)),
        ("lead_events", _lead_events(tables.events)),
        ("behaviour_raw", _behaviour_raw(model)),
        *_limited(model, limited),
        ("parts", _parts(model, limited, tables.leads)),
        ("totals", _totals(model)),
        ("scored", _scored(model)),
    ):
        final = final.with_(exp.to_identifier(name), as_=body, copy=False)
    return final


def _params(as_of: date | None) -> exp.Select:
    """The as-of date as a day number since 1970-01-01 (a literal, or the parameter)."""
    day: exp.Expression = (
        exp.Literal.string(as_of.isoformat()) if as_of is not None else exp.Placeholder(this=AS_OF)
    )
    return exp.select(
        exp.alias_(
            exp.DateDiff(
                this=exp.Cast(this=day, to=_type("DATE")),
                expression=exp.Cast(this=exp.Literal.string("1970-01-01"), to=_type("DATE")),
                unit=exp.var("DAY"),
            ),
            "as_of_day",
        )
    )


def _lead_events(events: exp.Table) -> exp.Select:
    """Every event up to the as-of day, with its age in whole days."""
    # An event's day is its UTC date, counted from the epoch: seconds since 1970 do not
    # depend on the session's time zone, whether the column has one or not.
    epoch_day = exp.Cast(
        this=exp.Floor(
            this=exp.Div(
                this=exp.TimeToUnix(this=_column("occurred_at", "e")),
                expression=exp.Literal.number(86400),
            )
        ),
        to=_type("BIGINT"),
    )
    age = exp.Sub(this=_column("as_of_day", "p"), expression=epoch_day)
    return (
        exp.select(
            _column("lead_id", "e"),
            _column("event_type", "e"),
            exp.alias_(age, "age_days"),
        )
        .from_(exp.alias_(events.copy(), "e", table=True))
        .join(exp.alias_(_table("params"), "p", table=True), join_type="cross")
        .where(exp.GTE(this=age.copy(), expression=_number(0)))
    )


def _limited(model: ScoringModel, limited: list[BehaviourRule]) -> list[tuple[str, exp.Expression]]:
    """Two CTEs per rule with a per-period limit: its events numbered per period (most
    recent first), then the sum of the first `max` of each period."""
    ctes: list[tuple[str, exp.Expression]] = []
    for index, rule in enumerate(limited):
        assert rule.limit is not None
        period = exp.Floor(
            this=exp.Div(
                this=exp.Cast(this=_column("age_days"), to=_type("DOUBLE")),
                expression=_number(float(rule.limit.per.days)),
            )
        )
        numbered = exp.Window(
            this=exp.RowNumber(),
            partition_by=[_column("lead_id"), period],
            order=exp.Order(expressions=[exp.Ordered(this=_column("age_days"))]),
        )
        events_kept = (
            exp.select(
                _column("lead_id"),
                _column("event_type"),
                _column("age_days"),
                exp.alias_(numbered, "rn"),
            )
            .from_(_table("lead_events"))
            .where(_counts(rule, model.decay))
        )
        kept_total = (
            exp.select(
                _column("lead_id"),
                exp.alias_(
                    _behaviour(rule, model.decay), contribution_column(rule.id), quoted=False
                ),
            )
            .from_(_table(f"numbered_{index}"))
            .where(exp.LTE(this=_column("rn"), expression=_number(rule.limit.max)))
            .group_by(_column("lead_id"))
        )
        ctes += [(f"numbered_{index}", events_kept), (f"limited_{index}", kept_total)]
    return ctes


def _disqualifying_events(model: ScoringModel) -> list[str]:
    return sorted({d.event for d in model.disqualifiers if d.event})


def _behaviour_raw(model: ScoringModel) -> exp.Select:
    """Per lead, each behaviour rule without a per-period limit, and whether a
    disqualifying event happened."""
    unlimited = [r for r in model.behaviour if r.limit is None or r.once]
    columns = [
        exp.alias_(_behaviour(rule, model.decay), contribution_column(rule.id))
        for rule in unlimited
    ]
    disqualifying = _disqualifying_events(model)
    if disqualifying:
        flag = exp.Max(
            this=_case(
                exp.In(
                    this=_column("event_type"),
                    expressions=[exp.Literal.string(e) for e in disqualifying],
                ),
                _number(1),
                _number(0),
            )
        )
        columns.append(exp.alias_(flag, "dq_events"))
    return (
        exp.select(_column("lead_id"), *columns)
        .from_(_table("lead_events"))
        .group_by(_column("lead_id"))
    )


def _parts(model: ScoringModel, limited: list[BehaviourRule], leads: exp.Table) -> exp.Select:
    """Per lead, every rule's contribution (0 where nothing counted) and `disqualified`."""
    fit_columns = [
        exp.alias_(
            _case(
                _predicate(rule, model.catalog.attributes.get(rule.attribute)),
                _number(rule.points),
                _number(0),
            ),
            contribution_column(rule.id),
        )
        for rule in model.fit
    ]
    limited_ids = {r.id: f"r{i}" for i, r in enumerate(limited)}
    carried = [
        exp.alias_(
            exp.Coalesce(
                this=_column(contribution_column(r.id), limited_ids.get(r.id, "b")),
                expressions=[_number(0)],
            ),
            contribution_column(r.id),
        )
        for r in model.behaviour
    ]
    attribute_tests = [
        _predicate(test, model.catalog.attributes.get(test.attribute))
        for d in model.disqualifiers
        if (test := d.predicate()) is not None
    ]
    flags: list[exp.Expression] = []
    if attribute_tests:
        either = cast(exp.Expression, exp.or_(*attribute_tests))
        flags.append(_case(either, _number(1), _number(0)))
    if _disqualifying_events(model):
        flags.append(exp.Coalesce(this=_column("dq_events", "b"), expressions=[_number(0)]))
    disqualified = flags[0] if flags else _number(0)
    for extra in flags[1:]:
        disqualified = exp.Greatest(this=disqualified, expressions=[extra])
    carried.append(exp.alias_(disqualified, "disqualified"))
    parts = (
        exp.select(_column("lead_id", "l"), *fit_columns, *carried)
        .from_(exp.alias_(leads.copy(), "l", table=True))
        .join(
            exp.alias_(_table("behaviour_raw"), "b", table=True),
            on=exp.EQ(this=_column("lead_id", "b"), expression=_column("lead_id", "l")),
            join_type="left",
        )
    )
    for index in range(len(limited)):
        alias = f"r{index}"
        parts = parts.join(
            exp.alias_(_table(f"limited_{index}"), alias, table=True),
            on=exp.EQ(this=_column("lead_id", alias), expression=_column("lead_id", "l")),
            join_type="left",
        )
    return parts


def _sum_of(rule_ids: list[str]) -> exp.Expression:
    if not rule_ids:
        return _number(0)
    result: exp.Expression = _column(contribution_column(rule_ids[0]))
    for rule_id in rule_ids[1:]:
        result = exp.Add(this=result, expression=_column(contribution_column(rule_id)))
    return result


def _totals(model: ScoringModel) -> exp.Select:
    """Fit and behaviour per lead, each within its cap."""
    fit = _cap(_sum_of([r.id for r in model.fit]), model.caps.fit)
    behaviour = _round2(_cap(_sum_of([r.id for r in model.behaviour]), model.caps.behaviour))
    return exp.select(
        exp.Star(),
        exp.alias_(fit, "fit"),
        exp.alias_(behaviour, "behaviour"),
    ).from_(_table("parts"))


def _scored(model: ScoringModel) -> exp.Select:
    """The total: fit plus behaviour, within the total cap and above the floor."""
    summed: exp.Expression = _cap(
        exp.Add(this=_column("fit"), expression=_column("behaviour")), model.caps.total
    )
    if model.caps.floor is not None:
        summed = exp.Greatest(this=summed, expressions=[_number(model.caps.floor)])
    return exp.select(exp.Star(), exp.alias_(_round2(summed), "total")).from_(_table("totals"))


def _final(model: ScoringModel) -> exp.Select:
    """What the query returns per lead: the scores, the grade, the stage, every rule's part."""
    grade = (
        exp.Case(
            ifs=[
                exp.If(
                    this=exp.GTE(this=_column("fit"), expression=_number(g.min_fit)),
                    true=exp.Literal.string(g.grade),
                )
                for g in model.grades
            ],
            default=exp.Null(),
        )
        if model.grades
        else exp.Null()
    )
    stage = exp.Case(
        ifs=[
            exp.If(
                this=exp.EQ(this=_column("disqualified"), expression=_number(1)),
                true=exp.Literal.string("disqualified"),
            ),
            exp.If(
                this=exp.GTE(this=_column("total"), expression=_number(model.thresholds.sql)),
                true=exp.Literal.string("sql"),
            ),
            exp.If(
                this=exp.GTE(this=_column("total"), expression=_number(model.thresholds.mql)),
                true=exp.Literal.string("mql"),
            ),
        ],
        default=exp.Literal.string("none"),
    )
    rule_ids = [r.id for r in model.fit] + [r.id for r in model.behaviour]
    return (
        exp.select(
            _column("lead_id"),
            _column("fit"),
            _column("behaviour"),
            _column("total"),
            exp.alias_(grade, "grade"),
            exp.alias_(stage, "stage"),
            *[_column(contribution_column(rule_id)) for rule_id in rule_ids],
        )
        .from_(_table("scored"))
        .order_by(_column("lead_id"))
    )


def _dialect_form(dialect: str) -> Callable[[exp.Expression], exp.Expression]:
    """The transform that writes the tree's portable nodes in `dialect`'s own way."""

    def transform(node: exp.Expression) -> exp.Expression:
        if _is_as_of(node):
            if dialect == "postgres":
                return exp.Parameter(this=exp.Literal.number(1))
            if dialect in ("bigquery", "snowflake"):
                return exp.Parameter(this=exp.var(AS_OF))
        collated = isinstance(node, exp.Paren) and isinstance(node.this, exp.Collate)
        if collated and dialect != "postgres":  # the others compare by code point already
            return cast(exp.Expression, node.this.this)
        if isinstance(node, exp.Round) and dialect == "postgres":
            # PostgreSQL rounds to decimals only on NUMERIC.
            node.set("this", exp.Cast(this=node.this, to=_type("DECIMAL")))
        if isinstance(node, exp.TimeToUnix) and dialect in ("bigquery", "spark"):
            return exp.UnixSeconds(this=node.this)
        if isinstance(node, exp.RegexpLike) and dialect == "snowflake":
            # Snowflake's REGEXP_LIKE must match the whole text; REGEXP_INSTR finds it anywhere.
            found = exp.RegexpInstr(this=node.this, expression=node.expression)
            return exp.GT(this=found, expression=exp.Literal.number(0))
        return node

    return transform


def render(
    model: ScoringModel, dialect: str, as_of: date | None = None, tables: Tables | None = None
) -> str:
    """The query as text in one SQL dialect."""
    return render_all(model, (dialect,), as_of, tables)[dialect]


@dataclass(frozen=True)
class Target:
    """One file's reading of the query: its tables, and the text of its as-of date (by
    default the dialect's parameter)."""

    tables: Tables = field(default_factory=Tables)
    as_of: str | None = None
    end: str = ";\n"
    """What the text ends with."""


def render_all(
    model: ScoringModel,
    dialects: Sequence[str],
    as_of: date | None = None,
    tables: Tables | None = None,
) -> dict[str, str]:
    """The query as text in each dialect."""
    target = Target(tables or Tables())
    return {d: texts[0] for d, texts in render_targets(model, dialects, (target,), as_of).items()}


def render_targets(
    model: ScoringModel,
    dialects: Sequence[str],
    targets: Sequence[Target],
    as_of: date | None = None,
) -> dict[str, list[str]]:
    """The query as text in each dialect for each target, in the targets' order.

    The tree is built once, reading stand-in tables, and each dialect generates a copy of
    it once (the last the tree itself; generating is most of a build's time): each target's
    tables and as-of date then take the stand-ins' places. A stand-in is a name holding a
    token drawn for this run, so no spec text can spell it, and each must be found exactly
    as often as the tree holds it."""
    token = secrets.token_hex(8)
    stand_in = {name: f"campc{token}{name[0]}" for name in ("leads", "events", "as_of")}
    built: exp.Expression = query(
        model, as_of, Tables(_table(stand_in["leads"]), _table(stand_in["events"]))
    )
    if as_of is None:
        built = built.transform(
            lambda n: exp.var(stand_in["as_of"]) if _is_as_of(n) else n, copy=False
        )
    found = {"leads": 1, "events": 1, "as_of": 0 if as_of is not None else 1}
    texts: dict[str, list[str]] = {}
    for index, dialect in enumerate(dialects):
        form = _dialect_form(dialect)
        tree = built.transform(form, copy=index < len(dialects) - 1)
        text = tree.sql(dialect=dialect, pretty=True, copy=False)
        for name, count in found.items():
            if text.count(stand_in[name]) != count:
                raise InternalError(f"{model.id} ({dialect}): the query's `{name}` is misplaced")
        parameter = form(exp.Placeholder(this=AS_OF)).sql(dialect=dialect)
        texts[dialect] = [
            text.replace(stand_in["leads"], t.tables.leads.sql(dialect=dialect))
            .replace(stand_in["events"], t.tables.events.sql(dialect=dialect))
            .replace(stand_in["as_of"], parameter if t.as_of is None else t.as_of)
            + t.end
            for t in targets
        ]
    return texts


def _is_as_of(node: exp.Expression) -> bool:
    return isinstance(node, exp.Placeholder) and node.this == AS_OF
