"""A scoring model's backtest on its labelled history, computed by DuckDB, the engine
that scores (the model's own generated query, run once per scoring date), never by a
second implementation in Python.

Figures, over the leads whose outcome is known (`won` or `lost`; `open` ones count only
in the MQLs and SQLs per month):

- AUC: the chance that a won lead outscores a lost one, ties counted half (the
  Mann-Whitney statistic from average ranks);
- deciles by score (highest first, ties broken by lead id): leads, won, conversion and
  lift over the overall conversion;
- each threshold's calibration by stage, as routing reads it: conversion of the leads
  that reach it (an SQL is an MQL too; a disqualified lead reaches neither, whatever
  its points) and of the others;
- per month of `scored_on`: leads scored, MQLs (stage `mql` or `sql`) and SQLs.

One thread and a fixed order, so every figure is the same on any machine.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from compiler.analysis.history import History
from compiler.backends.scoring.sql import query
from compiler.model.scoring import ScoringModel

_TYPES = {"string": "VARCHAR", "number": "DOUBLE", "boolean": "BOOLEAN", "date": "DATE"}


@dataclass(frozen=True)
class Decile:
    decile: int
    leads: int
    won: int
    conversion: float | None
    lift: float | None
    lowest: float
    highest: float


@dataclass(frozen=True)
class Calibration:
    threshold: str
    points: int
    above: int
    above_won: int
    above_conversion: float | None
    below: int
    below_won: int
    below_conversion: float | None


@dataclass(frozen=True)
class Month:
    month: str
    leads: int
    mqls: int
    sqls: int


@dataclass(frozen=True)
class Backtest:
    leads: int
    labelled: int
    won: int
    auc: float | None
    deciles: tuple[Decile, ...]
    calibration: tuple[Calibration, ...]
    months: tuple[Month, ...]

    @property
    def mqls_per_month(self) -> float:
        return sum(m.mqls for m in self.months) / len(self.months) if self.months else 0.0

    @property
    def sqls_per_month(self) -> float:
        return sum(m.sqls for m in self.months) / len(self.months) if self.months else 0.0

    def data(self) -> dict[str, Any]:
        """Plain data for the JSON file (figures rounded to six places)."""

        def rounded(value: Any) -> Any:
            if isinstance(value, float):
                return round(value, 6)
            if isinstance(value, dict):
                return {k: rounded(v) for k, v in value.items()}
            if isinstance(value, list | tuple):
                return [rounded(v) for v in value]
            return value

        found = rounded(asdict(self))
        found["mqls_per_month"] = round(self.mqls_per_month, 6)
        found["sqls_per_month"] = round(self.sqls_per_month, 6)
        return dict(found)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def backtest(model: ScoringModel, history: History) -> Backtest:
    """The model's figures on its history."""
    import duckdb

    con = duckdb.connect(
        config={
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            "threads": 1,
        }
    )
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.execute("SET enable_external_access = false")
        attributes = list(model.catalog.attributes.items())
        columns = ", ".join(
            f"{_quoted(name)} {_TYPES[a.type]}" for name, a in attributes if name != "lead_id"
        )
        con.execute(
            "CREATE TABLE history_leads (lead_id VARCHAR, scored_on DATE, outcome VARCHAR"
            + (f", {columns}" if columns else "")
            + ")"
        )
        names = [name for name, _ in attributes if name != "lead_id"]
        marks = ", ".join("?" for _ in range(3 + len(names)))
        con.executemany(
            f"INSERT INTO history_leads VALUES ({marks})",
            [
                [
                    lead.lead_id,
                    lead.scored_on,
                    lead.outcome,
                    *(lead.attributes.get(n) for n in names),
                ]
                for lead in history.leads
            ],
        )
        con.execute(
            "CREATE TABLE history_events "
            "(lead_id VARCHAR, event_type VARCHAR, occurred_at TIMESTAMPTZ)"
        )
        if history.events:
            con.executemany(
                "INSERT INTO history_events VALUES (?, ?, ?)",
                [[e.lead_id, e.event_type, e.occurred_at] for e in history.events],
            )
        con.execute(
            "CREATE TABLE scored (lead_id VARCHAR, scored_on DATE, outcome VARCHAR, "
            "total DOUBLE, stage VARCHAR)"
        )
        picked = ", ".join(["lead_id", *(_quoted(n) for n in names)])
        for (day,) in con.execute(
            "SELECT DISTINCT scored_on FROM history_leads ORDER BY scored_on"
        ).fetchall():
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE leads AS SELECT {picked} FROM history_leads "
                "WHERE scored_on = ?",
                [day],
            )
            con.execute(
                "CREATE OR REPLACE TEMP TABLE events AS SELECT * FROM history_events "
                "WHERE lead_id IN (SELECT lead_id FROM leads)"
            )
            sql = query(model, day).sql("duckdb")
            con.execute(
                "INSERT INTO scored SELECT s.lead_id, ?, h.outcome, s.total, s.stage "
                f"FROM ({sql}) AS s JOIN history_leads AS h USING (lead_id)",
                [day],
            )
        return _figures(con, model)
    finally:
        con.close()


def _figures(con: Any, model: ScoringModel) -> Backtest:
    leads, labelled, won = con.execute(
        "SELECT COUNT(*), COUNT(*) FILTER (WHERE outcome <> 'open'), "
        "COUNT(*) FILTER (WHERE outcome = 'won') FROM scored"
    ).fetchone()
    (auc,) = con.execute(
        """
        WITH labelled AS (
          SELECT total, outcome = 'won' AS positive FROM scored WHERE outcome <> 'open'
        ), ranked AS (
          SELECT positive,
                 RANK() OVER (ORDER BY total) + (COUNT(*) OVER (PARTITION BY total) - 1) / 2.0
                 AS r
          FROM labelled
        )
        SELECT (SUM(r) FILTER (WHERE positive)
                - COUNT(*) FILTER (WHERE positive) * (COUNT(*) FILTER (WHERE positive) + 1) / 2.0)
               / NULLIF(COUNT(*) FILTER (WHERE positive) * COUNT(*) FILTER (WHERE NOT positive), 0)
        FROM ranked
        """
    ).fetchone()
    overall = won / labelled if labelled else None
    deciles = tuple(
        Decile(
            int(d),
            int(n),
            int(w),
            (w / n) if n else None,
            (w / n) / overall if n and overall else None,
            float(lo),
            float(hi),
        )
        for d, n, w, lo, hi in con.execute(
            """
            WITH labelled AS (
              SELECT total, outcome, NTILE(10) OVER (ORDER BY total DESC, lead_id) AS decile
              FROM scored WHERE outcome <> 'open'
            )
            SELECT decile, COUNT(*), COUNT(*) FILTER (WHERE outcome = 'won'), MIN(total),
                   MAX(total)
            FROM labelled GROUP BY decile ORDER BY decile
            """
        ).fetchall()
    )
    calibration = []
    for name, points, stages in (
        ("mql", model.thresholds.mql, ["mql", "sql"]),
        ("sql", model.thresholds.sql, ["sql"]),
    ):
        # by stage, as routing reads it: a disqualified lead is below both, whatever its
        # points, and an SQL is an MQL too
        above, above_won, below, below_won = con.execute(
            "SELECT COUNT(*) FILTER (WHERE list_contains(?, stage)), "
            "COUNT(*) FILTER (WHERE list_contains(?, stage) AND outcome = 'won'), "
            "COUNT(*) FILTER (WHERE NOT list_contains(?, stage)), "
            "COUNT(*) FILTER (WHERE NOT list_contains(?, stage) AND outcome = 'won') "
            "FROM scored WHERE outcome <> 'open'",
            [stages, stages, stages, stages],
        ).fetchone()
        calibration.append(
            Calibration(
                name,
                points,
                int(above),
                int(above_won),
                above_won / above if above else None,
                int(below),
                int(below_won),
                below_won / below if below else None,
            )
        )
    months = tuple(
        Month(str(m), int(n), int(mqls), int(sqls))
        for m, n, mqls, sqls in con.execute(
            "SELECT strftime(scored_on, '%Y-%m') AS month, COUNT(*), "
            "COUNT(*) FILTER (WHERE stage IN ('mql', 'sql')), "
            "COUNT(*) FILTER (WHERE stage = 'sql') "
            "FROM scored GROUP BY month ORDER BY month"
        ).fetchall()
    )
    return Backtest(
        int(leads),
        int(labelled),
        int(won),
        float(auc) if auc is not None else None,
        deciles,
        tuple(calibration),
        months,
    )
