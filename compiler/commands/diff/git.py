"""The git side of `campc diff`: revisions resolved and exported from git's tree (modes
from `git ls-tree`, contents from `git cat-file --batch`; a committed link is a finding,
never written out)."""

from __future__ import annotations

import errno
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from compiler.diagnostics import Diagnostic
from compiler.errors import UsageError
from compiler.load import repository


def run_git(top: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=top, capture_output=True, check=False)
    except FileNotFoundError:
        raise UsageError("campc diff needs git on PATH") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        command = next((a for a in args if not a.startswith("-")), "")
        raise UsageError(f"git {command} failed: {message[-1] if message else done.returncode}")
    return done.stdout


def toplevel(cwd: Path) -> Path:
    """The root of the git work tree holding `cwd`."""
    try:
        return Path(run_git(cwd, "rev-parse", "--show-toplevel").decode().strip())
    except UsageError:
        raise UsageError(f"{cwd} is not inside a git repository") from None


def commit(top: Path, revision: str) -> str:
    """The commit a revision names; a clear error when it is not in this clone."""
    if revision.startswith("-"):
        raise UsageError(f"`{revision}` is not a revision")
    try:
        return (
            run_git(top, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
            .decode()
            .strip()
        )
    except UsageError:
        raise UsageError(
            f"unknown revision `{revision}`: on a shallow clone fetch it first "
            f"(git fetch --depth=1 origin {revision})"
        ) from None


def tree_id(top: Path, sha: str, folder: PurePosixPath) -> str | None:
    """The id of the git tree `folder` is at commit `sha` (None when it has none): the
    digest of every file below it, names and modes included."""
    spec = f"{sha}^{{tree}}" if folder == PurePosixPath(".") else f"{sha}:{folder.as_posix()}"
    try:
        found = run_git(top, "--literal-pathspecs", "rev-parse", "--verify", "--quiet", spec)
    except UsageError:
        return None
    text = found.decode("ascii", "replace").strip()
    return text if re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", text) else None


MEMORY = Path("/dev/shm")
"""An in-memory filesystem (Linux): creating a thousand small files there takes
milliseconds, where a journaled disk can take most of a second."""

ROOM = 4
"""How many times the revision's bytes the memory filesystem must have free to be used
(what another process writes there meanwhile must not fill it under the export)."""


@contextmanager
def exported(
    top: Path, sha: str, folder: PurePosixPath, prefix: str
) -> Iterator[tuple[Path, list[Diagnostic] | None]]:
    """The campaigns folder as it was at `sha`, written to a private temporary folder
    (mode 0700, removed afterwards): yields where it is, and None if it did not exist
    then, else a FILE001 finding for each symbolic link it held.

    The tree is read with `ls-tree` and its blobs with `cat-file`, not `git archive`:
    the file modes come straight from git, so a link (to `/proc/self/environ`, to
    `../../secret`) is reported and never written, let alone followed, and the
    revision's own `.gitattributes` cannot leave files out (`export-ignore`) or rewrite
    them (`export-subst`). Submodules have no files here and are skipped. The folder is
    on the memory filesystem when it has room, else in the system's temporary folder.
    """
    found, written = _tree(top, sha, folder)
    needed = sum(len(content) for _, content in written) * ROOM
    scratch = Path(tempfile.mkdtemp(prefix=prefix, dir=MEMORY if _room(needed) else None))
    try:
        try:
            _write(scratch, written)
        except OSError as err:
            if err.errno != errno.ENOSPC or scratch.parent != MEMORY:
                raise
            shutil.rmtree(scratch, ignore_errors=True)
            scratch = Path(tempfile.mkdtemp(prefix=prefix))
            _write(scratch, written)
        root = scratch / folder
        root.mkdir(parents=True, exist_ok=True)
        yield root, found
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _room(needed: int) -> bool:
    """Whether the memory filesystem is there, writable, with `needed` bytes free."""
    try:
        free = os.statvfs(MEMORY)
    except OSError:
        return False
    return os.access(MEMORY, os.W_OK | os.X_OK) and free.f_bavail * free.f_frsize >= needed


def _tree(
    top: Path, sha: str, folder: PurePosixPath
) -> tuple[list[Diagnostic] | None, list[tuple[str, bytes]]]:
    """The findings of `exported` (None: no such folder) and the regular files to write."""
    listed = run_git(
        top,
        "--literal-pathspecs",
        "ls-tree",
        "-r",
        "-z",
        "--full-tree",
        sha,
        "--",
        folder.as_posix(),
    )
    records = [record for record in listed.split(b"\0") if record]
    if not records:
        return None, []
    found = []
    blobs: list[tuple[str, str]] = []
    for record in records:
        meta, _, raw = record.partition(b"\t")
        mode, kind, object_id = meta.decode("ascii").split(" ")
        name = os.fsdecode(raw)
        if mode == "120000":
            found.append(repository.refusal(name, "a symbolic link"))
        elif kind != "blob":
            continue
        elif not _inside(name, folder):
            found.append(repository.refusal(name, "outside the campaigns folder"))
        else:
            blobs.append((name, object_id))
    contents = _blobs(top, [i for _, i in blobs])
    return found, list(zip((name for name, _ in blobs), contents, strict=True))


def _write(into: Path, written: list[tuple[str, bytes]]) -> None:
    """Create each file below `into` (campc's own new folder), never through a link:
    its folders once each, then one `open` and one `write` per file."""
    made: set[str] = set()
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    for name, content in written:
        parent = name.rpartition("/")[0]
        if parent and parent not in made:
            (into / parent).mkdir(parents=True, exist_ok=True)
            made.add(parent)
        handle = os.open(into / name, flags, 0o600)
        try:
            view = memoryview(content)
            while view:
                view = view[os.write(handle, view) :]
        finally:
            os.close(handle)


def _inside(name: str, folder: PurePosixPath) -> bool:
    """Whether a tree entry's path is a plain relative path below `folder` (git refuses
    others, but a crafted tree object could still hold `..` or an absolute path)."""
    path = PurePosixPath(name)
    parts = name.split("/")
    below = folder == PurePosixPath(".") or path.is_relative_to(folder)
    return below and not path.is_absolute() and all(p not in ("", ".", "..") for p in parts)


def _blobs(top: Path, object_ids: list[str]) -> list[bytes]:
    """The contents of these blobs, in order, from one `git cat-file --batch` (its
    output buffered: it flushes after every object otherwise)."""
    if not object_ids:
        return []
    try:
        done = subprocess.run(
            ["git", "cat-file", "--batch", "--buffer"],
            cwd=top,
            input="".join(f"{i}\n" for i in object_ids).encode("ascii"),
            capture_output=True,
            check=False,
        )
    except FileNotFoundError:
        raise UsageError("campc diff needs git on PATH") from None
    if done.returncode != 0:
        raise UsageError("git cat-file failed: the revision's files could not be read")
    output, position, contents = done.stdout, 0, []
    for _ in object_ids:
        end = output.index(b"\n", position)
        header = output[position:end].split(b" ")
        if len(header) != 3 or header[1] != b"blob":
            raise UsageError(f"git cat-file failed: {header[0].decode('ascii', 'replace')}")
        size = int(header[2])
        contents.append(output[end + 1 : end + 1 + size])
        position = end + 1 + size + 1
    return contents
