"""`campc route`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from compiler.cli.common import errors_exit, project_settings

if TYPE_CHECKING:
    pass


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="How decisions are printed.",
)
@errors_exit
def route(files: tuple[Path, ...], output_format: str) -> None:
    """Show how routing decides each spec's sub-domain, with the evidence."""
    from compiler.commands import pipeline
    from compiler.report import route as report

    decisions = pipeline.route(project_settings(), files)
    report.ROUTE_FORMATTERS[output_format](decisions, sys.stdout)
