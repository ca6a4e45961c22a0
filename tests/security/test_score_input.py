"""`campc score` parses its input, never guesses: a hostile lead or event file is read
the same way by both engines, or refused by both with one line naming the file and line."""

from __future__ import annotations

import csv
import io
import os
from datetime import date
from pathlib import Path

import pytest

from compiler.commands.score import with_duckdb, with_python
from compiler.load.repository import load
from compiler.model.scoring import ScoringModel
from tests.conftest import ROOT, CliRun

SAMPLES = ROOT / "campaigns" / "samples"
ENGINES = ("duckdb", "python")
LEADS_HEADER = "lead_id,company_size,job_level,industry,country,email_domain_type\n"
EVENTS_HEADER = "lead_id,event_type,occurred_at\n"
EVENTS = (
    EVENTS_HEADER + "lead-001,demo_requested,2027-04-20T10:00:00\n"
    "lead-002,email_clicked,2027-04-01T08:00:00\n"
    'lead-003,"pricing_page_viewed",2027-04-18T09:00:00\n'
)
HOSTILE_LEADS = (
    LEADS_HEADER + "lead-001,850,vp,'); DROP TABLE leads; --,FR,business\n"
    "lead-002,1,individual,soft',US,personal\n"
    'lead-003,2500,director,"say ""quoted"", twice",DE,business\n'
    '"o\'brien ""the"" lead",120,manager,retail,GB,business\n'
    "lead-005,,c_level,,FR,business\n"
)
"""The values that made DuckDB's sniffer pick `'` as the quote and drop a lead."""


def _model() -> ScoringModel:
    repo, problems = load(ROOT / "campaigns", str)
    assert not problems
    return next(s.model for s in repo.specs if isinstance(s.model, ScoringModel))


def _write(path: Path, text: str | bytes) -> Path:
    if isinstance(text, str):
        text = text.encode()
    path.write_bytes(text)
    return path


def _score(campc: CliRun, leads: Path, events: Path, engine: str) -> tuple[int, str, str]:
    run = campc(
        "score",
        "b2b-lead-scoring",
        "--leads",
        str(leads),
        "--events",
        str(events),
        "--as-of",
        "2027-04-20",
        "--engine",
        engine,
    )
    return run.exit_code, run.stdout, run.stderr


def _both_score(campc: CliRun, leads: Path, events: Path) -> list[list[str]]:
    """The scores both engines print, which must be equal, as CSV rows."""
    outcomes = [_score(campc, leads, events, engine) for engine in ENGINES]
    for code, _out, err in outcomes:
        assert code == 0, err
    assert outcomes[0][1] == outcomes[1][1]
    return list(csv.reader(io.StringIO(outcomes[0][1])))


def _both_refuse(campc: CliRun, leads: Path, events: Path, where: str, what: str) -> None:
    """Both engines exit 2 with the same one line naming `where` (file and line)."""
    messages = []
    for engine in ENGINES:
        code, out, err = _score(campc, leads, events, engine)
        assert code == 2, f"{engine} exit {code}: {out[:300]}{err}"
        assert "Traceback" not in err
        assert len(err.splitlines()) == 1, err
        assert err.startswith(f"campc: error: {where}: "), err
        assert what in err, err
        messages.append(err)
    assert messages[0] == messages[1]


def test_quotes_in_values_never_swallow_a_row(campc: CliRun, tmp_path: Path) -> None:
    leads = _write(tmp_path / "leads.csv", HOSTILE_LEADS)
    events = _write(tmp_path / "events.csv", EVENTS)
    rows = _both_score(campc, leads, events)
    assert sorted(row[0] for row in rows[1:]) == sorted(
        ["lead-001", "lead-002", "lead-003", 'o\'brien "the" lead', "lead-005"]
    )
    model = _model()
    duck = with_duckdb(model, leads, events, date(2027, 4, 20))
    assert len(duck) == 5
    assert duck == with_python(model, leads, events, date(2027, 4, 20))


def test_the_sniffer_case_keeps_every_lead(campc: CliRun, tmp_path: Path) -> None:
    leads = _write(
        tmp_path / "leads.csv",
        LEADS_HEADER + "lead-001,850,vp,'); DROP TABLE leads; --,FR,business\n"
        "lead-002,1,individual,soft',US,personal\n"
        "lead-004,120,manager,retail,GB,business\n",
    )
    rows = _both_score(campc, leads, _write(tmp_path / "events.csv", EVENTS))
    assert [row[0] for row in rows[1:]] == ["lead-001", "lead-002", "lead-004"]


def test_a_bom_and_crlf_lines_read_as_plain_utf8(campc: CliRun, tmp_path: Path) -> None:
    plain = _both_score(
        campc,
        _write(tmp_path / "leads.csv", HOSTILE_LEADS),
        _write(tmp_path / "events.csv", EVENTS),
    )
    excel = _both_score(
        campc,
        _write(
            tmp_path / "bom.csv", b"\xef\xbb\xbf" + HOSTILE_LEADS.replace("\n", "\r\n").encode()
        ),
        _write(tmp_path / "events-crlf.csv", EVENTS.replace("\n", "\r\n")),
    )
    assert excel == plain


@pytest.mark.parametrize(
    ("name", "leads", "events", "where", "what"),
    [
        (
            "extra-field",
            None,
            EVENTS_HEADER
            + "lead-001,demo_requested,2027-04-20T10:00:00\n"
            + "lead-002,email_clicked,2027-04-01T08:00:00,surprise\n",
            "events.csv:3",
            "4 fields where the header has 3",
        ),
        (
            "missing-field",
            LEADS_HEADER + "lead-001,850,vp,software,FR\n",
            None,
            "leads.csv:2",
            "5 fields where the header has 6",
        ),
        (
            "unterminated-quote",
            LEADS_HEADER
            + "lead-001,850,vp,software,FR,business\n"
            + 'lead-002,1,individual,"education,US,personal\n'
            + "lead-003,2500,director,finance,DE,business\n",
            None,
            "leads.csv:3",
            "a quoted value is not closed",
        ),
        (
            "text-after-closing-quote",
            None,
            EVENTS_HEADER + 'lead-001,"demo"_requested,2027-04-20T10:00:00\n',
            "events.csv:2",
            "a quoted value is not closed, or text follows its closing quote",
        ),
        (
            "not-utf8",
            LEADS_HEADER.encode()
            + b"lead-001,850,vp,software,FR,business\n"
            + b"lead-002,1,individual,caf\xe9,US,personal\n",
            None,
            "leads.csv:3",
            "not UTF-8 text",
        ),
        (
            "not-utf8-header",
            b"lead_id,company_size,job_level,industr\xe9,country,email_domain_type\n",
            None,
            "leads.csv:1",
            "not UTF-8 text",
        ),
        (
            "bad-date",
            None,
            EVENTS_HEADER
            + "lead-001,demo_requested,2027-04-20T10:00:00\n"
            + "lead-002,email_clicked,2027-02-30T08:00:00\n",
            "events.csv:3",
            "`occurred_at` is not a timestamp or date",
        ),
        (
            "not-a-date",
            None,
            EVENTS_HEADER + "lead-001,demo_requested,last tuesday\n",
            "events.csv:2",
            "`occurred_at` is not a timestamp or date",
        ),
        (
            "missing-date",
            None,
            EVENTS_HEADER
            + "lead-001,demo_requested,2027-04-20T10:00:00\n"
            + "lead-002,email_clicked,\n",
            "events.csv:3",
            "`occurred_at` is empty",
        ),
        (
            "missing-lead-id",
            LEADS_HEADER
            + "lead-001,850,vp,software,FR,business\n"
            + ",1,individual,,US,personal\n",
            None,
            "leads.csv:3",
            "`lead_id` is empty",
        ),
        (
            "not-a-number",
            LEADS_HEADER + "lead-001,eight hundred,vp,software,FR,business\n",
            None,
            "leads.csv:2",
            "`company_size` is not a number",
        ),
        (
            "not-a-finite-number",
            LEADS_HEADER
            + "lead-001,850,vp,software,FR,business\n"
            + "lead-002,nan,vp,software,FR,business\n",
            None,
            "leads.csv:3",
            "`company_size` is not a finite number",
        ),
        (
            "missing-header",
            None,
            "lead-001,demo_requested,2027-04-20T10:00:00\n",
            "events.csv:1",
            "the header has no `lead_id`, `event_type`, `occurred_at` columns",
        ),
        (
            "missing-column",
            None,
            "lead_id,event_type\nlead-001,demo_requested\n",
            "events.csv:1",
            "the header has no `occurred_at` column",
        ),
        (
            "duplicate-header",
            "lead_id,company_size,job_level,industry,country,email_domain_type,company_size\n"
            + "lead-001,850,vp,software,FR,business,5\n",
            None,
            "leads.csv:1",
            "the header names `company_size` twice",
        ),
        (
            "empty-file",
            "",
            None,
            "leads.csv:1",
            "empty file",
        ),
        (
            "line-after-a-quoted-line-break",
            None,
            EVENTS_HEADER
            + 'lead-001,"demo\nrequested\r\nagain",2027-04-20T10:00:00\n'
            + "\n"
            + "lead-002,email_clicked,2027-13-01\n",
            "events.csv:6",
            "`occurred_at` is not a timestamp or date",
        ),
    ],
)
def test_bad_input_is_refused_alike_with_file_and_line(
    campc: CliRun,
    tmp_path: Path,
    name: str,
    leads: str | bytes | None,
    events: str | None,
    where: str,
    what: str,
) -> None:
    leads_file = (
        _write(tmp_path / "leads.csv", leads) if leads is not None else SAMPLES / "leads.csv"
    )
    events_file = (
        _write(tmp_path / "events.csv", events) if events is not None else SAMPLES / "events.csv"
    )
    _both_refuse(campc, leads_file, events_file, str(tmp_path / where), what)


def test_a_parse_error_wins_over_an_empty_value_wherever_each_is(
    campc: CliRun, tmp_path: Path
) -> None:
    """The checks are the table's constraints, met while rows are inserted in parallel:
    whichever the insert meets first, a row that cannot be parsed is the one named, as
    when the checks ran after the whole file was read."""
    rows = [f"lead-{i:05d},email_clicked,2027-04-01T08:00:00\n" for i in range(30_000)]
    rows[3] = "lead-00003,email_clicked,\n"  # empty, early
    rows[-1] = "lead-29999,email_clicked,2027-02-30\n"  # not a date, last
    events = _write(tmp_path / "events.csv", EVENTS_HEADER + "".join(rows))
    _both_refuse(
        campc,
        SAMPLES / "leads.csv",
        events,
        f"{events}:30001",
        "`occurred_at` is not a timestamp or date",
    )


def test_a_quoted_empty_id_is_empty(campc: CliRun, tmp_path: Path) -> None:
    leads = _write(tmp_path / "leads.csv", LEADS_HEADER + '"",850,vp,software,FR,business\n')
    _both_refuse(campc, leads, SAMPLES / "events.csv", f"{leads}:2", "`lead_id` is empty")


@pytest.mark.parametrize("engine", ENGINES)
def test_refused_input_leaves_the_out_file_as_it_was(
    campc: CliRun, tmp_path: Path, engine: str
) -> None:
    out = _write(tmp_path / "scores.csv", "yesterday's scores\n")
    leads = _write(tmp_path / "leads.csv", LEADS_HEADER + "lead-001,nan,vp,software,FR,b\n")
    run = campc(
        "score", "b2b-lead-scoring", "--leads", str(leads), "--events",
        str(SAMPLES / "events.csv"), "--engine", engine, "--out", str(out),
    )  # fmt: skip
    assert run.exit_code == 2, run.stderr
    assert out.read_text() == "yesterday's scores\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["leads.csv", "scores.csv"]


def test_out_through_a_link_writes_the_file_it_names(campc: CliRun, tmp_path: Path) -> None:
    """`--out` is the user's own choice: a link there is followed, as a plain write
    follows it, and the new scores replace the file whole, keeping its mode."""
    target = _write(tmp_path / "kept.csv", "old\n")
    target.chmod(0o640)
    (tmp_path / "link.csv").symlink_to(target)
    run = campc(
        "score", "b2b-lead-scoring", "--leads", str(SAMPLES / "leads.csv"), "--events",
        str(SAMPLES / "events.csv"), "--as-of", "2027-04-20", "--out", str(tmp_path / "link.csv"),
    )  # fmt: skip
    assert run.exit_code == 0, run.stderr
    assert (tmp_path / "link.csv").is_symlink()
    assert target.read_text().startswith("lead_id,fit,")
    assert target.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.csv", "link.csv"]


def test_a_header_only_file_scores_no_leads(campc: CliRun, tmp_path: Path) -> None:
    rows = _both_score(
        campc, _write(tmp_path / "leads.csv", LEADS_HEADER), _write(tmp_path / "e.csv", EVENTS)
    )
    assert len(rows) == 1


def test_columns_are_found_by_header_name_not_position(campc: CliRun, tmp_path: Path) -> None:
    reordered = "email_domain_type,country,industry,job_level,company_size,lead_id,notes\n"
    rows = [line.split(",") for line in HOSTILE_LEADS.splitlines()[1:2]]
    text = reordered + "".join(",".join([*r[::-1], '"a, b"']) + "\n" for r in rows)
    moved = _both_score(
        campc, _write(tmp_path / "moved.csv", text), _write(tmp_path / "e.csv", EVENTS)
    )
    plain = _both_score(
        campc,
        _write(tmp_path / "plain.csv", LEADS_HEADER + HOSTILE_LEADS.splitlines()[1] + "\n"),
        _write(tmp_path / "e.csv", EVENTS),
    )
    assert moved == plain


def test_a_glob_in_a_file_name_reads_only_that_file(campc: CliRun, tmp_path: Path) -> None:
    _write(tmp_path / "leads-other.csv", LEADS_HEADER + "intruder,1,vp,x,FR,business\n")
    starred = _write(tmp_path / "leads*.csv", LEADS_HEADER)
    for engine in ENGINES:
        code, out, err = _score(campc, starred, _write(tmp_path / "e.csv", EVENTS), engine)
        assert "intruder" not in out
        assert code == 2, out
        assert "glob" in err


def _parquet(tmp_path: Path, name: str, select: str) -> Path:
    import duckdb

    path = tmp_path / name
    duckdb.connect().execute(f"COPY ({select}) TO ? (FORMAT parquet)", [str(path)])
    return path


def test_parquet_column_types_are_checked(campc: CliRun, tmp_path: Path) -> None:
    events = _parquet(
        tmp_path,
        "events.parquet",
        "SELECT 'lead-001' AS lead_id, 'demo_requested' AS event_type,"
        " '2027-04-20T10:00:00' AS occurred_at",
    )
    _both_refuse(
        campc,
        SAMPLES / "leads.csv",
        events,
        str(events),
        "`occurred_at` is VARCHAR, not a timestamp or date",
    )
    leads = _parquet(
        tmp_path,
        "leads.parquet",
        "SELECT 1 AS lead_id, 850 AS company_size, 'vp' AS job_level, 'software' AS industry,"
        " 'FR' AS country, 'business' AS email_domain_type",
    )
    _both_refuse(campc, leads, SAMPLES / "events.csv", str(leads), "`lead_id` is INTEGER, not text")


def test_parquet_empty_required_values_name_the_row(campc: CliRun, tmp_path: Path) -> None:
    events = _parquet(
        tmp_path,
        "events.parquet",
        "SELECT * FROM (VALUES ('lead-001', 'demo_requested', TIMESTAMP '2027-04-20 10:00'),"
        " ('lead-002', 'email_clicked', NULL)) t(lead_id, event_type, occurred_at)",
    )
    _both_refuse(campc, SAMPLES / "leads.csv", events, f"{events}: row 2", "`occurred_at` is empty")


def test_parquet_dates_and_numbers_of_any_width_score_as_csv(campc: CliRun, tmp_path: Path) -> None:
    leads = _parquet(
        tmp_path,
        "leads.parquet",
        "SELECT lead_id, CAST(company_size AS DECIMAL(9, 2)) AS company_size, job_level,"
        " industry, country, email_domain_type FROM read_csv(?)".replace(
            "?", "'" + str(SAMPLES / "leads.csv") + "'"
        ),
    )
    events = _parquet(
        tmp_path,
        "events.parquet",
        "SELECT lead_id, event_type, CAST(occurred_at AS TIMESTAMP_MS) AS occurred_at"
        " FROM read_csv('" + str(SAMPLES / "events.csv") + "')",
    )
    assert _both_score(campc, leads, events) == _both_score(
        campc, SAMPLES / "leads.csv", SAMPLES / "events.csv"
    )


def test_parquet_duplicate_columns_are_refused(campc: CliRun, tmp_path: Path) -> None:
    # DuckDB renames a duplicate when it writes one; patch the name in the footer instead
    events = _parquet(
        tmp_path,
        "events.parquet",
        "SELECT 'lead-001' AS lead_id, 'demo_requested' AS event_type,"
        " TIMESTAMP '2027-04-20 10:00' AS occurred_at, 'x' AS event_typf",
    )
    events.write_bytes(events.read_bytes().replace(b"event_typf", b"event_type"))
    _both_refuse(
        campc, SAMPLES / "leads.csv", events, str(events), "the column `event_type` appears twice"
    )


def test_a_new_out_file_gets_the_mode_the_umask_allows(campc: CliRun, tmp_path: Path) -> None:
    out = tmp_path / "new.csv"
    before = os.umask(0o027)
    try:
        run = campc(
            "score", "b2b-lead-scoring", "--leads", str(SAMPLES / "leads.csv"), "--events",
            str(SAMPLES / "events.csv"), "--as-of", "2027-04-20", "--out", str(out),
        )  # fmt: skip
    finally:
        os.umask(before)
    assert run.exit_code == 0, run.stderr
    assert out.stat().st_mode & 0o777 == 0o640
