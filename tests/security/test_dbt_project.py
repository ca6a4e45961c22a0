"""A pull request cannot make the dbt project run Jinja of its own.

dbt renders every model and YAML file with Jinja, which reads the environment
(`env_var('DBT_ENV_SECRET_...')`) and can run macros. A spec's literals (a fit rule's
value, a regex, an event name) and the `[tool.campc.scoring]` names reach those files;
none may open a Jinja tag there. (`tests/test_dbt.py` runs such literals through dbt.)
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import Any

import duckdb
import jinja2
import pytest

from compiler.backends.scoring import dbt
from tests.conftest import CliRun

HOSTILE = "{{ env_var('CAMPC_SECRET') }}{% do run_query('drop table x') %}{#"
_OPENER = re.compile(r"\{[{%#]")


def _repo(root: Path, scoring: str = "") -> Path:
    (root / "campaigns" / "automation").mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        '[tool.campc]\ncampaigns = "campaigns"\n' + scoring, encoding="utf-8"
    )
    spec = f"""\
        kind: scoring_model
        id: hostile
        name: Hostile
        domain: automation
        owner: ops@acme.example
        catalog:
          attributes:
            industry: {{type: string}}
          events:
            demo: {{}}
        fit:
          - {{id: jinja, attribute: industry, op: eq, value: "{HOSTILE}", points: 10}}
          - {{id: brace, attribute: industry, op: regex, value: "[{{][{{%#]", points: 1}}
        behaviour:
          - {{id: demo, event: demo, points: 5}}
        thresholds: {{mql: 5, sql: 50}}
        grades:
          - {{grade: A, min_fit: 5}}
        kpis:
          - {{metric: lead_velocity_rate, target: 0.08, primary: true}}
        """
    path = root / "campaigns" / "automation" / "hostile.yaml"
    path.write_text(textwrap.dedent(spec), encoding="utf-8")
    return root


def _render(model_sql: str, dialect: str) -> str:
    """The model as dbt would render it for `dialect`, with dbt's functions stubbed and
    every other global (`env_var`, `run_query`) refused."""

    def refused(*args: Any, **kwargs: Any) -> str:
        raise AssertionError(f"the model called a function campc did not write: {args}")

    env = jinja2.Environment(undefined=jinja2.StrictUndefined, extensions=["jinja2.ext.do"])
    return env.from_string(model_sql).render(
        target={"type": dialect},
        config=lambda **_: "",
        source=lambda source, table: f"{source}_{table}",
        campc_as_of=lambda: "'2027-04-20'",
        env_var=refused,
        run_query=refused,
        exceptions={"raise_compiler_error": refused},
    )


def test_spec_literals_reach_the_warehouse_as_text_never_as_jinja(
    tmp_path: Path, campc: CliRun
) -> None:
    root = _repo(tmp_path)
    result = campc("build", cwd=root)
    assert result.exit_code == 0, result.stdout + result.stderr
    model = (root / "outputs" / "scoring" / "dbt" / "models" / "hostile.sql").read_text("utf-8")
    # campc's own: the comment, the config, the branches' tags (if, elif per adapter,
    # else, endif), the error for other adapters, and per adapter the sources and as-of
    branches = len(dbt.TARGETS) + 2
    assert len(_OPENER.findall(model)) == 2 + branches + 1 + 3 * len(dbt.TARGETS)
    rendered = _render(model, "duckdb")
    con = duckdb.connect()
    con.execute("CREATE TABLE campc_leads (lead_id VARCHAR, industry VARCHAR)")
    con.execute("INSERT INTO campc_leads VALUES ('hit', ?), ('miss', 'retail')", [HOSTILE])
    con.execute(
        "CREATE TABLE campc_events (lead_id VARCHAR, event_type VARCHAR, occurred_at TIMESTAMP)"
    )
    rows = con.execute(rendered).fetchall()
    assert [(r[0], r[1], r[6], r[7]) for r in rows] == [("hit", 11, 10, 1), ("miss", 0, 0, 0)]
    for other in ("postgres", "bigquery", "snowflake", "spark"):
        assert "CAMPC_SECRET" in _render(model, other)  # the text, as a literal's pieces
    for name in ("schema.yml", "sources.yml"):
        text = (root / "outputs" / "scoring" / "dbt" / "models" / name).read_text("utf-8")
        assert _OPENER.findall(text) == (["{{"] if name == "sources.yml" else [])


@pytest.mark.parametrize(
    "option",
    [
        "leads = \"x }}{{ env_var('A') }}\"",
        'schema = "crm; drop table leads"',
        'events = "events\\n"',
        'dbt-profile = "{{ target }}"',
        'database = ""',
        'schema = "order"',
        'leads = "Leads"',
    ],
)
def test_scoring_names_that_are_not_plain_sql_names_are_refused(
    tmp_path: Path, campc: CliRun, option: str
) -> None:
    root = _repo(tmp_path, f"[tool.campc.scoring]\n{option}\n")
    result = campc("build", cwd=root)
    assert result.exit_code == 2
    assert "must be a SQL name" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (root / "outputs").exists()


def test_names_yaml_1_1_reads_as_booleans_or_numbers_stay_text() -> None:
    """dbt reads its YAML with PyYAML (YAML 1.1), where `yes`, `on` and `off` are
    booleans: every such text is quoted."""
    text = dbt._yaml({"a": "yes", "b": "on", "c": "off", "d": "1.5", "e": "crm_leads"})
    assert text.splitlines() == ['a: "yes"', 'b: "on"', 'c: "off"', 'd: "1.5"', "e: crm_leads"]


def test_a_literal_spelling_a_stand_in_stops_the_build_rather_than_become_a_table(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The query is written once with stand-in names for its tables and as-of date, then
    each file's own take their places. A spec cannot know the run's token; were it to
    spell a stand-in anyway, the count check stops the build instead of writing the
    literal as a table name."""
    from compiler.backends.scoring import sql
    from compiler.errors import InternalError
    from compiler.model.scoring import ScoringModel
    from tests import scoring_cases as cases

    monkeypatch.setattr("compiler.backends.scoring.sql.secrets.token_hex", lambda _: "0" * 16)
    data = cases.MODEL.model_dump(by_alias=True, exclude_none=True)
    data["fit"][0]["value"] = f"campc{'0' * 16}l"
    model = ScoringModel.model_validate(data)
    with pytest.raises(InternalError, match="`leads` is misplaced"):
        sql.render_targets(model, sql.DIALECTS, (sql.Target(), dbt.TARGET))
