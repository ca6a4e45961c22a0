"""Shared types: durations, decimals, dates and the conventions defaults."""

from __future__ import annotations

import unicodedata
from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from compiler.conventions.registry import conventions, metric_key, normalize
from compiler.model.common import Domain, Duration, Number, format_duration

durations = TypeAdapter(Duration)
numbers = TypeAdapter(Number)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2d", timedelta(days=2)),
        ("36h", timedelta(hours=36)),
        ("90m", timedelta(minutes=90)),
        ("1w", timedelta(weeks=1)),
        ("1d12h", timedelta(days=1, hours=12)),
        ("0m", timedelta(0)),
    ],
)
def test_duration_parses(text: str, expected: timedelta) -> None:
    assert durations.validate_python(text) == expected


@pytest.mark.parametrize("text", ["", "2", "2 days", "-2d", "12h1d", "1.5h", "P1D", 60, None])
def test_duration_rejects(text: object) -> None:
    with pytest.raises(ValidationError):
        durations.validate_python(text)


@given(st.integers(min_value=0, max_value=10**7))
def test_duration_round_trips_through_its_text_form(minutes: int) -> None:
    value = timedelta(minutes=minutes)
    assert durations.validate_python(format_duration(value)) == value


@pytest.mark.parametrize(
    ("value", "expected"),
    [(50000, Decimal(50000)), (0.1, Decimal("0.1")), ("1250.50", Decimal("1250.50"))],
)
def test_numbers_are_exact_decimals(value: object, expected: Decimal) -> None:
    assert numbers.validate_python(value) == expected


@pytest.mark.parametrize("value", [True, "5,000", "1e3", float("nan"), float("inf"), None, [1]])
def test_numbers_reject(value: object) -> None:
    with pytest.raises(ValidationError):
        numbers.validate_python(value)


def test_normalize_is_case_and_accent_insensitive() -> None:
    assert normalize("Séquence") == normalize("SEQUENCE") == "sequence"
    assert metric_key("Taux d'ouverture") == "taux_d_ouverture"


def test_default_conventions_hold_the_seed_tables() -> None:
    current = conventions()
    routing = current.routing
    assert routing.order == ["campagnes", "acquisition", "automation", "performance"]
    assert routing.kinds == {
        "sequence": "automation",
        "scoring_model": "automation",
        "experiment": "performance",
    }
    seed_keywords: dict[Domain, list[str]] = {
        "campagnes": [
            "campagne",
            "lancement",
            "planning",
            "calendrier",
            "budget",
            "allocation",
            "coordination",
            "multicanal",
            "orchestration campagne",
        ],
        "acquisition": [
            "email",
            "newsletter",
            "emailing",
            "growth",
            "hack",
            "viralité",
            "referral",
        ],
        "automation": [
            "automation",
            "workflow",
            "séquence",
            "lead scoring",
            "qualification",
            "triggers",
            "actions automatiques",
            "nurturing",
            "drip",
            "multi-touch",
        ],
        "performance": [
            "cro",
            "conversion",
            "optimisation",
            "funnel",
            "entonnoir",
            "drop-off",
            "personnalisation",
            "segmentation",
        ],
    }
    for domain, words in seed_keywords.items():
        assert set(words) <= set(routing.domains[domain].keywords), domain
    assert set(routing.partners) == {
        "paid-media",
        "marketing-analytics",
        "seo-expert",
        "content-marketing",
        "customer-success",
        "frontend-developer",
    }
    metrics = current.metrics
    seed_metrics = {
        "campagnes": {"reach", "engagement_rate", "coordination_score"},
        "acquisition": {"open_rate", "click_through_rate", "deliverability_rate"},
        "automation": {"sequence_conversion_rate", "lead_velocity_rate"},
        "performance": {"conversion_rate", "lift", "funnel_completion_rate"},
    }
    for area, ids in seed_metrics.items():
        assert {m.id for m in metrics.metrics if m.area == area} == ids
    assert metrics.by_alias("CTR") == metrics.get("click_through_rate")
    assert metrics.by_alias("Taux d'ouverture") == metrics.get("open_rate")
    assert metrics.by_alias("open_rate") is None  # a canonical id is not an alias


def test_repository_conventions_extend_or_replace_the_defaults() -> None:
    from compiler.conventions.models import Metric, Metrics, Routing

    extra = Metric(id="demo_requests", name="Demos", definition="Demos asked for", unit="count")
    extended = conventions(metrics=Metrics(kind="metrics", metrics=[extra]))
    assert extended.metrics.get("demo_requests")
    assert extended.metrics.get("reach")
    replaced = conventions(metrics=Metrics(kind="metrics", extend=False, metrics=[extra]))
    assert replaced.metrics.get("reach") is None
    routing = Routing.model_validate(
        {"kind": "routing", "domains": {"campagnes": {"keywords": ["roadshow"]}}}
    )
    merged = conventions(routing=routing).routing
    assert "roadshow" in merged.domains["campagnes"].keywords
    assert "campagne" in merged.domains["campagnes"].keywords


@given(st.text(max_size=40))
def test_normalize_is_casefolded_nfkd_without_combining_marks(text: str) -> None:
    # the ASCII fast path must agree with the full definition on any text
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    assert normalize(text) == "".join(c for c in decomposed if not unicodedata.combining(c))


def test_a_variant_subject_needs_the_send_it_splits() -> None:
    import pytest
    from pydantic import ValidationError

    from compiler.model.experiment import Experiment

    data = {
        "kind": "experiment",
        "id": "subject",
        "name": "Subject",
        "domain": "performance",
        "owner": "ops@acme.example",
        "hypothesis": "A concrete subject raises opens.",
        "unit": "contact",
        "surface": "launch-email",
        "variants": [
            {"id": "control", "name": "A", "weight": 0.5},
            {"id": "concrete", "name": "B", "weight": 0.5, "subject": "Your report is ready"},
        ],
        "primary_metric": {"metric": "open_rate", "baseline": 0.3, "mde": 0.05},
        "traffic": {"daily": 1000},
        "start": "2027-04-06",
    }
    with pytest.raises(ValidationError, match="needs the experiment's `send`"):
        Experiment.model_validate(data)
    sent = {k: v for k, v in data.items() if k != "traffic"}
    assert Experiment.model_validate({**sent, "send": "launch/announcement"}).send
    with pytest.raises(ValidationError, match="planned on its list, not on traffic"):
        Experiment.model_validate({**data, "send": "launch/announcement"})
