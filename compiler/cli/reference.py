"""`campc rules and explain`."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from compiler.cli.common import EXIT_USAGE, echo, make_console

if TYPE_CHECKING:
    pass


@click.command()
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help="Table, Markdown reference (docs/rules.md) or JSON.",
)
def rules(output_format: str) -> None:
    """List every rule: code, name, severity and summary."""
    from rich.table import Table

    from compiler.report import reference as report
    from compiler.rules import RULES

    if output_format == "markdown":
        click.echo(report.rules_markdown(list(RULES.values())), nl=False)
        return
    if output_format == "json":
        click.echo(report.rules_json(list(RULES.values())), nl=False)
        return
    console = make_console()
    if not console.is_terminal:
        for rule in RULES.values():
            echo(f"{rule.code:<10} {rule.name:<22} {rule.severity.value:<8} {rule.summary}")
        return
    table = Table("code", "name", "severity", "summary", box=None, pad_edge=False)
    for rule in RULES.values():
        table.add_row(rule.code, rule.name, rule.severity.value, rule.summary)
    console.print(table)


@click.command()
@click.argument("code")
def explain(code: str) -> None:
    """Explain one rule (by code or name) with a bad and a good example."""
    from compiler.rules import lookup

    rule = lookup(code)
    if rule is None:
        echo(f"campc: error: no rule `{code}` (see `campc rules`)", err=True)
        sys.exit(EXIT_USAGE)
    console = make_console()
    console.print(f"{rule.code} ({rule.name}), default severity: {rule.severity.value}\n")
    if console.is_terminal:
        from rich.markdown import Markdown  # only worth its import time on a terminal

        console.print(Markdown(rule.doc))
    else:
        console.print(rule.doc)
