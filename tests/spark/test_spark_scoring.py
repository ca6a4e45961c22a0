"""Opt-in (`nox -s spark`): the Spark SQL, run by pyspark in local mode, scores as Python does
(the samples, a large generated set, and the adversarial set of tests/scoring_cases.py).

Collected only with CAMPC_SPARK=1 (tests/conftest.py), since pyspark and a JVM are
heavy; the nox session installs them and sets it.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from pyspark.sql import SparkSession

from compiler.backends.scoring.sql import render
from compiler.commands.score import with_python
from compiler.load.repository import load
from compiler.model.scoring import ScoringModel
from tests import scoring_cases as cases
from tests.conftest import ROOT

AS_OF = date(2027, 4, 20)


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkSession]:
    session = (
        SparkSession.builder.master("local[1]")
        .appName("campc-scoring-check")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    yield session
    session.stop()


def _model() -> ScoringModel:
    repo, problems = load(ROOT / "campaigns", str)
    assert not problems
    return next(s.model for s in repo.specs if isinstance(s.model, ScoringModel))


def _generated(tmp: Path, count: int) -> tuple[Path, Path]:
    leads, events = tmp / "leads.csv", tmp / "events.csv"
    levels = ["individual", "manager", "director", "vp", "c_level"]
    kinds = [
        "pricing_page_viewed",
        "webinar_attended",
        "demo_requested",
        "trial_started",
        "email_clicked",
        "unsubscribed",
    ]
    with leads.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["lead_id", "company_size", "job_level", "industry", "country", "email_domain_type"]
        )
        for i in range(count):
            writer.writerow(
                [
                    f"lead-{i:05d}",
                    (i * 7919) % 5000,
                    levels[i % 5],
                    ["software", "education", "retail"][i % 3],
                    ["FR", "DE", "GB", "US", "JP"][i % 5],
                    "personal" if i % 7 == 0 else "business",
                ]
            )
    with events.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["lead_id", "event_type", "occurred_at"])
        for i in range(count * 3):
            at = datetime(2027, 4, 20, i % 24) - timedelta(days=i % 200)
            writer.writerow([f"lead-{(i * 104729) % count:05d}", kinds[i % 6], at.isoformat()])
    return leads, events


def _normal(rows: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
    return [
        tuple(round(float(v), 2) if isinstance(v, int | float) else v for v in row) for row in rows
    ]


@pytest.mark.parametrize("source", ["samples", "generated"])
def test_spark_sql_scores_like_the_reference_scorer(
    spark: SparkSession, tmp_path: Path, source: str
) -> None:
    model = _model()
    if source == "samples":
        samples = ROOT / "campaigns" / "samples"
        leads, events = samples / "leads.csv", samples / "events.csv"
    else:
        leads, events = _generated(tmp_path, 2000)
    for name, path in (("leads", leads), ("events", events)):
        frame = spark.read.option("header", True).option("inferSchema", True).csv(str(path))
        frame.createOrReplaceTempView(name)
    query = render(model, "spark", AS_OF).rstrip().rstrip(";")
    got = [tuple(row) for row in spark.sql(query).collect()]
    expected = with_python(model, leads, events, AS_OF)
    assert _normal(got) == _normal(expected)


@pytest.mark.parametrize("time_zone", cases.TIME_ZONES)
def test_spark_scores_the_adversarial_set_like_the_reference(
    spark: SparkSession, time_zone: str
) -> None:
    spark.conf.set("spark.sql.session.timeZone", time_zone)
    try:
        text = ", ".join(f"{name} string" for name in ("level", "industry", "city"))
        leads_schema = f"lead_id string, size string, revenue double, {text}, active boolean"
        leads = [
            tuple(lead[name] for name in ("lead_id", *cases.ATTRIBUTES)) for lead in cases.leads()
        ]
        spark.createDataFrame(leads, leads_schema).createOrReplaceTempView("leads")
        events = [(e.lead_id, e.event, e.moment()) for e in cases.events()]
        events_schema = "lead_id string, event_type string, occurred_at timestamp"
        spark.createDataFrame(events, events_schema).createOrReplaceTempView("events")
        query = render(cases.MODEL, "spark").rstrip().rstrip(";")
        got = [tuple(row) for row in spark.sql(query, args={"as_of": cases.AS_OF}).collect()]
    finally:
        spark.conf.set("spark.sql.session.timeZone", "UTC")
    assert cases.normal(got) == cases.expected()
