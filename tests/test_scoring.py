"""The reference scorer's semantics, rule by rule (compiler/analysis/scoring.py documents them)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compiler.analysis.scoring import LeadEvent, maximum, round2, score
from compiler.model.scoring import ScoringModel

BASE = {
    "kind": "scoring_model",
    "id": "m",
    "name": "Model",
    "domain": "automation",
    "owner": "ops@acme.example",
    "catalog": {
        "attributes": {"size": {"type": "number"}, "level": {"type": "string"}},
        "events": {"demo": {}, "click": {}},
    },
    "thresholds": {"mql": 40, "sql": 60},
}


def model(**parts: object) -> ScoringModel:
    return ScoringModel.model_validate({**BASE, **parts})


AS_OF = date(2027, 4, 20)


def events(*pairs: tuple[str, str]) -> list[LeadEvent]:
    return [LeadEvent(name, datetime.fromisoformat(at)) for name, at in pairs]


def test_fit_operators_and_null_attributes() -> None:
    m = model(
        fit=[
            {"id": "big", "attribute": "size", "op": "gte", "value": 200, "points": 10},
            {
                "id": "senior",
                "attribute": "level",
                "op": "in",
                "value": ["vp", "cto"],
                "points": 20,
            },
            {"id": "not-intern", "attribute": "level", "op": "ne", "value": "intern", "points": 5},
            {"id": "known-size", "attribute": "size", "op": "exists", "points": 1},
        ]
    )
    full = score(m, {"size": "250", "level": "vp"}, [], AS_OF)
    assert full.contributions == {"big": 10, "senior": 20, "not-intern": 5, "known-size": 1}
    empty = score(m, {"size": None}, [], AS_OF)
    assert empty.fit == 0  # null makes every test false, `ne` and `exists` included


def test_behaviour_decay_window_expiry_and_future_events() -> None:
    m = model(
        behaviour=[
            {"id": "demo", "event": "demo", "points": 30},
            {"id": "clicks", "event": "click", "points": 2, "within": "7d"},
        ],
        decay={"half_life": "10d", "expire_after": "25d"},
    )
    result = score(
        m,
        {},
        events(
            ("demo", "2027-04-10T09:00"),  # 10 days: half of 30
            ("demo", "2027-03-20T09:00"),  # 31 days: expired
            ("demo", "2027-04-21T09:00"),  # after as_of: ignored
            ("click", "2027-04-20T23:00"),  # today: 2 x 1
            ("click", "2027-04-13T09:00"),  # 7 days: outside a 7d window
        ),
        AS_OF,
    )
    assert result.contributions == {"demo": 15.0, "clicks": 2.0}
    assert result.behaviour == 17.0


def test_caps_max_points_grades_and_stages() -> None:
    m = model(
        fit=[{"id": "big", "attribute": "size", "op": "gt", "value": 10, "points": 50}],
        behaviour=[{"id": "clicks", "event": "click", "points": 5, "max_points": 12}],
        caps={"fit": 40, "total": 45},
        grades=[{"grade": "A", "min_fit": 40}, {"grade": "B", "min_fit": 0}],
    )
    result = score(m, {"size": 11}, events(*[("click", "2027-04-19T10:00")] * 5), AS_OF)
    assert result.contributions["clicks"] == 12
    assert (result.fit, result.behaviour, result.total) == (40, 12, 45)
    assert (result.grade, result.stage) == ("A", "mql")
    assert maximum(m) == 45


def test_negative_points_go_below_zero() -> None:
    m = model(
        fit=[{"id": "intern", "attribute": "level", "op": "eq", "value": "intern", "points": -20}]
    )
    assert score(m, {"level": "intern"}, [], AS_OF).total == -20


@pytest.mark.parametrize(
    ("value", "rounded"), [(2.675, 2.68), (0.125, 0.13), (-0.125, -0.13), (1.005, 1.0), (0.0, 0.0)]
)
def test_round2_is_half_away_from_zero_on_the_scaled_double(value: float, rounded: float) -> None:
    assert round2(value) == rounded


@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False))
def test_round2_stays_within_half_a_cent(value: float) -> None:
    assert abs(round2(value) - value) <= 0.005 + 1e-9


def test_between_regex_once_floor_and_disqualifiers() -> None:
    m = model(
        fit=[
            {"id": "smb", "attribute": "size", "op": "between", "value": [50, 199], "points": 5},
            {"id": "exec", "attribute": "level", "op": "regex", "value": "^(vp|c)", "points": 10},
            {"id": "intern", "attribute": "level", "op": "eq", "value": "intern", "points": -40},
        ],
        behaviour=[{"id": "demo", "event": "demo", "points": 10, "once": True}],
        caps={"floor": -25},
        disqualifiers=[
            {"id": "competitor", "attribute": "level", "op": "eq", "value": "competitor"},
            {"id": "clicked-unsubscribe", "event": "click"},
        ],
    )
    two_demos = events(("demo", "2027-04-19T10:00"), ("demo", "2027-04-10T10:00"))
    lead = score(m, {"size": 199, "level": "vp sales"}, two_demos, AS_OF)
    assert lead.contributions == {"smb": 5, "exec": 10, "intern": 0, "demo": 10}
    assert lead.stage == "none"
    assert score(m, {"level": "intern"}, [], AS_OF).total == -25  # the floor
    assert score(m, {"level": "competitor"}, [], AS_OF).stage == "disqualified"
    assert score(m, {}, events(("click", "2027-04-01T10:00")), AS_OF).stage == "disqualified"
    assert score(m, {}, events(("click", "2027-04-21T10:00")), AS_OF).stage == "none"  # future


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"op": "between", "value": 5}, "between"),
        ({"op": "regex", "value": "(unclosed"}, "not a valid pattern"),
        ({"op": "in", "value": "vp"}, "needs a list"),
    ],
)
def test_malformed_predicates_are_refused(rule: dict[str, object], message: str) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match=message):
        model(fit=[{"id": "r", "attribute": "level", "points": 1, **rule}])


def test_per_period_limit_keeps_the_most_recent_events_of_each_period() -> None:
    m = model(
        behaviour=[
            {"id": "views", "event": "click", "points": 1, "limit": {"max": 2, "per": "7d"}},
        ]
    )
    views = events(
        *[("click", f"2027-04-{day:02d}T09:00") for day in (20, 19, 18, 17)],  # period 0: 4
        ("click", "2027-04-12T09:00"),  # age 8: period 1
    )
    assert score(m, {}, views, AS_OF).contributions == {"views": 3.0}


def test_a_limit_period_is_whole_days() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="whole number of days"):
        model(
            behaviour=[
                {"id": "v", "event": "click", "points": 1, "limit": {"max": 1, "per": "36h"}}
            ]
        )


def test_an_event_counts_on_its_utc_day() -> None:
    m = model(behaviour=[{"id": "demo", "event": "demo", "points": 30}])
    on_the_20th = events(("demo", "2027-04-21T01:00:00+02:00"))  # 20th 23:00 UTC
    assert score(m, {}, on_the_20th, AS_OF).contributions == {"demo": 30.0}
    on_the_21st = events(("demo", "2027-04-20T23:30:00-02:00"))  # 21st 01:30 UTC
    assert score(m, {}, on_the_21st, AS_OF).contributions == {"demo": 0.0}


@pytest.mark.parametrize(
    ("size", "counts"),
    [
        ("250", True),
        ("+250", True),
        ("2.5e2", True),
        (250.0, True),
        ("n/a", False),
        (" 250", False),
        ("1_000", False),
        ("inf", False),
        ("nan", False),
        (float("inf"), False),
        (True, False),
        ("", False),
    ],
)
def test_a_number_attribute_reads_only_decimal_numbers(size: object, counts: bool) -> None:
    m = model(
        fit=[
            {"id": "known", "attribute": "size", "op": "exists", "points": 1},
            {"id": "not-ten", "attribute": "size", "op": "ne", "value": 10, "points": 2},
        ]
    )
    assert score(m, {"size": size}, [], AS_OF).fit == (3 if counts else 0)


def test_text_rules_read_booleans_as_true_and_false() -> None:
    m = model(
        catalog={"attributes": {"active": {"type": "boolean"}}, "events": {}},
        fit=[
            {"id": "on", "attribute": "active", "op": "eq", "value": True, "points": 1},
            {"id": "listed", "attribute": "active", "op": "in", "value": ["true"], "points": 2},
        ],
    )
    assert score(m, {"active": True}, [], AS_OF).fit == 3
    assert score(m, {"active": False}, [], AS_OF).fit == 0


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        (r"\d+", r"`\\d` is read differently"),
        ("(?i)vp", r"`\(\?...\)` groups"),
        ("[[:alpha:]]", "POSIX classes"),
        ("a*+", "possessive"),
        ("", "empty pattern"),
    ],
)
def test_patterns_the_engines_read_differently_are_refused(pattern: str, message: str) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match=message):
        model(fit=[{"id": "r", "attribute": "level", "op": "regex", "value": pattern, "points": 1}])


def test_a_regex_tests_a_string_attribute_only() -> None:
    from pydantic import ValidationError

    model(fit=[{"id": "r", "attribute": "level", "op": "regex", "value": r"^v\.p", "points": 1}])
    with pytest.raises(ValidationError, match="`size` is a number"):
        model(fit=[{"id": "r", "attribute": "size", "op": "regex", "value": "^1", "points": 1}])
