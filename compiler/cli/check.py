"""`campc check`."""

from __future__ import annotations

import os
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from compiler.cli.common import (
    CHECK_FORMATS,
    EXIT_CLEAN,
    EXIT_FINDINGS,
    EXIT_USAGE,
    cache_notice,
    echo,
    errors_exit,
    known_rule,
    project,
)

if TYPE_CHECKING:
    from compiler.diagnostics import Diagnostic
    from compiler.lint import fixes


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(list(CHECK_FORMATS)),
    default=None,
    help="How findings are printed [default: text, or github when GITHUB_ACTIONS=true].",
)
@click.option("--select", help="Comma-separated rules to run (replaces the configured set).")
@click.option("--ignore", help="Comma-separated rules not to run (added to the configured set).")
@click.option("--strict", is_flag=True, help="Warnings fail the check too.")
@click.option("--fix", "fix", is_flag=True, help="Apply safe fixes to the specs, then re-check.")
@click.option("--no-cache", is_flag=True, help="Neither read nor write .campc_cache/.")
@click.option(
    "--base",
    help="A git revision (the pull request's base): a started experiment's locked design "
    "must not differ from it without an amendment (EXP009, EXP010).",
)
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="With --base: the date the lock is judged on [default: the date of the commit "
    "checked, never the clock].",
)
@errors_exit
def check(
    paths: tuple[Path, ...],
    output_format: str | None,
    select: str | None,
    ignore: str | None,
    strict: bool,
    fix: bool,
    no_cache: bool,
    base: str | None,
    as_of: datetime | None,
) -> None:
    """Load, validate and lint specs (default: the campaigns folder)."""
    from compiler import cache
    from compiler.commands import check as command
    from compiler.diagnostics import Severity
    from compiler.report import formats as report

    current = project(paths)
    store = cache.for_project(current.root, current.config_file, enabled=not no_cache)
    cache_notice(store)
    if as_of is not None and base is None:
        echo("campc: error: --as-of dates the lock of --base: give --base REV too", err=True)
        sys.exit(EXIT_USAGE)
    checked = command.check(
        current,
        paths,
        select,
        ignore,
        fix,
        store,
        known_rule,
        base,
        as_of.date() if as_of is not None else None,
    )
    if fix:
        _report_fixes(checked.applied, checked.diagnostics)
    if output_format is None:
        output_format = "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    report.FORMATTERS[output_format](checked.diagnostics, checked.files, sys.stdout)
    failing = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
    failed = any(d.severity in failing for d in checked.diagnostics)
    sys.exit(EXIT_FINDINGS if failed else EXIT_CLEAN)


def _report_fixes(applied: list[fixes.Applied], remaining: list[Diagnostic]) -> None:
    """After `--fix`: what was rewritten, and the moves that are left to run by hand."""
    for item in applied:
        d = item.diagnostic
        description = d.fix.description if d.fix else ""
        echo(f"fixed {d.location()}: {d.code} {description}", err=True)
    echo(f"Fixed {len(applied)} finding{'' if len(applied) == 1 else 's'}.", err=True)
    moves = sorted({d.hint for d in remaining if d.hint.startswith("git mv ")})
    if moves:
        click.echo("Files to move (not done automatically):", err=True)
        for move in moves:
            echo(f"  {move}", err=True)
