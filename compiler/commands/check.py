"""`campc check` as one function: the whole result from the cache when nothing it depends
on changed (no model is loaded and no rule runs), else the pipeline, with `--fix`.

Light on purpose: the cached path imports only the cache, the inventory and the
findings; the pipeline (pydantic, the rules) is imported when a check really runs."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from compiler import cache
from compiler.config import discovery
from compiler.diagnostics import Diagnostic, from_data, to_data
from compiler.errors import UsageError
from compiler.load import inventory

if TYPE_CHECKING:
    from compiler.lint import fixes


@dataclass
class Checked:
    """What a check found, how many files it read, and what `--fix` rewrote."""

    diagnostics: list[Diagnostic]
    files: int
    applied: list[fixes.Applied] = field(default_factory=list)


def check(
    current: discovery.Project,
    paths: tuple[Path, ...],
    select: str | None,
    ignore: str | None,
    fix: bool,
    store: cache.Cache,
    known: discovery.Known,
    base: str | None = None,
    as_of: date | None = None,
) -> Checked:
    """Check `paths` (the campaigns folder when none): from the cache when it holds the
    result for these files and options; `--fix` rewrites files, so it always runs. With
    `base`, started experiments are compared with that revision (the lock)."""
    key, files_now, snapshot = "", b"", None
    if store.active and not fix and base is None:  # a base's files are in git, not here
        key = store.key(
            b"check",
            os.getcwd().encode(),
            "\0".join(str(p) for p in paths).encode(),
            f"{select}\0{ignore}".encode(),
        )
        snapshot = inventory.Snapshot()
        files_now = inventory.fingerprint(roots(current, paths), cache.digest, snapshot)
        hit = _cached(store.result(key, files_now))
        if hit is not None:
            return hit
    checked = _run(current, paths, select, ignore, fix, store, known, snapshot, base, as_of)
    if key:
        stored = [[to_data(d) for d in checked.diagnostics], checked.files]
        store.keep_result(key, files_now, stored)
    return checked


def roots(current: discovery.Project, paths: tuple[Path, ...]) -> list[Path]:
    """The folders a check loads: the campaigns folder, and each named path outside it
    (a folder, or a file's folder) as a repository of its own."""
    campaigns = os.path.abspath(current.campaigns)
    found = [Path(campaigns)]
    for given in paths:
        path = os.path.abspath(given)
        if path == campaigns or path.startswith(campaigns + os.sep):
            continue
        found.append(Path(path if os.path.isdir(path) else os.path.dirname(path)))
    return found


def _cached(stored: Any) -> Checked | None:
    """A whole-check result as the cache keeps it (plain data), or None."""
    try:
        found, files = stored
        return Checked([from_data(d) for d in found], int(files))
    except (KeyError, TypeError, ValueError):
        return None


def _run(
    project: discovery.Project,
    paths: tuple[Path, ...],
    select: str | None,
    ignore: str | None,
    fix: bool,
    store: cache.Cache,
    known: discovery.Known,
    snapshot: inventory.Snapshot | None = None,
    base: str | None = None,
    as_of: date | None = None,
) -> Checked:
    # the pipeline imports the models and the rules: only when a check really runs
    from compiler.commands import lock, pipeline
    from compiler.config import settings
    from compiler.lint import fixes

    current = settings.validate(project, known)
    lint = current.lint.with_overrides(
        settings.check_selectors("--select", select, known) if select else None,
        settings.check_selectors("--ignore", ignore, known) if ignore else None,
    )
    baseline = lock.baseline(current, base, as_of) if base is not None else None
    result = pipeline.check(
        current,
        paths,
        lint_settings=lint,
        cache=store,
        snapshot=snapshot,
        base=baseline,
        spread=True,
    )
    applied: list[fixes.Applied] = []
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
            result = pipeline.check(
                current, paths, lint_settings=lint, cache=store, base=baseline, spread=True
            )
    return Checked(result.diagnostics, result.files, applied)
