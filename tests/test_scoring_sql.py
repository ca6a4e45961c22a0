"""Scoring SQL: DuckDB and the Python reference scorer agree; every dialect parses back."""

from __future__ import annotations

import csv
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import sqlglot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlglot import exp

from compiler.backends.scoring.sql import DIALECTS, parameter, render
from compiler.commands.score import with_duckdb, with_python
from compiler.load.repository import load
from compiler.model.scoring import ScoringModel
from tests.conftest import ROOT, CliRun

SAMPLES = ROOT / "campaigns" / "samples"


def example_model() -> ScoringModel:
    repo, problems = load(ROOT / "campaigns", str)
    assert not problems
    return next(s.model for s in repo.specs if isinstance(s.model, ScoringModel))


MODEL = example_model()


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_dialect_parses_back(dialect: str) -> None:
    text = render(MODEL, dialect)
    statements = sqlglot.parse(text, read=dialect)
    assert len(statements) == 1
    assert statements[0] is not None


def test_hostile_literals_are_escaped_in_every_dialect() -> None:
    hostile = MODEL.model_copy(
        update={
            "fit": [
                MODEL.fit[0].model_copy(
                    update={
                        "op": "eq",
                        "attribute": "industry",
                        "value": "O'Reilly'); DROP TABLE leads;--",
                    }
                )
            ]
        }
    )
    for dialect in DIALECTS:
        text = render(hostile, dialect)
        assert len(sqlglot.parse(text, read=dialect)) == 1
        assert "DROP TABLE" not in text.upper().replace("'); DROP TABLE LEADS;--", "")


def test_sample_files_score_the_same_in_both_engines() -> None:
    as_of = date(2027, 4, 20)
    leads, events = SAMPLES / "leads.csv", SAMPLES / "events.csv"
    assert with_duckdb(MODEL, leads, events, as_of) == with_python(MODEL, leads, events, as_of)


attribute_values = {
    "company_size": st.one_of(st.none(), st.integers(min_value=0, max_value=5000)),
    "job_level": st.one_of(
        st.none(), st.sampled_from(["individual", "manager", "director", "vp", "c_level"])
    ),
    "industry": st.one_of(
        st.none(), st.sampled_from(["software", "retail", "O'Reilly", "education", "academic x"])
    ),
    "country": st.one_of(st.none(), st.sampled_from(["FR", "DE", "GB", "US", "JP"])),
    "email_domain_type": st.one_of(st.none(), st.sampled_from(["business", "personal"])),
}
leads_strategy = st.lists(st.fixed_dictionaries(attribute_values), min_size=1, max_size=8)
events_strategy = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=7),
        st.sampled_from(sorted(MODEL.catalog.events)),
        st.integers(min_value=-5, max_value=400),
        st.integers(min_value=0, max_value=23),
    ),
    max_size=40,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(leads_strategy, events_strategy)
def test_duckdb_and_python_agree_on_generated_leads(
    tmp_path: Path, leads: list[dict[str, object]], events: list[tuple[int, str, int, int]]
) -> None:
    as_of = date(2027, 4, 20)
    leads_file, events_file = tmp_path / "leads.csv", tmp_path / "events.csv"
    with leads_file.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["lead_id", *attribute_values])
        for index, lead in enumerate(leads):
            values = (lead[name] for name in attribute_values)
            writer.writerow([f"lead-{index}", *("" if v is None else v for v in values)])
    with events_file.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["lead_id", "event_type", "occurred_at"])
        writer.writerow(["nobody", "demo_requested", "2027-01-01T00:00:00"])  # fixes the types
        for lead_number, name, days_ago, hour in events:
            at = datetime(2027, 4, 20, hour) - timedelta(days=days_ago)
            writer.writerow([f"lead-{lead_number % len(leads)}", name, at.isoformat()])
    assert with_duckdb(MODEL, leads_file, events_file, as_of) == with_python(
        MODEL, leads_file, events_file, as_of
    )


def test_campc_score_cli_with_both_engines(campc: CliRun, tmp_path: Path) -> None:
    args = [
        "score",
        "b2b-lead-scoring",
        "--leads",
        str(SAMPLES / "leads.csv"),
        "--events",
        str(SAMPLES / "events.csv"),
        "--as-of",
        "2027-04-20",
    ]
    duck = campc(*args)
    python = campc(*args, "--engine", "python")
    assert duck.exit_code == python.exit_code == 0
    assert duck.stdout == python.stdout
    assert duck.stdout.splitlines()[1].startswith("lead-001,40,30,70,A,mql,")
    out = tmp_path / "scores.csv"
    assert campc(*args, "--out", str(out)).exit_code == 0
    assert out.read_text() == duck.stdout


def test_campc_score_refuses_unknown_models_and_bad_files(campc: CliRun, tmp_path: Path) -> None:
    assert (
        campc(
            "score",
            "nope",
            "--leads",
            str(SAMPLES / "leads.csv"),
            "--events",
            str(SAMPLES / "events.csv"),
        ).exit_code
        == 2
    )
    broken = tmp_path / "events.csv"
    broken.write_text("lead_id,event_type\nlead-1,demo_requested\n")
    for engine in ("duckdb", "python"):
        run = campc(
            "score",
            "b2b-lead-scoring",
            "--leads",
            str(SAMPLES / "leads.csv"),
            "--events",
            str(broken),
            "--engine",
            engine,
        )
        assert run.exit_code == 2, run.stdout
        assert "Traceback" not in run.stderr


def test_campc_score_reads_parquet_with_both_engines(campc: CliRun, tmp_path: Path) -> None:
    import duckdb

    for name in ("leads", "events"):
        duckdb.sql(
            f"COPY (SELECT * FROM read_csv('{SAMPLES / (name + '.csv')}')) "
            f"TO '{tmp_path / (name + '.parquet')}' (FORMAT parquet)"
        )
    args = [
        "score",
        "b2b-lead-scoring",
        "--leads",
        str(tmp_path / "leads.parquet"),
        "--events",
        str(tmp_path / "events.parquet"),
        "--as-of",
        "2027-04-20",
    ]
    from_csv = campc(
        "score",
        "b2b-lead-scoring",
        "--leads",
        str(SAMPLES / "leads.csv"),
        "--events",
        str(SAMPLES / "events.csv"),
        "--as-of",
        "2027-04-20",
    ).stdout
    for engine in ("duckdb", "python"):
        run = campc(*args, "--engine", engine)
        assert run.exit_code == 0, run.stderr
        assert run.stdout == from_csv


@pytest.mark.parametrize("dialect", DIALECTS)
def test_names_are_unquoted_so_each_warehouse_resolves_them_as_its_users_create_them(
    dialect: str,
) -> None:
    tree = sqlglot.parse_one(render(MODEL, dialect), read=dialect)
    quoted = {i.name for i in tree.find_all(exp.Identifier) if i.quoted}
    assert quoted <= ({"C"} if dialect == "postgres" else set())  # COLLATE "C"


@pytest.mark.parametrize("dialect", DIALECTS)
def test_the_as_of_date_is_the_query_parameter(dialect: str) -> None:
    text = render(MODEL, dialect)
    assert "CURRENT_DATE" not in text.upper()
    assert f"CAST({parameter(dialect)} AS DATE)" in text
    dated = render(MODEL, dialect, date(2027, 4, 20))
    assert parameter(dialect) not in dated
    assert "'2027-04-20'" in dated


def test_snowflake_finds_a_regex_anywhere_in_the_text() -> None:
    text = render(MODEL, "snowflake")
    assert "REGEXP_LIKE" not in text  # Snowflake's REGEXP_LIKE matches the whole text
    assert "REGEXP_INSTR(CAST(l.industry AS VARCHAR), '^(education|academic)') > 0" in text


@pytest.mark.parametrize("engine", [with_duckdb, with_python])
def test_campc_score_counts_an_offset_time_on_its_utc_day(tmp_path: Path, engine: object) -> None:
    leads, events = tmp_path / "leads.csv", tmp_path / "events.csv"
    header = ",".join(["lead_id", *MODEL.catalog.attributes])
    leads.write_text(f"{header}\nlead-1,,,,,\nlead-2,,,,,\n")
    events.write_text(
        "lead_id,event_type,occurred_at\n"
        "lead-1,demo_requested,2027-04-21T01:00:00+02:00\n"  # 20th 23:00 UTC: today
        "lead-2,demo_requested,2027-04-20T23:30:00-02:00\n"  # 21st 01:30 UTC: future
    )
    assert callable(engine)
    rows = engine(MODEL, leads, events, date(2027, 4, 20))
    assert [(row[0], row[2]) for row in rows] == [("lead-1", 30.0), ("lead-2", 0.0)]


def test_scoring_golden_files(tmp_path: Path) -> None:
    """The scoring back-end's own golden repository: a model of another shape than the
    example's (two per-period limits, no decay, no grades, no disqualifiers)."""
    from tests.golden_build import assert_tree_matches_golden, build_fixture

    out = tmp_path / "out"
    build_fixture("scoring-repo", out)
    assert_tree_matches_golden("scoring-repo", out)
    # and what that SQL computes is what the reference scorer computes
    repo, problems = load(ROOT / "tests" / "golden" / "scoring-repo" / "campaigns", str)
    assert not problems
    model = next(s.model for s in repo.specs if isinstance(s.model, ScoringModel))
    leads, events = tmp_path / "leads.csv", tmp_path / "events.csv"
    leads.write_text(
        "lead_id,seats,plan,verified\n"
        "a,12,team,true\nb,80,free,false\nc,,business,\nd,3,free,true\n",
        encoding="utf-8",
    )
    rows = ["lead_id,event_type,occurred_at"]
    for day in range(12):  # more than each limit allows, on many days and periods
        for hour in (8, 9, 10):
            rows.append(f"a,feature_used,2027-04-{1 + day:02d}T{hour:02d}:00:00")
            rows.append(f"b,invite_sent,2027-04-{1 + day:02d}T{hour:02d}:00:00")
    rows += ["c,billing_viewed,2027-04-02T10:00:00", "c,billing_viewed,2027-04-03T10:00:00"]
    events.write_text("\n".join(rows) + "\n", encoding="utf-8")
    as_of = date(2027, 4, 20)
    scored = with_duckdb(model, leads, events, as_of)
    assert scored == with_python(model, leads, events, as_of)
    assert len(scored) == 4
