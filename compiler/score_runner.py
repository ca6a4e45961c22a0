"""`campc score`: run a scoring model over lead and event files, with DuckDB or in Python."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from compiler.model.scoring import ScoringModel
from compiler.scoring import LeadEvent, score
from compiler.scoring_sql import contribution_column, query

HEAD = ("lead_id", "fit", "behaviour", "total", "grade", "stage")


class ScoreError(Exception):
    """The input files cannot be scored (exit 2)."""


def columns(model: ScoringModel) -> list[str]:
    """The output columns: the scores, then one contribution per rule."""
    rules = [r.id for r in model.fit] + [r.id for r in model.behaviour]
    return [*HEAD, *(contribution_column(r) for r in rules)]


def _reader(path: Path) -> str:
    if path.suffix.lower() == ".parquet":
        return "read_parquet(?)"
    return "read_csv(?, header = true, auto_detect = true)"


def with_duckdb(
    model: ScoringModel, leads: Path, events: Path, as_of: date
) -> list[tuple[Any, ...]]:
    """Scores computed by the generated SQL in DuckDB."""
    import duckdb

    con = duckdb.connect()
    try:
        con.execute(f"CREATE TEMP TABLE leads AS SELECT * FROM {_reader(leads)}", [str(leads)])
        con.execute(f"CREATE TEMP TABLE events AS SELECT * FROM {_reader(events)}", [str(events)])
        return [tuple(row) for row in con.execute(query(model, as_of).sql("duckdb")).fetchall()]
    except duckdb.Error as err:
        raise ScoreError(str(err).splitlines()[0]) from None
    finally:
        con.close()


def duckdb_csv(model: ScoringModel, leads: Path, events: Path, as_of: date, out: Path) -> None:
    """Score with DuckDB and let it write the CSV (formatted as `to_csv` formats)."""
    import duckdb

    names = columns(model)
    shown = []
    for name in names:
        column = f'"{name}"'
        if name in ("lead_id", "grade", "stage"):
            shown.append(column)
        else:
            shown.append(
                f"CASE WHEN {column} = TRUNC({column}) "
                f"THEN CAST(CAST({column} AS BIGINT) AS VARCHAR) "
                f"ELSE format('{{:.2f}}', {column}) END AS {column}"
            )
    scores = query(model, as_of).sql("duckdb")
    con = duckdb.connect()
    try:
        con.execute(f"CREATE TEMP TABLE leads AS SELECT * FROM {_reader(leads)}", [str(leads)])
        con.execute(f"CREATE TEMP TABLE events AS SELECT * FROM {_reader(events)}", [str(events)])
        con.execute(f"CREATE TEMP VIEW scores AS {scores.rstrip(';')}")
        select = f"SELECT {', '.join(shown)} FROM scores ORDER BY lead_id"
        con.execute(f"COPY ({select}) TO ? (HEADER, DELIMITER ',')", [str(out)])
    except duckdb.Error as err:
        raise ScoreError(str(err).splitlines()[0]) from None
    finally:
        con.close()


def _rows(path: Path) -> list[dict[str, Any]]:
    if path.suffix.lower() == ".parquet":
        import duckdb

        cursor = duckdb.connect().execute("SELECT * FROM read_parquet(?)", [str(path)])
        names = [column[0] for column in cursor.description or []]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    with path.open(newline="", encoding="utf-8") as handle:
        return [
            {k: (v if v != "" else None) for k, v in row.items()} for row in csv.DictReader(handle)
        ]


def with_python(
    model: ScoringModel, leads: Path, events: Path, as_of: date
) -> list[tuple[Any, ...]]:
    """Scores computed by the reference scorer."""
    by_lead: dict[str, list[LeadEvent]] = {}
    for row in _rows(events):
        at = row.get("occurred_at")
        if row.get("lead_id") is None or row.get("event_type") is None or at is None:
            raise ScoreError("events need lead_id, event_type and occurred_at in every row")
        when = at if isinstance(at, datetime) else datetime.fromisoformat(str(at))
        by_lead.setdefault(str(row["lead_id"]), []).append(LeadEvent(str(row["event_type"]), when))
    results = []
    for lead in _rows(leads):
        if lead.get("lead_id") is None:
            raise ScoreError("every lead needs a lead_id")
        lead_id = str(lead["lead_id"])
        result = score(model, lead, by_lead.get(lead_id, []), as_of)
        results.append(
            (
                lead_id,
                result.fit,
                result.behaviour,
                result.total,
                result.grade,
                result.stage,
                *result.contributions.values(),
            )
        )
    return sorted(results, key=lambda row: row[0])


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    number = float(value)
    return str(int(number)) if number.is_integer() else f"{number:.2f}"


def to_csv(model: ScoringModel, rows: Iterable[Sequence[Any]]) -> str:
    """The scores as CSV, formatted alike whichever engine computed them."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns(model))
    for row in rows:
        writer.writerow([_shown(v) for v in row])
    return out.getvalue()
