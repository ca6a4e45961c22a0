"""`campc init and new`."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from compiler.cli.common import EXIT_USAGE, echo, errors_exit, project_settings
from compiler.errors import UsageError
from compiler.model.names import DOMAINS, SPEC_KINDS

if TYPE_CHECKING:
    pass


@click.command()
@click.argument("kind", type=click.Choice(SPEC_KINDS))
@click.argument("spec_id", metavar="ID")
@click.option("--domain", type=click.Choice(DOMAINS))
@click.option("--owner", default="@marketing-ops", show_default=True)
@errors_exit
def new(kind: str, spec_id: str, domain: str | None, owner: str) -> None:
    """Write a spec skeleton with its schema modeline into the right domain folder."""
    from compiler.commands import pipeline, scaffold
    from compiler.config import discovery

    if discovery.find_pyproject(Path(os.getcwd())) is None:
        raise UsageError(
            "no campc project here (no pyproject.toml with [tool.campc] in this folder or "
            "above): run `campc init DIR` first, or cd into the project"
        )
    try:
        current = project_settings()
        path = scaffold.new_spec(current.campaigns, kind, spec_id, domain, owner, current.root)
    except scaffold.ScaffoldError as err:
        echo(f"campc: error: {err}", err=True)
        sys.exit(EXIT_USAGE)
    echo(f"wrote {pipeline.display_path(path, Path(os.getcwd()))}")


@click.command()
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False))
@click.option("--owner", default="@marketing-ops", show_default=True)
@errors_exit
def init(folder: Path, owner: str) -> None:
    """Start a campaigns repository: config, conventions and one spec of each kind."""
    from compiler.commands import scaffold

    try:
        written = scaffold.init(folder, owner)
    except scaffold.ScaffoldError as err:
        echo(f"campc: error: {err}", err=True)
        sys.exit(EXIT_USAGE)
    for path in written:
        echo(f"wrote {path}")
    echo(f"next: cd {folder} && campc check && campc build")
