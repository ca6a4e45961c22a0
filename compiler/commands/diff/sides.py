"""Both sides of `campc diff` loaded as `campc check` loads them, and the files git saw
moved between them."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from compiler.commands.diff.change import WORKING_TREE, Side
from compiler.commands.diff.git import commit, exported, run_git, toplevel, tree_id
from compiler.diagnostics import Diagnostic
from compiler.errors import UsageError
from compiler.project import repository as project

Loader = Callable[
    [Path, Callable[[Path], str], str | None], tuple[project.Repository, list[Diagnostic]]
]
"""Loads and checks a campaigns folder, shown through a function of its paths; the third
argument, when not None, names the folder's content for good (a revision's tree), so
its findings may be kept under that name."""


def sides(
    cwd: Path, campaigns: Path, base: str, head: str | None, load: Loader
) -> tuple[Side, Side]:
    """Load the base revision and the head (a revision, or the working tree)."""
    top = toplevel(cwd)
    try:
        folder = PurePosixPath(campaigns.resolve().relative_to(top.resolve()).as_posix())
    except ValueError:
        raise UsageError(
            f"the campaigns folder {campaigns} is outside the git repository"
        ) from None
    base_sha = commit(top, base)
    head_sha = commit(top, head) if head is not None else None

    def at(revision: str, sha: str) -> Side:
        tree = tree_id(top, sha, folder)
        name = None if tree is None else f"{folder.as_posix()}\0{tree}"
        with exported(top, sha, folder, "campc-diff-") as (root, links):
            repo, found = load(root, lambda p: (folder / p.relative_to(root)).as_posix(), name)
        return Side(revision, repo, sorted([*found, *(links or [])], key=Diagnostic.sort_key))

    before = at(base, base_sha)
    if head is None or head_sha is None:
        root = campaigns.resolve()
        repo, found = load(root, lambda p: (folder / p.relative_to(root)).as_posix(), None)
        after = Side(WORKING_TREE, repo, found)
    else:
        after = at(head, head_sha)
    after.moves = moves(top, folder, base_sha, head_sha)
    return before, after


def moves(top: Path, folder: PurePosixPath, base: str, head: str | None) -> dict[str, str]:
    """New path -> old path of every file git sees renamed under `folder` from `base` to
    `head` (or to the working tree's tracked files: a `git mv` counts, staged or not)."""
    revisions = [base, head] if head else [base]
    listed = run_git(
        top,
        "--literal-pathspecs",
        "diff",
        "-M",
        "--name-status",
        "-z",
        "--no-color",
        "--no-ext-diff",
        *revisions,
        "--",
        folder.as_posix(),
    )
    fields = [os.fsdecode(f) for f in listed.split(b"\0")]
    found, index = {}, 0
    while index < len(fields) and fields[index]:
        status = fields[index]
        if status.startswith(("R", "C")):
            old, new = fields[index + 1], fields[index + 2]
            if status.startswith("R"):
                found[new] = old
            index += 3
        else:
            index += 2
    return found
