"""`campc score`."""

from __future__ import annotations

import sys
import tempfile
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from compiler.cli.common import EXIT_USAGE, checked_spec, echo, errors_exit

if TYPE_CHECKING:
    pass


@click.command()
@click.argument("model_ref", metavar="MODEL")
@click.option(
    "--leads", type=click.Path(path_type=Path, exists=True, dir_okay=False), required=True
)
@click.option(
    "--events", type=click.Path(path_type=Path, exists=True, dir_okay=False), required=True
)
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), help="Scoring date [today].")
@click.option(
    "--engine", type=click.Choice(["duckdb", "python"]), default="duckdb", show_default=True
)
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help="CSV file [stdout].")
@errors_exit
def score(
    model_ref: str,
    leads: Path,
    events: Path,
    as_of: datetime | None,
    engine: str,
    out: Path | None,
) -> None:
    """Score leads (CSV or Parquet) with a scoring model, given by id or spec path."""
    from compiler.commands import score as score_runner
    from compiler.model.scoring import ScoringModel

    model = checked_spec(ScoringModel, model_ref, "scoring model", "scoring")
    day = as_of.date() if as_of is not None else date.today()
    try:
        if engine == "duckdb":
            # DuckDB formats and writes the CSV itself: a million leads in seconds
            with tempfile.TemporaryDirectory() as folder:
                written = Path(folder) / "scores.csv"
                score_runner.duckdb_csv(model, leads, events, day, written)
                text = written.read_text(encoding="utf-8")
        else:
            text = score_runner.to_csv(model, score_runner.with_python(model, leads, events, day))
    except score_runner.ScoreError as err:
        echo(f"campc: error: {err}", err=True)
        sys.exit(EXIT_USAGE)
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
