"""Scoring back-end: per model, one SQL file per dialect, its dbt model and a Markdown
description; then the dbt project around the models (`dbt.py`).

The Markdown pages (the model's and the dbt project's README) speak the repository's
`[tool.campc] locale`, but for the scoring semantics, the specification every engine is
held to, which stays in English; the SQL and the dbt YAML are the same in every locale."""

from __future__ import annotations

import json
from datetime import timedelta

from compiler.analysis import history, scoring
from compiler.analysis.scoring import LeadEvent, score
from compiler.backends.artifacts import Artifact, BuildContext
from compiler.backends.scoring import dbt
from compiler.backends.scoring.backtest import Backtest, backtest
from compiler.backends.scoring.sql import (
    DIALECTS,
    Tables,
    Target,
    contribution_column,
    render_targets,
)
from compiler.model.scoring import BehaviourRule, Decay, Predicate, ScoringModel
from compiler.project.repository import Repository
from compiler.text import escape
from compiler.text.labels import Labels, _, labels


def build(repo: Repository, context: BuildContext) -> list[Artifact]:
    """`scoring/<id>/<dialect>.sql`, `scoring/dbt/models/<id>.sql` and `scoring/<id>.md`
    for every scoring model."""
    artifacts = []
    tables = Tables.of(repo.policy.scoring)
    for spec in repo.specs:
        model = spec.model
        if not isinstance(model, ScoringModel):
            continue
        owners = (model.id,)
        texts = render_targets(model, DIALECTS, (Target(tables), dbt.TARGET))
        for dialect, (text, _in_dbt) in texts.items():
            artifacts.append(
                Artifact(f"scoring/{model.id}/{dialect}.sql", text.encode("utf-8"), owners)
            )
        name = f"{dbt.FOLDER}/models/{dbt.model_name(model)}.sql"
        model_sql = dbt.model_sql(model, {d: both[1] for d, both in texts.items()})
        artifacts.append(Artifact(name, model_sql.encode("utf-8"), owners))
        tested = None
        if model.history is not None:
            found, problems = history.read(model, repo.data_files)
            if found is not None and not problems and found.leads:
                tested = backtest(model, found)
                body = json.dumps(tested.data(), indent=2) + "\n"
                artifacts.append(
                    Artifact(f"scoring/{model.id}.backtest.json", body.encode("utf-8"), owners)
                )
        text = document(model, tables, labels(repo.policy.locale), tested)
        artifacts.append(Artifact(f"scoring/{model.id}.md", text.encode("utf-8"), owners))
    return artifacts


def project(repo: Repository, context: BuildContext) -> list[Artifact]:
    """The dbt project around the models (`dbt.py`), when the repository has any: it reads
    every scoring model (their grades), and only their ids are its owners."""
    found = [spec.model for spec in repo.specs if spec.kind == "scoring_model"]
    models = sorted((m for m in found if isinstance(m, ScoringModel)), key=lambda m: m.id)
    if not models:
        return []
    owners = tuple(m.id for m in models)
    return [
        Artifact(f"{dbt.FOLDER}/{path}", text.encode("utf-8"), owners)
        for path, text in dbt.files(repo.policy.scoring, models, labels(repo.policy.locale)).items()
    ]


_code = escape.markdown_code


def _share(value: float | None, words: Labels) -> str:
    return "-" if value is None else words.share(value, 1)


def _backtest(model: ScoringModel, tested: Backtest, words: Labels) -> list[str]:
    """The backtest section: AUC, deciles, the thresholds' calibration, MQLs per month."""
    assert model.history is not None
    auc = "-" if tested.auc is None else words.number(round(tested.auc, 3))
    lines = [
        words(_("## Backtest")),
        "",
        words(
            _(
                "On {file}: {leads} leads, {labelled} with a known outcome ({won} won). AUC "
                "**{auc}** (the chance a won lead outscores a lost one, ties counted half); "
                "{mqls} MQLs and {sqls} SQLs a month at the thresholds. Computed by DuckDB "
                "running the model's query on each scoring date."
            ),
            file=_code(model.history.leads),
            leads=words.number(tested.leads),
            labelled=words.number(tested.labelled),
            won=words.number(tested.won),
            auc=auc,
            mqls=words.number(round(tested.mqls_per_month, 1)),
            sqls=words.number(round(tested.sqls_per_month, 1)),
        ),
        "",
        words(_("| decile | scores | leads | won | conversion | lift |")),
        "|---:|---|---:|---:|---:|---:|",
    ]
    for decile in tested.deciles:
        lift = "-" if decile.lift is None else words.number(round(decile.lift, 2))
        lines.append(
            f"| {decile.decile} | {words.number(round(decile.lowest, 2))} - "
            f"{words.number(round(decile.highest, 2))} | {words.number(decile.leads)} | "
            f"{words.number(decile.won)} | {_share(decile.conversion, words)} | {lift} |"
        )
    lines += [
        "",
        words(
            _("| threshold | points | leads at or above | conversion | leads below | conversion |")
        ),
        "|---|---:|---:|---:|---:|---:|",
    ]
    for item in tested.calibration:
        lines.append(
            f"| {_code(item.threshold)} | {words.number(item.points)} | "
            f"{words.number(item.above)} | {_share(item.above_conversion, words)} | "
            f"{words.number(item.below)} | {_share(item.below_conversion, words)} |"
        )
    lines += ["", words(_("| month | leads scored | MQLs | SQLs |")), "|---|---:|---:|---:|"]
    for month in tested.months:
        lines.append(
            f"| {month.month} | {words.number(month.leads)} | {words.number(month.mqls)} | "
            f"{words.number(month.sqls)} |"
        )
    return lines


def _cell(value: object, words: Labels) -> str:
    return escape.markdown(words.value(value))


def _test(rule: Predicate, words: Labels) -> str:
    """`company_size` is between 50 and 199, `job_level` is one of director, vp or c_level."""
    items = rule.value if isinstance(rule.value, list) else [rule.value]
    shown = [_code(str(v)) if rule.op == "regex" else _cell(v, words) for v in items]
    return f"{_code(rule.attribute)} {words.comparison(rule.op, shown)}"


def _points(value: float, words: Labels) -> str:
    return ("+" if value > 0 else "") + words.number(value)


def _decay(decay: Decay | None, words: Labels) -> str:
    half_life = decay.half_life if decay else None
    expiry = decay.expire_after if decay else None
    parts = [
        words(_("half-life {duration}"), duration=words.duration(half_life))
        if half_life
        else words(_("no decay")),
        words(_("events older than {duration} no longer count"), duration=words.duration(expiry))
        if expiry
        else words(_("events never expire")),
    ]
    return ", ".join(parts)


def _counts(rule: BehaviourRule, words: Labels) -> str:
    """Which of a rule's events count, beyond its window."""
    found = []
    if rule.once:
        found.append(words(_("the most recent only")))
    if rule.limit is not None:
        events = words.count(rule.limit.max, _("{n} event"), _("{n} events"))
        found.append(
            words(
                _("at most {events} per {window}"), events=events, window=words.per(rule.limit.per)
            )
        )
    if rule.decay is not None:
        found.append(_decay(rule.decay, words))
    if not found:
        return words(_("every event"))
    shown = found[0]
    for part in found[1:]:
        shown = words(_("{counts}; {more}"), counts=shown, more=part)
    return shown


_LAST = {
    timedelta(minutes=1): _("the last minute"),
    timedelta(hours=1): _("the last hour"),
    timedelta(days=1): _("the last day"),
    timedelta(weeks=1): _("the last week"),
}
"""A window of one unit: its words follow the unit's gender (`der letzte Tag`, `die letzte
Woche`)."""


def _window(within: timedelta | None, words: Labels) -> str:
    """The events a behaviour rule looks back on: `the last 30 days`, `any time`."""
    if not within:
        return words(_("any time"))
    if within in _LAST:
        return words(_LAST[within])
    return words(_("the last {window}"), window=words.per(within))


_CAPS = {
    "fit": _("fit at most {cap}"),
    "behaviour": _("behaviour at most {cap}"),
    "total": _("total at most {cap}"),
}


def _caps(model: ScoringModel, words: Labels) -> str:
    """The page's line of caps: `- Caps: fit at most 50, total at least -20`."""
    caps = model.caps
    named = [("fit", caps.fit), ("behaviour", caps.behaviour), ("total", caps.total)]
    found = [words(_CAPS[name], cap=words.number(cap)) for name, cap in named if cap is not None]
    if caps.floor is not None:
        found.append(words(_("total at least {floor}"), floor=words.number(caps.floor)))
    if not found:
        return words(_("- Caps: none"))
    return words(_("- Caps: {caps}"), caps=", ".join(found))


def _grades(model: ScoringModel, words: Labels) -> str:
    """The page's line of grades: `- Grades: A from fit 40, B from fit 25`."""
    grades = [
        words(_("{grade} from fit {fit}"), grade=_cell(g.grade, words), fit=words.number(g.min_fit))
        for g in model.grades
    ]
    if not grades:
        return words(_("- Grades: none declared"))
    return words(_("- Grades: {grades}"), grades=", ".join(grades))


def _inputs(model: ScoringModel, tables: Tables, words: Labels) -> str:
    """Which tables the SQL files read, as `[tool.campc.scoring]` names them, and the dbt
    model's source."""
    leads, events = (_code(t.sql()) for t in (tables.leads, tables.events))
    names = {"id": model.id, "model": dbt.model_name(model), "source": dbt.SOURCE}
    if (leads, events) == ("`leads`", "`events`"):
        sentence = _(
            "The SQL files (`{id}/<dialect>.sql`) read the tables `leads` and `events` "
            "(`[tool.campc.scoring]` can name others); the dbt model "
            "(`dbt/models/{model}.sql`) reads them as the source `{source}`."
        )
        return words(sentence, **names)
    sentence = _(
        "The SQL files (`{id}/<dialect>.sql`) read `leads` as {leads} and `events` as "
        "{events} (`[tool.campc.scoring]`); the dbt model (`dbt/models/{model}.sql`) reads "
        "them as the source `{source}`."
    )
    return words(sentence, **names, leads=leads, events=events)


def document(
    model: ScoringModel,
    tables: Tables | None = None,
    words: Labels | None = None,
    tested: Backtest | None = None,
) -> str:
    """The model as tables, with its inputs (read from `tables`), outputs, its backtest
    (`tested`, from its history) and semantics."""
    tables = tables or Tables()
    words = words or labels()
    lines = [
        words(_("# Scoring model: {name}"), name=_cell(model.name, words)),
        "",
        words(
            _("Generated by `campc build`; do not edit. Owner: {owner}."),
            owner=_cell(model.owner, words),
        ),
        "",
        *([_cell(model.description, words), ""] if model.description else []),
        words(_("## Inputs")),
        "",
        _inputs(model, tables, words),
        "",
        words(_("`leads`: one row per lead: `lead_id` and these attributes.")),
        "",
        words(_("| attribute | type | allowed values | description |")),
        "|---|---|---|---|",
    ]
    for name, attribute in model.catalog.attributes.items():
        values = ", ".join(attribute.values or [])
        lines.append(
            f"| {_code(name)} | {_cell(attribute.type, words)} | {_cell(values, words)} | "
            f"{_cell(attribute.description, words)} |"
        )
    lines += [
        "",
        words(_("`events`: `lead_id`, `event_type`, `occurred_at` (timestamp), with these types.")),
        "",
    ]
    lines += [words(_("| event | description |")), "|---|---|"]
    for name, event in model.catalog.events.items():
        lines.append(f"| {_code(name)} | {_cell(event.description, words)} |")
    lines += ["", words(_("## Fit rules")), ""]
    lines += [words(_("| rule | test | points | column |")), "|---|---|---:|---|"]
    for rule in model.fit:
        lines.append(
            f"| {_code(rule.id)} | {_test(rule, words)} | "
            f"{_points(rule.points, words)} | {_code(contribution_column(rule.id))} |"
        )
    lines += ["", words(_("## Behaviour rules")), ""]
    lines += [
        words(_("| rule | event | points each | cap | window | counts | column |")),
        "|---|---|---:|---:|---|---|---|",
    ]
    for behaviour in model.behaviour:
        cap = words.number(behaviour.max_points) if behaviour.max_points is not None else ""
        lines.append(
            f"| {_code(behaviour.id)} | {_code(behaviour.event)} | "
            f"{_points(behaviour.points, words)} | {cap} | {_window(behaviour.within, words)} | "
            f"{_counts(behaviour, words)} | {_code(contribution_column(behaviour.id))} |"
        )
    if model.disqualifiers:
        lines += ["", words(_("## Disqualifiers")), ""]
        for disqualifier in model.disqualifiers:
            test = disqualifier.predicate()
            what = (
                _test(test, words)
                if test is not None
                else words(
                    _("did {event} (on or before the scoring date)"),
                    event=_code(disqualifier.event or ""),
                )
            )
            lines.append(words(_("- {rule}: {test}"), rule=_code(disqualifier.id), test=what))
    lines += [
        "",
        words(_("## Decay, caps, thresholds")),
        "",
        words(_("- Decay: {decay}"), decay=_decay(model.decay, words)),
        _caps(model, words),
        words(
            _("- MQL from {mql}, SQL from {sql}"),
            mql=words.number(model.thresholds.mql),
            sql=words.number(model.thresholds.sql),
        ),
        _grades(model, words),
        "",
        words(_("## Examples")),
        "",
        words(_("| example | as of | fit | behaviour | total | grade | stage |")),
        "|---|---|---:|---:|---:|---|---|",
    ]
    for example in model.examples:
        result = score(
            model,
            example.attributes,
            [LeadEvent(e.event, e.at) for e in example.events],
            example.as_of,
        )
        lines.append(
            f"| {_code(example.id)} | {example.as_of.isoformat()} | "
            f"{words.number(result.fit)} | {words.number(result.behaviour)} | "
            f"{words.number(result.total)} | {_cell(result.grade or '', words)} | "
            f"{_code(result.stage)} |"
        )
    if tested is not None and model.history is not None:
        lines += ["", *_backtest(model, tested, words)]
    lines += ["", words(_("## Semantics")), ""]
    if words.locale != "en":
        lines += [
            words(
                _(
                    "The semantics stay in English: they are the specification every "
                    "engine implements."
                )
            ),
            "",
        ]
    lines += [
        scoring.semantics(),
        "",
        words(
            _(
                "The SQL files in this folder's {folder} implement it for DuckDB, "
                "PostgreSQL, BigQuery, Snowflake and Spark SQL."
            ),
            folder=_code(model.id + "/"),
        ),
        "",
    ]
    return "\n".join(lines)
