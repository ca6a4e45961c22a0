"""`campc score`."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import click

from compiler.cli.common import EXIT_USAGE, checked_spec, echo, errors_exit


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
        if engine == "python":
            text = score_runner.to_csv(model, score_runner.with_python(model, leads, events, day))
            if out is None:
                click.echo(text, nl=False)
            else:
                out.write_text(text, encoding="utf-8")
        elif out is None:
            # DuckDB formats and writes the CSV itself: a million leads in seconds
            with tempfile.TemporaryDirectory() as folder:
                written = Path(folder) / "scores.csv"
                score_runner.duckdb_csv(model, leads, events, day, written)
                with written.open("rb") as scores:
                    shutil.copyfileobj(scores, sys.stdout.buffer, 1 << 20)
        else:
            _write_beside(
                out, lambda temporary: score_runner.duckdb_csv(model, leads, events, day, temporary)
            )
    except score_runner.ScoreError as err:
        echo(f"campc: error: {err}", err=True)
        sys.exit(EXIT_USAGE)


def _write_beside(out: Path, write: Callable[[Path], None]) -> None:
    """`write` a new file beside `out` (the file a link there names), then rename it over
    `out`: no copy of a large output, and a failure leaves `out` as it was."""
    target = out.resolve()
    try:  # the mode a plain write would leave: the file's own, or a new file's
        mode = os.stat(target).st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0o022)
        os.umask(umask)
        mode = 0o644 & ~umask
    descriptor, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(descriptor)
    temporary = Path(name)
    try:
        write(temporary)
        os.chmod(temporary, mode)  # mkstemp made it 0600
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
