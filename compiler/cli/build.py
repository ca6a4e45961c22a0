"""`campc build`."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from compiler.cli.common import EXIT_FINDINGS, cache_notice, echo, errors_exit, project_settings

if TYPE_CHECKING:
    pass


@click.command()
@click.option(
    "--out", type=click.Path(path_type=Path), help="Outputs folder (default: configured)."
)
@click.option(
    "--check", "check_only", is_flag=True, help="Write nothing; exit 1 if outputs are stale."
)
@click.option("--no-cache", is_flag=True, help="Neither read nor write .campc_cache/.")
@errors_exit
def build(out: Path | None, check_only: bool, no_cache: bool) -> None:
    """Check the specs, then compile every artifact into the outputs folder."""
    from compiler.commands import pipeline
    from compiler.report import formats as report

    current = project_settings()
    store = pipeline.open_cache(current, enabled=not no_cache)
    cache_notice(store)
    progress = _progress()
    try:
        result = pipeline.build(
            current, out=out, check_only=check_only, progress=progress, cache=store
        )
    finally:
        if progress is not None:
            progress.stop()
    for done in result.repaired:
        echo(f"campc: note: {done}", err=True)
    if result.check.failed:
        report.FORMATTERS["text"](result.check.diagnostics, result.check.files, sys.stdout)
        click.echo("campc: build stopped by errors; nothing was written", err=True)
        sys.exit(EXIT_FINDINGS)
    changes = result.changes
    assert changes is not None
    assert result.out is not None
    folder = pipeline.display_path(result.out, Path(os.getcwd()))
    if check_only:
        if not changes:
            echo(f"{folder}/ is up to date ({len(result.artifacts)} files).")
            return
        for label, paths in (
            ("stale", changes.stale),
            ("missing", changes.missing),
            ("extra", changes.extra),
        ):
            for path in paths:
                refused = changes.refused.get(path)
                why = f" (FILE001: {refused}, never read)" if refused else ""
                echo(f"{label}: {folder}/{path}{why}")
                if path in changes.diffs:
                    echo(changes.diffs[path])
        echo(f"{folder}/ is out of date: run `campc build` and commit it.", err=True)
        sys.exit(EXIT_FINDINGS)
    count = len(changes.stale) + len(changes.missing) + len(changes.extra)
    if count:
        echo(f"Wrote {len(result.artifacts)} files to {folder}/ ({count} changed).")
    else:
        echo(f"{folder}/ is up to date ({len(result.artifacts)} files).")


class _Progress:
    """A spinner naming the back-end at work, on a terminal outside CI only."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.status import Status

        self.status = Status("checking", console=Console(stderr=True))
        self.status.start()

    def __call__(self, name: str) -> None:
        self.status.update(f"compiling {name}")

    def stop(self) -> None:
        self.status.stop()


def _progress() -> _Progress | None:
    from rich.console import Console

    if os.environ.get("CI") or not Console(stderr=True).is_terminal:
        return None
    return _Progress()
