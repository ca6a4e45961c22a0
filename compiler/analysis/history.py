"""A scoring model's labelled history, read strictly from the bytes the loader read.

The leads file is a CSV with a header naming `lead_id`, `scored_on` (YYYY-MM-DD),
`outcome` (`won`, `lost` or `open`) and any of the catalog's attributes, each once;
the events file names `lead_id`, `event_type` and `occurred_at` (a date, or a time with
an optional offset: UTC without one). UTF-8 (a byte-order mark skipped), comma-separated,
`"`-quoted: the dialect `campc score` pins. An attribute is typed as the catalog says
(a number, `true`/`false`, a date, text; empty is missing). Anything else is one
`Problem` naming the file's line, and no history: a backtest is of the data as written
or of nothing.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime

from compiler.model.scoring import ScoringModel
from compiler.project.layout import MAX_DATA

OUTCOMES = ("won", "lost", "open")
MAX_ROWS = 200_000
"""Rows per file: a backtest sample, not a warehouse (the build stays fast)."""


@dataclass(frozen=True)
class Problem:
    """Why a history file cannot be read: the file (by its path below the campaigns
    folder), the line, and what is wrong there."""

    file: str
    line: int
    message: str


@dataclass(frozen=True)
class HistoryLead:
    lead_id: str
    scored_on: date
    outcome: str
    attributes: dict[str, object]


@dataclass(frozen=True)
class HistoryEvent:
    lead_id: str
    event_type: str
    occurred_at: datetime


@dataclass(frozen=True)
class History:
    leads: list[HistoryLead]
    events: list[HistoryEvent]


class _Bad(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def _rows(
    data: bytes, required: tuple[str, ...], allowed: set[str]
) -> list[tuple[int, dict[str, str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise _Bad(line, "is not UTF-8") from None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=",", quotechar='"', strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise _Bad(1, "is empty: a header is required") from None
    except csv.Error as err:
        raise _Bad(1, f"is not CSV ({err})") from None
    if len(set(header)) != len(header):
        raise _Bad(1, "names a column twice")
    for column in required:
        if column not in header:
            raise _Bad(1, f"has no `{column}` column")
    for column in header:
        if column not in allowed:
            shown = column if len(column) <= 40 and column.isprintable() else ascii(column[:40])
            raise _Bad(1, f"has a column `{shown}` the model's catalog does not declare")
    found: list[tuple[int, dict[str, str]]] = []
    try:
        for row in reader:
            line = reader.line_num
            if not row:
                continue
            if len(row) != len(header):
                raise _Bad(line, f"has {len(row)} values for {len(header)} columns")
            found.append((line, dict(zip(header, row, strict=True))))
            if len(found) > MAX_ROWS:
                raise _Bad(line, f"has more than {MAX_ROWS:,} rows")
    except csv.Error as err:
        raise _Bad(reader.line_num, f"is not CSV ({err})") from None
    return found


def _value(kind: str, text: str, line: int, column: str) -> object:
    if text == "":
        return None
    if kind == "number":
        try:
            number = float(text)
        except ValueError:
            raise _Bad(line, f"`{column}` is not a number") from None
        if not math.isfinite(number):
            raise _Bad(line, f"`{column}` is not a finite number")
        return number
    if kind == "boolean":
        if text not in ("true", "false"):
            raise _Bad(line, f"`{column}` is not `true` or `false`")
        return text == "true"
    if kind == "date":
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise _Bad(line, f"`{column}` is not a date (YYYY-MM-DD)") from None
    return text


def _moment(text: str, line: int) -> datetime:
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise _Bad(line, "`occurred_at` is not a date or a time") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def read(
    model: ScoringModel, files: dict[str, bytes | Exception]
) -> tuple[History | None, list[Problem]]:
    """The model's history from the loader's bytes, or the problems that stop it."""
    history = model.history
    if history is None:
        return None, []
    attributes = model.catalog.attributes
    leads: list[HistoryLead] = []
    events: list[HistoryEvent] = []
    wanted = [(history.leads, "leads")] + ([(history.events, "events")] if history.events else [])
    for name, what in wanted:
        data = files.get(name)
        if data is None:
            return None, [Problem(name, 0, "does not exist below the campaigns folder")]
        if isinstance(data, Exception):
            what = getattr(data, "what", None) or type(data).__name__
            return None, [Problem(name, 0, f"cannot be read ({what})")]
        if len(data) > MAX_DATA:
            return None, [Problem(name, 0, f"is larger than {MAX_DATA:,} bytes")]
        try:
            if what == "leads":
                required = ("lead_id", "scored_on", "outcome")
                rows = _rows(data, required, {*required, *attributes})
                for line, row in rows:
                    lead_id = row["lead_id"]
                    if not lead_id:
                        raise _Bad(line, "`lead_id` is empty")
                    try:
                        scored_on = date.fromisoformat(row["scored_on"])
                    except ValueError:
                        raise _Bad(line, "`scored_on` is not a date (YYYY-MM-DD)") from None
                    if row["outcome"] not in OUTCOMES:
                        raise _Bad(line, "`outcome` is not `won`, `lost` or `open`")
                    values = {
                        column: _value(attributes[column].type, text, line, column)
                        for column, text in row.items()
                        if column in attributes
                    }
                    leads.append(HistoryLead(lead_id, scored_on, row["outcome"], values))
                seen: set[str] = set()
                for (line, _row), lead in zip(rows, leads, strict=True):
                    if lead.lead_id in seen:
                        raise _Bad(line, f"`lead_id` {lead.lead_id!r} is listed twice")
                    seen.add(lead.lead_id)
            else:
                required = ("lead_id", "event_type", "occurred_at")
                for line, row in _rows(data, required, set(required)):
                    if not row["lead_id"] or not row["event_type"]:
                        raise _Bad(line, "`lead_id` and `event_type` must not be empty")
                    events.append(
                        HistoryEvent(
                            row["lead_id"], row["event_type"], _moment(row["occurred_at"], line)
                        )
                    )
        except _Bad as bad:
            return None, [Problem(name, bad.line, f"{what} file {bad.message}")]
    if not leads:
        return None, [Problem(history.leads, 1, "leads file has no leads: nothing to backtest")]
    if all(lead.outcome == "open" for lead in leads):
        return None, [
            Problem(
                history.leads,
                1,
                "leads file has no lead whose outcome is known (`won` or `lost`): nothing "
                "to backtest",
            )
        ]
    return History(leads, events), []
