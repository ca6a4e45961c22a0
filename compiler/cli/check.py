"""`campc check`."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from compiler.cli.common import (
    CHECK_FORMATS,
    EXIT_CLEAN,
    EXIT_FINDINGS,
    cache_notice,
    echo,
    errors_exit,
    known_rule,
    project_settings,
)
from compiler.errors import UsageError

if TYPE_CHECKING:
    from compiler import cache
    from compiler.config import settings
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
@errors_exit
def check(
    paths: tuple[Path, ...],
    output_format: str | None,
    select: str | None,
    ignore: str | None,
    strict: bool,
    fix: bool,
    no_cache: bool,
) -> None:
    """Load, validate and lint specs (default: the campaigns folder)."""
    from compiler import cache
    from compiler.diagnostics import Severity, to_data
    from compiler.load import inventory
    from compiler.report import formats as report

    current = project_settings(paths)
    store = cache.for_project(current.root, current.config_file, enabled=not no_cache)
    cache_notice(store)
    # A whole result is reused when nothing it depends on changed: no model is loaded
    # and no rule runs. --fix rewrites files, so it always works from scratch.
    key, files_now = "", b""
    if store.active and not fix:
        key = store.key(
            b"check",
            os.getcwd().encode(),
            "\0".join(str(p) for p in paths).encode(),
            f"{select}\0{ignore}".encode(),
        )
        files_now = inventory.fingerprint(_check_roots(current, paths), cache.digest)
    hit = _cached_check(store.result(key, files_now)) if key else None
    if hit is not None:
        diagnostics, files = hit
    else:
        diagnostics, files = _check(current, paths, select, ignore, fix, store)
        if key:
            store.keep_result(key, files_now, [[to_data(d) for d in diagnostics], files])
    if output_format is None:
        output_format = "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    report.FORMATTERS[output_format](diagnostics, files, sys.stdout)
    failing = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
    failed = any(d.severity in failing for d in diagnostics)
    sys.exit(EXIT_FINDINGS if failed else EXIT_CLEAN)


def _check_roots(current: settings.Settings, paths: tuple[Path, ...]) -> list[Path]:
    """The folders a check loads: the campaigns folder, and each named path outside it
    (a folder, or a file's folder) as a repository of its own."""
    campaigns = os.path.abspath(current.campaigns)
    roots = [Path(campaigns)]
    for given in paths:
        path = os.path.abspath(given)
        if path == campaigns or path.startswith(campaigns + os.sep):
            continue
        roots.append(Path(path if os.path.isdir(path) else os.path.dirname(path)))
    return roots


def _cached_check(stored: Any) -> tuple[list[Diagnostic], int] | None:
    """A whole-check result as the cache keeps it (plain data), or None."""
    from compiler.diagnostics import from_data

    try:
        found, files = stored
        return [from_data(d) for d in found], int(files)
    except (KeyError, TypeError, ValueError):
        return None


def _check(
    current: settings.Settings,
    paths: tuple[Path, ...],
    select: str | None,
    ignore: str | None,
    fix: bool,
    store: cache.Cache,
) -> tuple[list[Diagnostic], int]:
    from compiler.commands import pipeline
    from compiler.config import settings
    from compiler.lint import fixes

    lint = current.lint.with_overrides(
        settings.check_selectors("--select", select, known_rule) if select else None,
        settings.check_selectors("--ignore", ignore, known_rule) if ignore else None,
    )
    result = pipeline.check(current, paths, lint_settings=lint, cache=store)
    if fix:
        checked = {
            spec.path: spec.digest
            for repo in result.repositories
            for spec in (*repo.specs, *repo.registries)
        }
        try:
            applied = fixes.apply(result.diagnostics, Path(os.getcwd()), checked, current.root)
        except fixes.Conflict as err:
            raise UsageError(str(err)) from None
        if applied:
            result = pipeline.check(current, paths, lint_settings=lint, cache=store)
        _report_fixes(applied, result.diagnostics)
    return result.diagnostics, result.files


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
