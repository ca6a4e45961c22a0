"""The dbt project `campc build` writes (`outputs/scoring/dbt/`), run by real dbt.

`dbt build` (dbt-core with dbt-duckdb, which `nox -s tests` installs) runs the example
repository's project over its sample leads and events, and a project holding the
adversarial model of `tests/scoring_cases.py` over its leads (Jinja's openers in the
literals, under a Tokyo session): every lead's row equals `campc score --engine python`'s
and the reference scorer's, and the project's own tests (sources, grades, stages) pass.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest
from ruamel.yaml import YAML
from sqlglot import exp

from compiler.backends.scoring import dbt, sql
from compiler.commands.score import columns
from compiler.config.policy import ScoringPolicy
from compiler.errors import InternalError
from compiler.model.scoring import ScoringModel
from tests import scoring_cases as cases
from tests.conftest import ROOT, real_client

EXAMPLE = ROOT / "outputs" / "scoring" / "dbt"
INSTALL = "pip install 'dbt-core>=1.10,<1.12' dbt-duckdb (nox -s tests installs them)"


def _yaml(text: str) -> Any:
    return YAML(typ="safe", pure=True).load(text)


def _run_dbt(project_dir: Path, database: Path, as_of: str, time_zone: str = "UTC") -> str:
    """`dbt build` of `project_dir` (a copy) against a DuckDB file; its output."""
    executable = real_client("dbt", install=INSTALL)
    profiles = project_dir.parent / "profiles"
    profiles.mkdir()
    target = {
        "type": "duckdb",
        "path": str(database),
        "schema": "main",
        "threads": 1,
        "settings": {"TimeZone": time_zone},
    }
    profile = {"campc": {"target": "ci", "outputs": {"ci": target}}}
    buffer = io.StringIO()
    YAML(typ="safe", pure=True).dump(profile, buffer)
    (profiles / "profiles.yml").write_text(buffer.getvalue(), encoding="utf-8")
    environment = {
        **os.environ,
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_LOG_PATH": str(project_dir.parent / "logs"),
        "DBT_TARGET_PATH": str(project_dir.parent / "target"),
    }
    done = subprocess.run(
        [
            *(executable, "build", "--project-dir", str(project_dir)),
            *("--profiles-dir", str(profiles), "--vars", f"{{as_of: '{as_of}'}}"),
            "--no-use-colors",
        ],
        capture_output=True,
        text=True,
        env=environment,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _rows(database: Path, table: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(database)) as con:
        return con.execute(f"SELECT * FROM {table}").fetchall()


def _load_samples(
    database: Path, model: ScoringModel, schema: str, leads: str, events: str
) -> None:
    """The example's sample CSVs as typed tables where its `[tool.campc.scoring]` says."""
    types = {"string": "VARCHAR", "number": "DOUBLE", "boolean": "BOOLEAN", "date": "DATE"}
    attributes = {"lead_id": "VARCHAR"} | {
        name: types[a.type] for name, a in model.catalog.attributes.items()
    }
    samples = ROOT / "campaigns" / "samples"
    with duckdb.connect(str(database)) as con:
        con.execute(f"CREATE SCHEMA {schema}")
        con.execute(
            f"CREATE TABLE {schema}.{leads} AS SELECT * FROM read_csv(?, header = true, "
            f"columns = {attributes!r})",
            [str(samples / "leads.csv")],
        )
        con.execute("SET TimeZone = 'UTC'")
        con.execute(
            f"CREATE TABLE {schema}.{events} AS SELECT lead_id, event_type, "
            "CAST(occurred_at AS TIMESTAMPTZ) AS occurred_at FROM read_csv(?, header = true, "
            "all_varchar = true)",
            [str(samples / "events.csv")],
        )


def _example_model() -> ScoringModel:
    from compiler.config import settings
    from compiler.load import repository

    found = settings.load(ROOT)
    repo, _ = repository.load(found.campaigns, str, found.policy)
    [model] = [s.model for s in repo.specs if s.kind == "scoring_model"]
    assert isinstance(model, ScoringModel)
    return model


def test_the_example_project_scores_like_campc_score(tmp_path: Path) -> None:
    model = _example_model()
    policy = _yaml((EXAMPLE / "models" / "sources.yml").read_text("utf-8"))["sources"][0]
    names = {table["name"]: table["identifier"] for table in policy["tables"]}
    database = tmp_path / "warehouse.duckdb"
    _load_samples(database, model, policy["schema"], names["leads"], names["events"])
    shutil.copytree(EXAMPLE, tmp_path / "project")
    output = _run_dbt(tmp_path / "project", database, "2027-04-20")
    assert "ERROR=0" in output
    assert "PASS=14" in output  # the sources' 5 tests, the model's 8, the model
    samples = ROOT / "campaigns" / "samples"
    reference = subprocess.run(
        [
            *(sys.executable, "-m", "compiler", "score", model.id, "--engine", "python"),
            *("--as-of", "2027-04-20"),
            *("--leads", str(samples / "leads.csv"), "--events", str(samples / "events.csv")),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    expected = list(csv.reader(io.StringIO(reference)))
    assert expected[0] == columns(model)
    table = f"main.{dbt.model_name(model)}"
    rows = _rows(database, table)
    with duckdb.connect(str(database)) as con:
        described = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
    assert described == columns(model)
    assert len(rows) == len(expected) - 1 > 0
    assert cases.normal(rows) == cases.normal(
        [[float(v) if _number(v) else (v or None) for v in row] for row in expected[1:]]
    )


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _adversarial_project(folder: Path, policy: ScoringPolicy) -> None:
    """The dbt project of a repository whose one scoring model is `cases.MODEL`."""
    written = dbt.files(policy, [cases.MODEL])
    written[f"models/{dbt.model_name(cases.MODEL)}.sql"] = dbt.model_sql(cases.MODEL)
    for name, text in written.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")


@pytest.mark.parametrize("kind", sorted(cases.TIME_TYPES))
def test_the_adversarial_model_scores_like_the_reference_in_dbt(tmp_path: Path, kind: str) -> None:
    policy = ScoringPolicy.model_validate(
        {"schema": "crm", "leads": "lead_table", "events": "event_table"}
    )
    database = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute("CREATE SCHEMA crm")
        con.execute("SET TimeZone = 'Asia/Tokyo'")
        cases.to_duckdb(con, kind, "crm.lead_table", "crm.event_table")
    _adversarial_project(tmp_path / "project", policy)
    _run_dbt(tmp_path / "project", database, cases.AS_OF.isoformat(), "Asia/Tokyo")
    assert cases.normal(_rows(database, f"main.{dbt.model_name(cases.MODEL)}")) == (
        cases.expected()
    )


def test_the_project_declares_the_configured_tables_and_tests() -> None:
    policy = ScoringPolicy.model_validate(
        {"database": "analytics", "schema": "crm", "leads": "l", "events": "e"}
    )
    [source] = _yaml(dbt.sources_yml(policy))["sources"]
    assert (source["name"], source["database"], source["schema"]) == ("campc", "analytics", "crm")
    assert {t["name"]: t["identifier"] for t in source["tables"]} == {"leads": "l", "events": "e"}
    default = _yaml(dbt.sources_yml(ScoringPolicy()))["sources"][0]
    assert "database" not in default
    assert default["schema"] == "{{ target.schema }}"
    [model] = _yaml(dbt.schema_yml([cases.MODEL]))["models"]
    tests = {c["name"]: c["data_tests"] for c in model["columns"]}
    assert tests["lead_id"] == ["not_null", "unique"]
    assert tests["grade"] == [{"accepted_values": {"arguments": {"values": ["A", "B"]}}}]
    assert tests["stage"][1]["accepted_values"]["arguments"]["values"] == list(dbt.STAGES)
    assert _yaml(dbt.project_yml(policy))["profile"] == "campc"


def test_a_model_writes_each_adapter_its_dialect_and_never_the_clock() -> None:
    text = dbt.model_sql(cases.MODEL)
    for _, types in dbt.TARGETS:
        assert " or ".join(f"target.type == '{t}'" for t in types) in text
    assert text.count("{{ source('campc', 'leads') }}") == len(dbt.TARGETS)
    assert text.count("{{ campc_as_of() }}") == len(dbt.TARGETS)
    assert "CURRENT_DATE" not in text.upper()
    assert not [line for line in text.splitlines() if line.rstrip().endswith(";")]


def test_a_literal_that_opens_jinja_would_stop_the_build(monkeypatch: pytest.MonkeyPatch) -> None:
    """The guard behind the literal splitting: were a literal written as it is, the model
    would hold Jinja campc did not write, and the build stops (our bug, never a run)."""
    monkeypatch.setattr(sql, "_string", exp.Literal.string)
    with pytest.raises(InternalError, match="Jinja that campc did not write"):
        dbt.model_sql(cases.MODEL)


def _as_of(node: Any) -> bool:
    return isinstance(node, exp.Placeholder) and node.this == "as_of"
