"""`campc simulate`."""

from __future__ import annotations

import sys
from datetime import date, datetime
from typing import TYPE_CHECKING

import click

from compiler.cli.common import EXIT_USAGE, checked_spec_in, echo, errors_exit

if TYPE_CHECKING:
    pass


@click.command()
@click.argument("sequence_ref", metavar="SEQUENCE")
@click.option("--contacts", type=click.IntRange(1, 1_000_000), default=1000, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--start",
    help="When the contacts enter, in the audience's timezone: YYYY-MM-DD (at 09:00) or "
    "YYYY-MM-DDTHH:MM [today 09:00].",
)
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
@errors_exit
def simulate(
    sequence_ref: str, contacts: int, seed: int, start: str | None, output_format: str
) -> None:
    """Run synthetic contacts through a sequence (by id or spec path) in simulated time:
    timelines, the share on each path, sends per week against the cap, conversions.
    Times are the audience's local time: waits count its markets' business days, and
    quiet hours hold or skip sends as the sequence says."""
    from compiler.analysis import simulate as simulator
    from compiler.analysis import timing
    from compiler.model.sequence import Sequence
    from compiler.text import escape

    sequence, repo = checked_spec_in(Sequence, sequence_ref, "sequence", "simulating")
    audience = repo.audience(sequence.audience or "")
    clock = timing.clock(repo, sequence, audience.timezone if audience else "UTC")
    text = start or date.today().isoformat()
    try:
        entry = datetime.fromisoformat(text if "T" in text else f"{text}T09:00")
    except ValueError:
        echo(f"campc: error: --start `{text}` is not YYYY-MM-DD[THH:MM]", err=True)
        sys.exit(EXIT_USAGE)
    outcome = simulator.run(sequence, contacts, seed, entry, clock)
    if output_format == "json":
        click.echo(escape.json_document(outcome.as_data()), nl=False)
    else:
        click.echo(simulator.text(outcome), nl=False)
