"""What every command shares: settings from the files named, messages through the log
escaper, errors as one line and an exit code.

Every command imports what it runs inside its own function, never at the top of its
module: `campc --help`, a usage error and a cached check then load click and nothing
heavier (pydantic, rich, the rules); `tests/test_cli.py` and `tests/test_cache.py`
check it."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from compiler.errors import InternalError, SettingsError, UsageError

if TYPE_CHECKING:
    from rich.console import Console

    from compiler import cache
    from compiler.config import discovery, settings
    from compiler.project.repository import Repository

F = TypeVar("F", bound=Callable[..., Any])

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2

CHECK_FORMATS = ("text", "concise", "json", "github", "sarif")
"""`campc check --format` choices (report.FORMATTERS' keys; a test keeps them equal).
Spelled out here so that `campc --help` needs no import beyond click."""


def errors_exit(command: F) -> F:
    """Turn our expected failures into exit 2 with a one-line message, never a traceback."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (SettingsError, UsageError) as err:
            echo(f"campc: error: {err}", err=True)
            sys.exit(EXIT_USAGE)
        except InternalError as err:
            echo(f"campc: internal error: {err}", err=True)
            click.echo("  please report this with the spec that triggers it", err=True)
            sys.exit(EXIT_USAGE)
        except OSError as err:  # disk full, read-only or unwritable folders, a vanished file
            echo(f"campc: error: {os_error(err)}", err=True)
            sys.exit(EXIT_USAGE)
        except (click.exceptions.Exit, click.ClickException, SystemExit, KeyboardInterrupt):
            raise
        except Exception as err:  # a bug of ours: one line, never a traceback
            echo(f"campc: internal error: {err!r}", err=True)
            click.echo("  please report this with the spec that triggers it", err=True)
            sys.exit(EXIT_USAGE)

    return wrapper  # type: ignore[return-value]


def echo(text: str, err: bool = False) -> None:
    """Print a message line by line, each through `escape.log_lines`: a path, an id or a
    file's line in it can never start a GitHub workflow command or carry a control."""
    from compiler.text import escape

    click.echo(escape.log_lines(text), err=err)


def os_error(err: OSError) -> str:
    """An operating-system failure in one line: what, and on which file."""
    what = err.strerror or str(err)
    where = err.filename if err.filename is not None else ""
    return f"{where}: {what}" if where else what


def make_console() -> Console:
    """Standard output: rich on a terminal, plain and unwrapped when piped."""
    from rich.console import Console

    console = Console(highlight=False, markup=False, emoji=False)
    if not console.is_terminal:
        console = Console(highlight=False, markup=False, emoji=False, width=10_000)
    return console


def known_rule(selector: str) -> bool:
    """Whether a selector names a rule (the registry imports every rule: only when a
    configuration or an option names one)."""
    from compiler.rules import selects

    return selects(selector)


def project(paths: tuple[Path, ...] = ()) -> discovery.Project:
    """The project of the paths named (all in one project: the nearest `[tool.campc]`
    above them), or of the working directory when none is named; its policies are not
    validated yet (a cached check needs only its folders)."""
    from compiler.config import discovery

    if not paths:
        return discovery.locate(Path(os.getcwd()))
    configs: set[Path | None] = set()
    for given in paths:
        path = Path(os.path.abspath(given))
        configs.add(discovery.find_pyproject(path if path.is_dir() else path.parent))
    if len(configs) > 1:
        named = ", ".join(sorted(str(p.parent) if p else "(no project)" for p in configs))
        raise UsageError(f"the paths belong to different projects ({named}): check each apart")
    (config,) = configs
    return discovery.locate(config.parent if config is not None else Path(os.getcwd()))


def project_settings(paths: tuple[Path, ...] = ()) -> settings.Settings:
    """The settings of `project(paths)`, validated."""
    from compiler.config import settings

    return settings.validate(project(paths), known_rule)


S = TypeVar("S")


def checked_spec(kind: type[S], ref: str, what: str, doing: str) -> S:
    """The spec of class `kind` named by id or path, once the repository checks without
    errors (exit 1 with the errors, or exit 2 when nothing has that name)."""
    return checked_spec_in(kind, ref, what, doing)[0]


def checked_spec_in(kind: type[S], ref: str, what: str, doing: str) -> tuple[S, Repository]:
    """`checked_spec`, with the repository that holds it."""
    from compiler.commands import pipeline
    from compiler.report import formats as report

    current = project_settings()
    store = pipeline.open_cache(current)
    cache_notice(store)
    # the cache `campc check` keeps: a repository checked before loads and lints from it
    result = pipeline.check(current, cache=store)
    if result.failed:
        report.FORMATTERS["text"](result.check_errors(), result.files, sys.stderr)
        echo(f"campc: the specs have errors; fix them before {doing}", err=True)
        sys.exit(EXIT_FINDINGS)
    repo = result.repositories[0]
    for spec in repo.specs:
        if isinstance(spec.model, kind) and ref in (
            spec.doc.data["id"],
            spec.path,
            str(repo.root / spec.rel),
        ):
            return spec.model, repo
    echo(f"campc: error: no {what} `{ref}`", err=True)
    sys.exit(EXIT_USAGE)


def cache_notice(store: cache.Cache) -> None:
    """Say once why the cache is off, when there is something the user should know."""
    if store.notice:
        echo(f"campc: note: {store.notice}", err=True)
