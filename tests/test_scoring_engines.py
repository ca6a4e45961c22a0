"""One semantics, every engine: the adversarial leads of `tests/scoring_cases.py` score the
same in the reference scorer, DuckDB, a real PostgreSQL server, and the Snowflake and
BigQuery queries transpiled by sqlglot to DuckDB, under session time zones far from UTC,
with `occurred_at` with and without a time zone. (Spark: `tests/spark/`, `nox -s spark`.)

PostgreSQL is a throwaway cluster on a unix socket in a temporary folder, started as an
unprivileged user (`nobody` when the tests run as root); missing, it skips the test, or
fails it under CI.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from glob import glob
from pathlib import Path
from typing import Any

import duckdb
import pytest
import sqlglot

from compiler.backends.scoring.sql import render
from tests import scoring_cases as cases
from tests.conftest import client_missing


def _duckdb(time_zone: str, kind: str) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET TimeZone = ?", [time_zone])
    cases.to_duckdb(con, kind)
    return con


@pytest.mark.parametrize("time_zone", cases.TIME_ZONES)
@pytest.mark.parametrize("kind", sorted(cases.TIME_TYPES))
@pytest.mark.parametrize("dialect", ["duckdb", "snowflake", "bigquery"])
def test_duckdb_and_transpiled_warehouse_sql_score_like_the_reference(
    dialect: str, kind: str, time_zone: str
) -> None:
    text = render(cases.MODEL, dialect)
    if dialect != "duckdb":  # sqlglot's reading of the dialect, run by DuckDB
        [text] = sqlglot.transpile(text, read=dialect, write="duckdb")
    con = _duckdb(time_zone, kind)
    rows = con.execute(text.rstrip().rstrip(";"), {"as_of": cases.AS_OF}).fetchall()
    assert cases.normal(rows) == cases.expected()


def _postgres_bin() -> Path | None:
    found = sorted(glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("pg_ctl")
    return Path(on_path).parent if on_path else None


class Postgres:
    """A throwaway PostgreSQL cluster reached through a unix socket."""

    def __init__(self, folder: Path, bin_dir: Path, user: str | None) -> None:
        self.folder, self.bin, self.user = folder, bin_dir, user
        self.data = folder / "data"

    def _as_owner(self, *command: str) -> list[str]:
        return ["runuser", "-u", self.user, "--", *command] if self.user else list(command)

    def start(self) -> None:
        run = self._as_owner
        subprocess.run(
            run(
                str(self.bin / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "campc",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                # An ICU collation orders `a` before `B`, as most warehouses' defaults do.
                "--locale-provider=icu",
                "--icu-locale=en",
            ),
            check=True,
            capture_output=True,
        )
        options = f"-k {self.folder} -c listen_addresses='' -c fsync=off"
        log = str(self.folder / "log")
        pg_ctl = str(self.bin / "pg_ctl")
        subprocess.run(
            run(pg_ctl, "-D", str(self.data), "-o", options, "-l", log, "-w", "-t", "60", "start"),
            check=True,
            capture_output=True,
        )

    def stop(self) -> None:
        pg_ctl = str(self.bin / "pg_ctl")
        subprocess.run(
            self._as_owner(pg_ctl, "-D", str(self.data), "-m", "immediate", "stop"),
            capture_output=True,
            check=False,
        )

    def csv(self, script: str) -> list[list[str | None]]:
        """Run a psql script; the rows it prints, NULL as None."""
        psql = [str(self.bin / "psql"), "-X", "-q", "--csv", "-v", "ON_ERROR_STOP=1"]
        done = subprocess.run(
            [*psql, "-h", str(self.folder), "-U", "campc", "-d", "postgres"],
            input="\\pset null '<NULL>'\n" + script,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        rows = list(csv.reader(io.StringIO(done.stdout)))[1:]
        return [[None if v == "<NULL>" else v for v in row] for row in rows]


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres]:
    bin_dir = _postgres_bin()
    if bin_dir is None or not (bin_dir / "initdb").exists():
        client_missing("PostgreSQL is not installed (Debian: apt-get install postgresql)")
    # The server refuses to run as root: an unprivileged user owns the cluster.
    user = "nobody" if os.geteuid() == 0 else None
    folder = Path(tempfile.mkdtemp(prefix="campc-pg-"))
    if user:
        shutil.chown(folder, user)
    server = Postgres(folder, bin_dir, user)
    try:
        server.start()
    except (OSError, subprocess.CalledProcessError) as err:
        log = folder / "log"
        detail = log.read_text(errors="replace")[-500:] if log.exists() else ""
        stderr = getattr(err, "stderr", b"") or b""
        shutil.rmtree(folder, ignore_errors=True)
        client_missing(f"PostgreSQL did not start: {err} {stderr.decode(errors='replace')}{detail}")
    yield server
    server.stop()
    shutil.rmtree(folder, ignore_errors=True)


def _pg_text(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def _pg_load(kind: str) -> str:
    pg_types = {"VARCHAR": "text", "DOUBLE": "double precision", "BOOLEAN": "boolean"}
    columns = ", ".join(f"{name} {pg_types[type_]}" for name, type_ in cases.TYPES.items())
    time_type = {"aware": "timestamptz", "naive": "timestamp"}[kind]
    lines = [
        "DROP TABLE IF EXISTS leads, events;",
        f"CREATE TABLE leads (lead_id text, {columns});",
        f"CREATE TABLE events (lead_id text, event_type text, occurred_at {time_type});",
    ]
    for lead in cases.leads():
        values = ", ".join(_pg_text(lead[name]) for name in ("lead_id", *cases.TYPES))
        lines.append(f"INSERT INTO leads VALUES ({values});")
    for event in cases.events():
        at = cases.occurred(event, kind).isoformat()
        lines.append(
            f"INSERT INTO events VALUES ({_pg_text(event.lead_id)}, '{event.event}', '{at}');"
        )
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("time_zone", cases.TIME_ZONES)
@pytest.mark.parametrize("kind", sorted(cases.TIME_TYPES))
def test_postgresql_scores_like_the_reference(
    postgres: Postgres, kind: str, time_zone: str
) -> None:
    query = render(cases.MODEL, "postgres").rstrip().rstrip(";")
    script = (
        _pg_load(kind)
        + f"SET TIME ZONE '{time_zone}';\n"
        + f"PREPARE score(date) AS {query};\n"
        + f"EXECUTE score('{cases.AS_OF.isoformat()}');\n"
    )
    rows = postgres.csv(script)
    numbers = [
        tuple(v if i in (0, 4, 5) or v is None else float(v) for i, v in enumerate(row))
        for row in rows
    ]
    assert cases.normal(numbers) == cases.expected()
