"""The base revision of `campc check --base REV`: its specs, loaded from git's tree as
`campc diff` loads them (links refused, nothing followed), and the as-of date the
pre-registration lock is judged on (`--as-of`, else the checked commit's date)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path, PurePosixPath

from compiler.cache import Cache
from compiler.commands.diff.git import commit, exported, run_git, toplevel
from compiler.config.settings import Settings
from compiler.errors import UsageError
from compiler.load import repository
from compiler.project.repository import Baseline


def commit_date(top: Path, revision: str = "HEAD") -> date:
    """The UTC date of a commit (its committer's timestamp): what a check of it sees as
    today, on any machine and any day it runs."""
    stamp = run_git(top, "show", "-s", "--format=%ct", commit(top, revision)).decode().strip()
    return datetime.fromtimestamp(int(stamp), UTC).date()


def baseline(settings: Settings, revision: str, as_of: date | None) -> Baseline:
    """The specs of `revision`'s campaigns folder, and the as-of date."""
    top = toplevel(settings.root)
    try:
        folder = PurePosixPath(settings.campaigns.resolve().relative_to(top.resolve()).as_posix())
    except ValueError:
        raise UsageError(
            f"the campaigns folder {settings.campaigns} is outside the git repository"
        ) from None
    sha = commit(top, revision)
    when = as_of if as_of is not None else commit_date(top)
    with exported(top, sha, folder, "campc-base-") as (root, _):
        repo, _ = repository.load(
            root, lambda p: (folder / p.relative_to(root)).as_posix(), settings.policy, Cache.off()
        )
    return Baseline(revision, repo, when)
