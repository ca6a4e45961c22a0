"""`campc score`: run a scoring model over lead and event files, with DuckDB or in Python.

Both engines read their input through `_load`, once: the files are hostile, so nothing
is guessed. A CSV file is comma-separated, `"`-quoted (a quote inside a quoted value
written `""`), UTF-8 (a byte-order mark is skipped) and starts with a header that
names every column once; its dialect is pinned, never sniffed. The header is read
here, so each column DuckDB parses is the one the header names, typed as the model's
catalog declares it (`lead_id`, `event_type` text, `occurred_at` a timestamp or date).
A Parquet file must already have those types. A row DuckDB cannot parse, a value
that is not of its column's type, an empty id, event or time and a number that is
not finite are refused as `FILE:LINE: what` (`FILE: row N: what` for Parquet): one
message, whichever engine scores.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from compiler.analysis.scoring import LeadEvent, score
from compiler.backends.scoring.sql import contribution_column, query
from compiler.model.scoring import ScoringModel

if TYPE_CHECKING:
    import duckdb

HEAD = ("lead_id", "fit", "behaviour", "total", "grade", "stage")


class ScoreError(Exception):
    """The input files cannot be scored (exit 2)."""


def columns(model: ScoringModel) -> list[str]:
    """The output columns: the scores, then one contribution per rule."""
    rules = [r.id for r in model.fit] + [r.id for r in model.behaviour]
    return [*HEAD, *(contribution_column(r) for r in rules)]


@dataclass(frozen=True)
class _Column:
    name: str
    type: str
    """The DuckDB type it is read as."""
    required: bool = False
    """An empty value is refused."""


_CATALOG_TYPES = {"string": "VARCHAR", "number": "DOUBLE", "boolean": "BOOLEAN", "date": "DATE"}
_WHAT = {
    "VARCHAR": "text",
    "DOUBLE": "a number",
    "BOOLEAN": "a boolean (true or false)",
    "DATE": "a date (YYYY-MM-DD)",
    "TIMESTAMP": "a timestamp or date (YYYY-MM-DD[THH:MM[:SS]])",
    "TIMESTAMPTZ": "a timestamp or date (YYYY-MM-DD[THH:MM[:SS]][+HH:MM]; UTC without an offset)",
}
_EVENTS = (
    _Column("lead_id", "VARCHAR", required=True),
    _Column("event_type", "VARCHAR", required=True),
    # with time zone: an offset is converted (the connection is in UTC), so an event
    # counts on its UTC day; a time without one is read as UTC
    _Column("occurred_at", "TIMESTAMPTZ", required=True),
)
_NAME = re.compile(r"[a-z][a-z0-9_]*")
"""Every column name that reaches SQL: ours, or a catalog identifier."""

_CSV_OPTIONS = ", ".join(
    (
        "delim = ','",
        "quote = '\"'",
        "escape = '\"'",
        "header = true",
        "auto_detect = false",
        "strict_mode = true",
        "null_padding = false",
        "ignore_errors = false",
        "skip = 0",
        "comment = ''",
        "encoding = 'utf-8'",
        "compression = 'none'",
        "nullstr = ''",
        "allow_quoted_nulls = true",
        "decimal_separator = '.'",
        "max_line_size = 2097152",
        "normalize_names = false",
        "hive_partitioning = false",
        "union_by_name = false",
        "filename = false",
    )
)
"""Every read_csv option pinned but `new_line`: DuckDB 2.0.1 given `new_line = '\\r\\n'`
drops rows of a CRLF file with a line break in a quoted value; left unset, it reads
`\\n` and `\\r\\n` files alike (the quote and delimiter are never sniffed)."""
_HEADER_LIMIT = 1 << 20
_NUMERIC = re.compile(
    r"(?:U?(?:TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)|FLOAT|DOUBLE|DECIMAL\(\d+,\s*\d+\))"
)
_TIMES = re.compile(r"DATE|TIMESTAMP(?:_S|_MS|_NS)?|TIMESTAMP WITH TIME ZONE")


def _lead_columns(model: ScoringModel) -> tuple[_Column, ...]:
    attributes = model.catalog.attributes
    return (
        _Column("lead_id", "VARCHAR", required=True),
        *(
            _Column(name, _CATALOG_TYPES[attribute.type])
            for name, attribute in attributes.items()
            if name != "lead_id"
        ),
    )


def _quoted(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise AssertionError(f"unsafe column name {name!r}")
    return f'"{name}"'


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _shown_name(name: str) -> str:
    """A header name from a file, safe to print on one line."""
    text = name if len(name) <= 40 else name[:40] + "..."
    return text if text.isprintable() else ascii(text)


def _input_path(path: Path) -> str:
    """The absolute path DuckDB is given; glob patterns and URLs are not files."""
    if not path.is_file():
        raise ScoreError(f"{path}: not a file")
    absolute = str(path.resolve())
    if any(c in absolute for c in "*?[]{}"):
        raise ScoreError(f"{path}: a file name with *, ?, [ or {{ (DuckDB reads it as a glob)")
    return absolute


def _connect(*paths: str) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection that can open these files and nothing else, nor fetch an
    extension."""
    import duckdb

    con = duckdb.connect(
        config={"autoinstall_known_extensions": False, "autoload_known_extensions": False}
    )
    con.execute("SET TimeZone = 'UTC'")  # a TIMESTAMP WITH TIME ZONE counts in UTC
    con.execute("SET allowed_paths = ?", [list(paths)])
    con.execute("SET enable_external_access = false")
    return con


def _header(path: Path, wanted: Sequence[_Column]) -> list[str]:
    """The CSV header's names, checked: one line, UTF-8, each name once, every wanted
    column present."""
    with path.open("rb") as handle:
        first = handle.readline(_HEADER_LIMIT + 1)
    if not first:
        raise ScoreError(f"{path}:1: empty file: the first line must be the header")
    if len(first) > _HEADER_LIMIT:
        raise ScoreError(f"{path}:1: the header line is longer than 1 MB")
    try:
        line = first.decode("utf-8-sig").rstrip("\r\n")
    except UnicodeDecodeError:
        raise ScoreError(f"{path}:1: not UTF-8 text") from None
    try:
        names = next(csv.reader([line], strict=True))
    except csv.Error as err:
        raise ScoreError(f"{path}:1: the header cannot be read: {err}") from None
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ScoreError(f"{path}:1: the header names `{_shown_name(name)}` twice")
        seen.add(name)
    missing = [c.name for c in wanted if c.name not in seen]
    if missing:
        listed = ", ".join(f"`{m}`" for m in missing)
        raise ScoreError(
            f"{path}:1: the header has no {listed} column"
            + ("s" if len(missing) > 1 else "")
            + f" (expected: {','.join(c.name for c in wanted)})"
        )
    return names


def _records(path: Path) -> Iterator[tuple[int, list[str]]]:
    """Each CSV record with the line it starts on, as DuckDB counts rows (a blank line
    is a row); for error messages only."""
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        reader = csv.reader(handle)
        start = 1
        try:
            for record in reader:
                yield start, record
                start = reader.line_num + 1
        except csv.Error:
            return


def _line_of_row(path: Path, row: int) -> int:
    """The line DuckDB's row `row` (the header is row 1) starts on."""
    for index, (start, _record) in enumerate(_records(path), 1):
        if index == row:
            return start
    return row


_CSV_ERROR = re.compile(r"CSV Error on Line: (\d+)")
_CAST = re.compile(r'Error when converting column "([a-z_][a-z0-9_]*)"')
_FIELDS = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")


def _last(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    """The last match: DuckDB's own words come after the row it quotes."""
    matches = list(pattern.finditer(text))
    return matches[-1] if matches else None


def _csv_failure(path: Path, err: Exception, names: dict[str, _Column]) -> ScoreError:
    """DuckDB's refusal of a CSV file as one line: the file, the line, what is wrong."""
    text = str(err)
    row = _CSV_ERROR.search(text.split("\n", 1)[0])
    if row is None:
        return ScoreError(f"{path}: {text.splitlines()[0] if text else type(err).__name__}")
    where = f"{path}:{_line_of_row(path, int(row.group(1)))}"
    cast = _last(_CAST, text)
    if cast is not None and cast.group(1) in names:
        column = names[cast.group(1)]
        return ScoreError(f"{where}: `{column.name}` is not {_WHAT[column.type]}")
    fields = _last(_FIELDS, text)
    if fields is not None:
        expected, found = fields.groups()
        return ScoreError(f"{where}: {found} fields where the header has {expected}")
    if "unterminated quote" in text:
        return ScoreError(
            f"{where}: a quoted value is not closed, or text follows its closing quote"
            ' (a quote inside a quoted value is written "")'
        )
    if "not utf-8 encoded" in text.lower():
        return ScoreError(f"{where}: not UTF-8 text")
    if "Maximum line size" in text:
        return ScoreError(f"{where}: a row longer than 2 MB")
    return ScoreError(f"{where}: cannot be read as CSV")


@dataclass(frozen=True)
class _Check:
    """A condition every row must meet once parsed, as SQL and as a test of the text."""

    column: str
    kind: str
    """`empty` (a required value) or `finite` (a number)."""

    def failing(self, quoted: str) -> str:
        if self.kind == "empty":
            return f"{quoted} IS NULL OR CAST({quoted} AS VARCHAR) = ''"
        return f"NOT isfinite(CAST({quoted} AS DOUBLE))"

    def fails(self, text: str) -> bool:
        if self.kind == "empty":
            return text == ""
        try:
            number = float(text)
        except ValueError:
            return False
        return number != number or abs(number) == float("inf")

    def message(self) -> str:
        if self.kind == "empty":
            return f"`{self.column}` is empty"
        return f"`{self.column}` is not a finite number"


def _constraints(column: _Column) -> str:
    """`_checks` of one column as the constraints of its table's column (what the
    checks count, refused as rows are inserted)."""
    quoted = _quoted(column.name)
    found = ""
    if column.required:
        found += " NOT NULL"
        if column.type == "VARCHAR":
            found += f" CHECK ({quoted} <> '')"
    if column.type == "DOUBLE":
        found += f" CHECK (isfinite({quoted}))"
    return found


def _checks(wanted: Sequence[_Column]) -> list[_Check]:
    checks = []
    for column in wanted:
        if column.required:
            checks.append(_Check(column.name, "empty"))
        if column.type == "DOUBLE":
            checks.append(_Check(column.name, "finite"))
    return checks


def _failed_checks(
    con: duckdb.DuckDBPyConnection, table: str, checks: Sequence[_Check]
) -> list[_Check]:
    """The checks some row of the loaded table fails (one scan of it)."""
    if not checks:
        return []
    counts = ", ".join(f"count(*) FILTER (WHERE {c.failing(_quoted(c.column))})" for c in checks)
    found = con.execute(f"SELECT {counts} FROM {table}").fetchone() or ()
    return [check for check, count in zip(checks, found, strict=True) if count]


def _csv_check_failure(path: Path, header: list[str], failed: Sequence[_Check]) -> ScoreError:
    """The first record failing one of `failed`, found by reading the file again."""
    indexed = [(header.index(check.column), check) for check in failed]
    for line, record in _records(path):
        if line == 1 or not record:
            continue
        for index, check in indexed:
            if index < len(record) and check.fails(record[index]):
                return ScoreError(f"{path}:{line}: {check.message()}")
    return ScoreError(f"{path}: {failed[0].message()} in some row")


def _load_csv(
    con: duckdb.DuckDBPyConnection, path: Path, source: str, table: str, wanted: Sequence[_Column]
) -> None:
    import duckdb

    header = _header(path, wanted)
    by_name = {column.name: column for column in wanted}
    # The header's names choose the columns; only ours and the catalog's reach SQL.
    spec = ", ".join(
        f"{_sql_text(name)}: {_sql_text(by_name[name].type)}"
        if name in by_name
        else f"{_sql_text(f'_column_{index}')}: 'VARCHAR'"
        for index, name in enumerate(header)
    )
    select = ", ".join(_quoted(column.name) for column in wanted)
    read = f"SELECT {select} FROM read_csv(?, {_CSV_OPTIONS}, columns = {{{spec}}})"
    checks = _checks(wanted)
    # The checks as the table's constraints, tested as rows arrive: no second scan.
    constrained = ", ".join(f"{_quoted(c.name)} {c.type}{_constraints(c)}" for c in wanted)
    con.execute(f"CREATE TEMP TABLE {table} ({constrained})")
    try:
        con.execute(f"INSERT INTO {table} {read}", [source])
        return
    except duckdb.ConstraintException:
        pass
    except duckdb.Error as err:
        raise _csv_failure(path, err, by_name) from None
    # Some row fails a check, or a row further on cannot be parsed: the file is read
    # again unconstrained, so a parse error wins as it always does, whichever row the
    # parallel insert met first, then the first failing row is found.
    con.execute(f"DROP TABLE {table}")
    try:
        con.execute(f"CREATE TEMP TABLE {table} AS {read}", [source])
    except duckdb.Error as err:
        raise _csv_failure(path, err, by_name) from None
    failed = _failed_checks(con, table, checks)
    raise _csv_check_failure(path, header, failed or checks)


def _parquet_columns(con: duckdb.DuckDBPyConnection, source: str) -> list[str]:
    """The top-level column names as the file has them (DuckDB renames duplicates)."""
    elements = con.execute("SELECT name, num_children FROM parquet_schema(?)", [source]).fetchall()
    names: list[str] = []
    open_groups: list[int] = [int(elements[0][1] or 0)] if elements else []
    for name, children in elements[1:]:
        while open_groups and open_groups[-1] == 0:
            open_groups.pop()
        if not open_groups:
            break
        if len(open_groups) == 1:
            names.append(str(name))
        open_groups[-1] -= 1
        if children:
            open_groups.append(int(children))
    return names


def _fits(duckdb_type: str, wanted: str) -> bool:
    if wanted == "DOUBLE":
        return _NUMERIC.fullmatch(duckdb_type) is not None
    if wanted in ("TIMESTAMP", "TIMESTAMPTZ"):
        return _TIMES.fullmatch(duckdb_type) is not None
    return duckdb_type == wanted


def _load_parquet(
    con: duckdb.DuckDBPyConnection, path: Path, source: str, table: str, wanted: Sequence[_Column]
) -> None:
    import duckdb

    reader = "read_parquet(?, hive_partitioning = false, filename = false, union_by_name = false"
    try:
        names = _parquet_columns(con, source)
        described = con.execute(f"DESCRIBE SELECT * FROM {reader})", [source]).fetchall()
    except duckdb.Error as err:
        raise ScoreError(f"{path}: cannot be read as Parquet ({_first_line(err)})") from None
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ScoreError(f"{path}: the column `{_shown_name(name)}` appears twice")
        seen.add(name)
    types = {str(row[0]): str(row[1]) for row in described}
    for column in wanted:
        if column.name not in types:
            raise ScoreError(f"{path}: no `{column.name}` column")
        if not _fits(types[column.name], column.type):
            raise ScoreError(
                f"{path}: `{column.name}` is {_shown_name(types[column.name])},"
                f" not {_WHAT[column.type]}"
            )
    select = ", ".join(f"CAST({_quoted(c.name)} AS {c.type}) AS {_quoted(c.name)}" for c in wanted)
    try:
        con.execute(f"CREATE TEMP TABLE {table} AS SELECT {select} FROM {reader})", [source])
        failed = _failed_checks(con, table, _checks(wanted))
        if not failed:
            return
        rows = ", ".join(
            f"min(file_row_number) FILTER (WHERE {c.failing(_quoted(c.column))})" for c in failed
        )
        found = (
            con.execute(
                f"SELECT {rows} FROM {reader}, file_row_number = true)", [source]
            ).fetchone()
            or ()
        )
    except duckdb.Error as err:
        raise ScoreError(f"{path}: cannot be read as Parquet ({_first_line(err)})") from None
    row, check = min(
        ((int(n), c) for n, c in zip(found, failed, strict=True) if n is not None),
        key=lambda pair: pair[0],
        default=(None, failed[0]),
    )
    where = f"{path}: row {row + 1}" if row is not None else f"{path}"
    raise ScoreError(f"{where}: {check.message()}")


def _first_line(err: Exception) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


def _load(
    con: duckdb.DuckDBPyConnection, path: Path, source: str, table: str, wanted: Sequence[_Column]
) -> None:
    """Read one input file into the temporary table `table`, typed and checked."""
    if path.suffix.lower() == ".parquet":
        _load_parquet(con, path, source, table, wanted)
    else:
        _load_csv(con, path, source, table, wanted)


def _loaded(
    model: ScoringModel, leads: Path, events: Path, *written: Path
) -> duckdb.DuckDBPyConnection:
    """A connection holding the `leads` and `events` tables, read once for either engine."""
    sources = [_input_path(leads), _input_path(events)]
    con = _connect(*sources, *(str(path.resolve()) for path in written))
    try:
        _load(con, leads, sources[0], "leads", _lead_columns(model))
        _load(con, events, sources[1], "events", _EVENTS)
    except BaseException:
        con.close()
        raise
    return con


def with_duckdb(
    model: ScoringModel, leads: Path, events: Path, as_of: date
) -> list[tuple[Any, ...]]:
    """Scores computed by the generated SQL in DuckDB."""
    import duckdb

    con = _loaded(model, leads, events)
    try:
        return [tuple(row) for row in con.execute(query(model, as_of).sql("duckdb")).fetchall()]
    except duckdb.Error as err:
        raise ScoreError(_first_line(err)) from None
    finally:
        con.close()


def duckdb_csv(model: ScoringModel, leads: Path, events: Path, as_of: date, out: Path) -> None:
    """Score with DuckDB and let it write the CSV (formatted as `to_csv` formats)."""
    import duckdb

    names = columns(model)
    shown = []
    for name in names:
        column = _quoted(name)
        if name in ("lead_id", "grade", "stage"):
            shown.append(column)
        else:
            shown.append(
                f"CASE WHEN {column} = TRUNC({column}) "
                f"THEN CAST(CAST({column} AS BIGINT) AS VARCHAR) "
                f"ELSE format('{{:.2f}}', {column}) END AS {column}"
            )
    scores = query(model, as_of).sql("duckdb")
    con = _loaded(model, leads, events, out)
    try:
        con.execute(f"CREATE TEMP VIEW scores AS {scores.rstrip(';')}")
        select = f"SELECT {', '.join(shown)} FROM scores ORDER BY lead_id"
        con.execute(
            f"COPY ({select}) TO ? (HEADER, DELIMITER ',', USE_TMP_FILE false)",
            [str(out.resolve())],
        )
    except duckdb.Error as err:
        raise ScoreError(_first_line(err)) from None
    finally:
        con.close()


def with_python(
    model: ScoringModel, leads: Path, events: Path, as_of: date
) -> list[tuple[Any, ...]]:
    """Scores computed by the reference scorer, over the rows DuckDB read."""
    con = _loaded(model, leads, events)
    try:
        by_lead: dict[str, list[LeadEvent]] = {}
        for lead_id, event_type, at in con.execute(
            "SELECT lead_id, event_type, occurred_at FROM events"
        ).fetchall():
            by_lead.setdefault(lead_id, []).append(LeadEvent(event_type, at))
        cursor = con.execute("SELECT * FROM leads")
        names = [column[0] for column in cursor.description or []]
        rows = cursor.fetchall()
    finally:
        con.close()
    results = []
    for row in rows:
        lead = dict(zip(names, row, strict=True))
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
