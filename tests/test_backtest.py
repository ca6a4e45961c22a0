"""The scoring backtest against outside oracles: each lead scored by the reference scorer
(`analysis.scoring.score`, which `campc score --engine python` runs), the AUC from
scipy's Mann-Whitney U, the deciles, calibration and months recomputed with numpy; and
`campc diff` saying what a scoring change does to them."""

from __future__ import annotations

import json
import shutil
from collections import defaultdict
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import mannwhitneyu

from compiler.analysis import history as history_module
from compiler.analysis.scoring import LeadEvent, score
from compiler.backends.scoring.backtest import backtest
from compiler.commands import pipeline
from compiler.model.scoring import ScoringModel
from tests.conftest import ROOT, CliRun, git


@pytest.fixture(scope="module")
def example() -> tuple[ScoringModel, history_module.History]:
    repo = pipeline.check(pipeline.settings_for(ROOT)).repositories[0]
    model = next(s.model for s in repo.specs if isinstance(s.model, ScoringModel))
    found, problems = history_module.read(model, repo.data_files)
    assert not problems
    assert found is not None
    return model, found


def _reference(
    model: ScoringModel, found: history_module.History
) -> list[tuple[str, date, str, float, str]]:
    events: dict[str, list[LeadEvent]] = defaultdict(list)
    for event in found.events:
        events[event.lead_id].append(LeadEvent(event.event_type, event.occurred_at))
    scored = []
    for lead in found.leads:
        result = score(model, lead.attributes, events[lead.lead_id], lead.scored_on)
        scored.append(
            (lead.lead_id, lead.scored_on, lead.outcome, float(result.total), result.stage)
        )
    return scored


def test_the_auc_is_scipys_mann_whitney(
    example: tuple[ScoringModel, history_module.History],
) -> None:
    model, found = example
    tested = backtest(model, found)
    scored = _reference(model, found)
    won = [s[3] for s in scored if s[2] == "won"]
    lost = [s[3] for s in scored if s[2] == "lost"]
    u = mannwhitneyu(won, lost).statistic  # ties count half
    assert tested.auc == pytest.approx(u / (len(won) * len(lost)), abs=1e-12)
    assert (tested.leads, tested.labelled, tested.won) == (
        len(scored),
        len(won) + len(lost),
        len(won),
    )
    assert tested.auc is not None
    assert 0.6 < tested.auc < 0.9  # the synthetic history makes the model worth testing


def test_deciles_calibration_and_months_match_numpy(
    example: tuple[ScoringModel, history_module.History],
) -> None:
    model, found = example
    tested = backtest(model, found)
    scored = _reference(model, found)
    labelled = sorted((s for s in scored if s[2] != "open"), key=lambda s: (-s[3], s[0]))
    parts = np.array_split(np.arange(len(labelled)), 10)  # NTILE: the first parts one larger
    overall = sum(s[2] == "won" for s in labelled) / len(labelled)
    for decile, part in zip(tested.deciles, parts, strict=True):
        rows = [labelled[i] for i in part]
        won = sum(r[2] == "won" for r in rows)
        assert (decile.leads, decile.won) == (len(rows), won)
        assert decile.lift == pytest.approx(won / len(rows) / overall)
        assert (decile.lowest, decile.highest) == (min(r[3] for r in rows), max(r[3] for r in rows))
    # by stage, as routing reads it: an SQL is an MQL too, a disqualified lead neither
    for item, stages in zip(tested.calibration, (("mql", "sql"), ("sql",)), strict=True):
        above = [s for s in labelled if s[4] in stages]
        assert item.above == len(above)
        assert item.above_conversion == pytest.approx(
            sum(s[2] == "won" for s in above) / len(above)
        )
        assert item.below == len(labelled) - len(above)
    months: dict[str, list[tuple[str, date, str, float, str]]] = defaultdict(list)
    for s in scored:
        months[s[1].strftime("%Y-%m")].append(s)
    assert [(m.month, m.leads, m.mqls, m.sqls) for m in tested.months] == [
        (
            month,
            len(rows),
            sum(r[4] in ("mql", "sql") for r in rows),
            sum(r[4] == "sql" for r in rows),
        )
        for month, rows in sorted(months.items())
    ]


def test_the_build_writes_the_backtest_beside_the_scoring_doc() -> None:
    data = json.loads((ROOT / "outputs" / "scoring" / "b2b-lead-scoring.backtest.json").read_text())
    page = (ROOT / "outputs" / "scoring" / "b2b-lead-scoring.md").read_text()
    assert f"AUC **{data['auc']:.3f}**" in page
    assert len(data["deciles"]) == 10
    assert "| month | leads scored | MQLs | SQLs |" in page


def test_diff_says_what_a_scoring_change_does(campc: CliRun, tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(ROOT / "campaigns", root / "campaigns")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    spec = root / "campaigns" / "automation" / "b2b-lead-scoring.yaml"
    spec.write_text(
        spec.read_text().replace(
            "thresholds: {mql: 50, sql: 75}", "thresholds: {mql: 40, sql: 75}"
        ),
        encoding="utf-8",
    )
    document = json.loads(campc("diff", "HEAD", "--format", "json", cwd=root).stdout)
    effect = next(r["change"] for r in document["scoring"] if r["where"] == "backtest")
    before = json.loads(
        (ROOT / "outputs" / "scoring" / "b2b-lead-scoring.backtest.json").read_text()
    )
    assert effect.startswith(f"MQLs per month {before['mqls_per_month']:.1f} -> ")
    assert "AUC" not in effect  # a threshold moves the MQLs, not the ranking
    summary = {r["what"]: r["change"] for r in document["summary"]}
    assert summary["scoring models changed"] == f"b2b-lead-scoring: {effect}"
