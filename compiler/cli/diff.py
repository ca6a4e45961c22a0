"""`campc diff`."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from compiler.cli.common import cache_notice, errors_exit, project_settings


@click.command()
@click.argument("base")
@click.argument("head", required=False)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["markdown", "json"]),
    default="markdown",
    show_default=True,
    help="Markdown for people (and job summaries), JSON for tools.",
)
@click.option("--no-cache", is_flag=True, help="Neither read nor write .campc_cache/.")
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The date the experiments' lock is judged on [default: HEAD's commit date "
    "(the working tree: HEAD's), never the clock].",
)
@errors_exit
def diff(
    base: str, head: str | None, output_format: str, no_cache: bool, as_of: datetime | None
) -> None:
    """What a change means: specs, budget, calendar, sends, sequences, experiments,
    scoring and findings, from BASE to HEAD (a revision; default: the working tree).

    With GITHUB_STEP_SUMMARY set, the Markdown is also appended to the job summary.
    Both sides are checked through the project's cache: a file either side holds as a
    check last read it is not validated again, nor are its spec-scoped rules rerun.
    """
    from compiler.commands import pipeline
    from compiler.commands.diff import compare, git, output, sides

    current = project_settings()
    here = Path(os.getcwd())
    top = git.toplevel(here)
    store = pipeline.open_cache(current, enabled=not no_cache)
    cache_notice(store)

    def load(root: Path, display: Callable[[Path], str], content: str | None) -> Any:
        def project(shown: str) -> str:
            return pipeline.display_path(top / shown, current.root)

        # a revision's findings are kept under its tree (and where its paths are shown)
        named = None if content is None else f"{top}\0{current.root}\0{content}"
        return pipeline.load_checked(current, root, display, project, store, named)

    before, after = sides.sides(here, current.campaigns, base, head, load)
    store.flush()
    from compiler.commands.lock import commit_date

    # the lock is judged on the head commit's date (the working tree: HEAD's), never the clock
    when = as_of.date() if as_of is not None else commit_date(top, head or "HEAD")
    change = compare.compare(before, after, when)
    store.flush()  # the plans the comparison worked out (`Repository.kept`)
    text = output.markdown(change)
    click.echo(output.as_json(change) if output_format == "json" else text, nl=False)
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as handle:
            handle.write(text + "\n")
