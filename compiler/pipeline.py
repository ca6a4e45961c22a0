"""The whole run as one readable function per command: load -> validate -> lint."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from compiler import repository
from compiler.diagnostics import Diagnostic
from compiler.rules import RULES
from compiler.settings import Settings


class UsageError(Exception):
    """The user asked for something that cannot be done (exit 2)."""


class InternalError(Exception):
    """A bug in campc itself (exit 2)."""


@dataclass
class CheckResult:
    """What `campc check` found."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: int = 0


def display_path(path: Path, cwd: Path) -> str:
    """A path as findings show it: relative to the working directory when below it."""
    try:
        return path.resolve().relative_to(cwd.resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def _targets(settings: Settings, paths: Sequence[Path]) -> dict[Path, set[Path] | None]:
    """Campaign folders to load, each with the files to report on (None: all)."""
    if not paths:
        if not settings.campaigns.is_dir():
            raise UsageError(f"no campaigns folder at {settings.campaigns}")
        return {settings.campaigns.resolve(): None}
    campaigns = settings.campaigns.resolve()
    targets: dict[Path, set[Path] | None] = {}
    for given in paths:
        path = given.resolve()
        if not path.exists():
            raise UsageError(f"{given}: no such file or folder")
        if path.is_dir():
            targets[path] = None
            continue
        root = campaigns if path.is_relative_to(campaigns) else path.parent
        if root in targets and targets[root] is None:
            continue
        targets.setdefault(root, set()).add(path)  # type: ignore[union-attr]
    return targets


def lint(repo: repository.Repository) -> list[Diagnostic]:
    """Run every registered rule over a loaded repository."""
    found: list[Diagnostic] = []
    for rule in RULES.values():
        if rule.check is None:
            continue
        try:
            found.extend(rule.check(repo))
        except Exception as err:  # a crashing rule is our bug, not the user's
            raise InternalError(f"rule {rule.code} ({rule.name}) failed: {err!r}") from err
    return found


def check(settings: Settings, paths: Sequence[Path] = (), cwd: Path | None = None) -> CheckResult:
    """Load, validate and lint; findings sorted by path and position."""
    here = cwd or Path(os.getcwd())
    result = CheckResult()
    for root, only in _targets(settings, paths).items():
        repo, problems = repository.load(root, lambda p: display_path(p, here))
        found = problems + lint(repo)
        if only is not None:
            shown = {display_path(p, here) for p in only}
            found = [d for d in found if d.path in shown]
            result.files += len(shown)
        else:
            result.files += repo.files_read
        result.diagnostics.extend(found)
    result.diagnostics.sort(key=Diagnostic.sort_key)
    return result
