"""The scoring models as a dbt project, `scoring/dbt/`, that a team adds to its warehouse's
dbt runs as it is (or as a package of its own project).

- `dbt_project.yml`: the project `campc_scoring`, connecting with the profile
  `[tool.campc.scoring] dbt-profile` names, each model materialised as a table.
- `models/sources.yml`: the source `campc` with its tables `leads` and `events`, in the
  database, schema and under the names `[tool.campc.scoring]` gives (the target's
  schema when it gives none), with `not_null` and `unique` tests on their keys.
- `models/<model>.sql`: one per scoring model (its id with `_` for `-`), the query of
  `scoring/<model>/<dialect>.sql` compiled for each adapter it supports (`target.type`:
  duckdb, postgres, bigquery, snowflake, spark and databricks), reading
  `{{ source('campc', 'leads') }}` and `{{ source('campc', 'events') }}`, its as-of date
  `var('as_of')` (YYYY-MM-DD), defaulting inside dbt to the day the run started (UTC).
- `models/schema.yml`: each model's tests: `not_null` and `unique` on `lead_id`,
  `not_null` on the scores, `accepted_values` on `grade` and `stage`.
- `macros/campc_as_of.sql`: the as-of date, refused unless it is a date.
- `README.md`: what the project holds and how to run it, in the repository's
  `[tool.campc] locale` (the SQL and the YAML are the same in every locale).

dbt renders every model and YAML file with Jinja, and a model's literals come from a
spec: a pattern written `{{ env_var('TOKEN') }}` would be run by dbt. So every string
literal is written without `{{`, `{%` or `{#` (split into pieces the query concatenates,
which the warehouse reads as the same text), nothing from a spec but its id and grades
(both patterns without braces) reaches the YAML, and `_jinja_free` checks the result.
"""

from __future__ import annotations

import io
import re
from typing import Any

from ruamel.yaml import YAML
from sqlglot import exp

from compiler.backends.scoring.sql import OPENER, Tables, Target, render_targets
from compiler.config.policy import ScoringPolicy
from compiler.errors import InternalError
from compiler.model.scoring import ScoringModel
from compiler.text.labels import Labels, _, labels

FOLDER = "scoring/dbt"
PROJECT = "campc_scoring"
SOURCE = "campc"
STAGES = ("disqualified", "sql", "mql", "none")
REQUIRE_DBT = ">=1.10.0"
"""The first dbt whose generic tests take their arguments under `arguments:`."""

TARGETS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("duckdb", ("duckdb",)),
    ("postgres", ("postgres",)),
    ("bigquery", ("bigquery",)),
    ("snowflake", ("snowflake",)),
    ("spark", ("spark", "databricks")),
)
"""The dialect each dbt adapter (`target.type`) runs: Databricks runs Spark SQL."""

_AS_OF_CALL = "{{ campc_as_of() }}"


def model_name(model: ScoringModel) -> str:
    """The dbt model (and its table) of a scoring model: its id, `-` written `_`."""
    return model.id.replace("-", "_")


def _source(table: str) -> exp.Table:
    call = f"{{{{ source('{SOURCE}', '{table}') }}}}"
    return exp.Table(this=exp.Identifier(this=call, quoted=False))


TARGET = Target(Tables(leads=_source("leads"), events=_source("events")), _AS_OF_CALL, "\n")
"""How a dbt model reads the query: the sources, the as-of macro, no semicolon."""


def _jinja_free(text: str, allowed: int, where: str) -> str:
    """`text` unchanged if it opens exactly the `allowed` Jinja tags campc wrote."""
    if len(OPENER.findall(text)) != allowed:
        raise InternalError(f"{where}: the dbt model would hold Jinja that campc did not write")
    return text


def model_sql(model: ScoringModel, texts: dict[str, str] | None = None) -> str:
    """`models/<model>.sql`: the query for each adapter, chosen by `target.type` (`texts`,
    the query of each dialect for `TARGET`, when the caller rendered it already)."""
    if texts is None:
        dialects = [dialect for dialect, _ in TARGETS]
        texts = {d: both[0] for d, both in render_targets(model, dialects, (TARGET,)).items()}
    # each query holds the two source calls and the as-of call once
    for dialect, text in texts.items():
        _jinja_free(text, 3, f"{model.id} ({dialect})")
    name = model_name(model)
    supported = ", ".join(t for _, types in TARGETS for t in types)
    lines = [
        f"{{#- The scoring model {model.id}, compiled by campc (see ../../{model.id}.md)."
        " Do not edit: change the spec and run campc build. -#}",
        "{{ config(materialized='table') }}",
    ]
    for index, (dialect, types) in enumerate(TARGETS):
        keyword = "if" if index == 0 else "elif"
        test = " or ".join(f"target.type == '{t}'" for t in types)
        lines.append(f"{{%- {keyword} {test} %}}")
        lines.append(texts[dialect].rstrip("\n"))
    message = f"campc compiles {name} for the adapters {supported}, not "
    lines += [
        "{%- else %}",
        f'{{{{ exceptions.raise_compiler_error("{message}" ~ target.type) }}}}',
        "{%- endif %}",
        "",
    ]
    return "\n".join(lines)


_READ_AS_OTHER = re.compile(
    r"(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF"
    r"|null|Null|NULL|~|[-+.0-9][-+.:_0-9eE]*)?"
)
"""Text that YAML 1.1 (PyYAML, which dbt reads with) takes for a boolean, null or number."""


def _text(representer: Any, data: str) -> Any:
    style = '"' if _READ_AS_OTHER.fullmatch(data) else None
    return representer.represent_scalar("tag:yaml.org,2002:str", data, style=style)


def _yaml(data: dict[str, Any]) -> str:
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.sort_base_mapping_type_on_output = False  # type: ignore[assignment]
    yaml.width = 4096
    yaml.representer.add_representer(str, _text)  # after the options: it builds the dumper
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def project_yml(policy: ScoringPolicy) -> str:
    """`dbt_project.yml`."""
    return _yaml(
        {
            "name": PROJECT,
            "version": "1.0.0",
            "config-version": 2,
            "require-dbt-version": REQUIRE_DBT,
            "profile": policy.dbt_profile,
            "model-paths": ["models"],
            "macro-paths": ["macros"],
            "clean-targets": ["target"],
            "models": {PROJECT: {"+materialized": "table"}},
        }
    )


def _accepted(values: list[str]) -> dict[str, Any]:
    return {"accepted_values": {"arguments": {"values": values}}}


def sources_yml(policy: ScoringPolicy) -> str:
    """`models/sources.yml`: where the leads and events are, and tests of their keys."""
    source: dict[str, Any] = {
        "name": SOURCE,
        "description": "The leads and events campc's scoring models read ([tool.campc.scoring]).",
    }
    if policy.database is not None:
        source["database"] = policy.database
    # Without a schema dbt would look in one named after the source: the target's instead.
    source["schema"] = policy.schema_ if policy.schema_ is not None else "{{ target.schema }}"
    source["tables"] = [
        {
            "name": "leads",
            "identifier": policy.leads,
            "description": "One row per lead: lead_id and one column per catalog attribute.",
            "columns": [{"name": "lead_id", "data_tests": ["not_null", "unique"]}],
        },
        {
            "name": "events",
            "identifier": policy.events,
            "description": "One row per event: lead_id, event_type, occurred_at (a timestamp).",
            "columns": [
                {"name": name, "data_tests": ["not_null"]}
                for name in ("lead_id", "event_type", "occurred_at")
            ],
        },
    ]
    return _yaml({"version": 2, "sources": [source]})


def schema_yml(models: list[ScoringModel]) -> str:
    """`models/schema.yml`: each model's output and its tests."""
    entries = []
    for model in models:
        grades = [g.grade for g in model.grades]
        columns: list[dict[str, Any]] = [
            {"name": "lead_id", "data_tests": ["not_null", "unique"]},
            *({"name": name, "data_tests": ["not_null"]} for name in _SCORES),
        ]
        if grades:  # without grades the column is always null
            columns.append({"name": "grade", "data_tests": [_accepted(grades)]})
        columns.append({"name": "stage", "data_tests": ["not_null", _accepted(list(STAGES))]})
        entries.append(
            {
                "name": model_name(model),
                "description": f"Scores of campc's {model.id} model, one row per lead "
                f"(outputs/scoring/{model.id}.md says how).",
                "columns": columns,
            }
        )
    return _jinja_free(_yaml({"version": 2, "models": entries}), 0, "schema.yml")


_SCORES = ("fit", "behaviour", "total")

AS_OF_MACRO = """\
{#- The as-of date of campc's scoring models: var('as_of'), written YYYY-MM-DD,
    else the day the run started (UTC). -#}
{% macro campc_as_of() -%}
  {%- set day = var('as_of', run_started_at.strftime('%Y-%m-%d')) | string -%}
  {%- if modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}', day) is none -%}
    {{ exceptions.raise_compiler_error(
         "var('as_of') must be a date written YYYY-MM-DD, not " ~ day) }}
  {%- endif -%}
  '{{ day }}'
{%- endmacro %}
"""


def files(
    policy: ScoringPolicy, models: list[ScoringModel], words: Labels | None = None
) -> dict[str, str]:
    """The project's files but the models' SQL (one per spec, written with its SQL
    files), by path inside the project; the README in `words`."""
    return {
        "dbt_project.yml": project_yml(policy),
        "models/sources.yml": sources_yml(policy),
        "models/schema.yml": schema_yml(models),
        "macros/campc_as_of.sql": AS_OF_MACRO,
        "README.md": readme(policy, models, words),
    }


def readme(policy: ScoringPolicy, models: list[ScoringModel], words: Labels | None = None) -> str:
    """`README.md`: what the project holds and how to run it."""
    words = words or labels()
    where = ".".join(p for p in (policy.database, policy.schema_) if p)
    listed = [
        words(
            _("- `models/{model}.sql`: the `{id}` model ([its rules](../{id}.md))"),
            model=model_name(m),
            id=m.id,
        )
        for m in models
    ]
    about = _(
        "Compiled by `campc build` from the scoring specs; do not edit (change the spec and\n"
        "rebuild). Each model is the query of `../<model>/<dialect>.sql` for the adapter dbt\n"
        "runs (`duckdb`, `postgres`, `bigquery`, `snowflake`, `spark`, `databricks`), reading "
        "the\nsource `{source}`: the tables `{leads}` and `{events}` in {where}\n"
        "(`[tool.campc.scoring]` in pyproject.toml says where)."
    )
    run = _(
        "`as_of` is the scoring date (YYYY-MM-DD); without it the models score as of the day\n"
        "the run started, in UTC. `dbt build` also tests the sources (`lead_id` unique and not\n"
        "null, every event complete) and each model's output (`lead_id` unique, `grade` and\n"
        "`stage` among their values). To use the models inside your own dbt project instead,\n"
        "add this folder to its `packages.yml` as a local package."
    )
    lines = [
        words(_("# dbt project: campc's scoring models")),
        "",
        words(
            about,
            source=SOURCE,
            leads=policy.leads,
            events=policy.events,
            where=where or words(_("the target's schema")),
        ),
        "",
        *listed,
        "",
        words(
            _("Run it with a profile named `{profile}` (`[tool.campc.scoring] dbt-profile`):"),
            profile=policy.dbt_profile,
        ),
        "",
        "```sh",
        "dbt build --project-dir outputs/scoring/dbt --vars '{as_of: 2027-04-20}'",
        "```",
        "",
        words(run),
        "",
    ]
    return "\n".join(lines)
