"""The only module that touches the outputs folder: atomic swap on build, comparison on --check.

A build writes every artifact into `.<outputs>.new` beside the outputs folder, then swaps
the two folders in one step (Linux's `renameat2(RENAME_EXCHANGE)`), so at every instant
`outputs/` is there and complete: the old version or the new one. Where the filesystem
cannot exchange, the swap is two renames through `.<outputs>.old`; a run killed between
them leaves the old version there, which the next run puts back before anything else
(`repair`). Builds of one project take a lock on the outputs folder's parent, so two at
once never meet half-way. Nothing is ever followed through a link: the outputs folder
may not be one (`check_target`), committed artifacts are read with `compiler.files`, and
leftovers are removed as what they are (a link is unlinked, never descended).
"""

from __future__ import annotations

import contextlib
import ctypes
import difflib
import errno
import fcntl
import os
import re
import shutil
import signal
import stat
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from compiler import files
from compiler.backends.artifacts import Artifact
from compiler.cache import FOLDER as CACHE_FOLDER

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
KILL_AT = "CAMPC_TEST_KILL_AT"
"""Test hook: the name of a swap step after which the process kills itself (SIGKILL)."""
NO_EXCHANGE = "CAMPC_TEST_NO_EXCHANGE"
"""Test hook: swap with two renames, as on a filesystem that cannot exchange folders."""


class UnsafeTarget(Exception):
    """The outputs folder is somewhere campc must not write (exit 2)."""


Record = dict[str, list[Any]]
"""Path -> [device, inode, size, modification time, digest of the bytes]: a file of the
outputs as a `compare` found it holding the bytes of that digest."""


@dataclass
class Changes:
    """How the outputs folder differs from what the specs compile to."""

    stale: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)
    """Committed paths that are links, FIFOs, devices or sockets: never read (FILE001)."""
    diffs: dict[str, str] = field(default_factory=dict)
    same: dict[str, files.Stamp] = field(default_factory=dict)
    """The stamp of each file found to hold its artifact's bytes, last changed well
    before it was read: `write` links it into the new outputs without reading it again
    while its stamp is the same."""
    record: Record = field(default_factory=dict)
    """What the next `compare` may take on trust: each file found to hold its artifact's
    bytes, last written well before it was read."""

    def __bool__(self) -> bool:
        return bool(self.stale or self.missing or self.extra)


def _lexical(path: Path) -> Path:
    return Path(os.path.normpath(os.path.abspath(path)))


def _within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check_target(
    folder: Path,
    root: Path,
    protected: Sequence[tuple[str, Path]],
    setting: str,
    inside: bool = True,
) -> None:
    """UnsafeTarget unless `folder` may be replaced by a build: a real folder (no link on
    the way from `root` when it is below `root`), not `root`, and neither one of the
    `protected` folders (name, path), nor inside `.git`, nor an ancestor of any of them.
    Compared both as written and with links resolved. `setting` names where it came from;
    `inside` requires the folder to be below `root` (a configured folder must be; one
    given on the command line may be anywhere)."""
    here, top = _lexical(folder), _lexical(root)
    if _within(here, top):
        walked = top
        for part in here.relative_to(top).parts:
            walked = walked / part
            try:
                mode = os.lstat(walked).st_mode
            except FileNotFoundError:
                break
            if stat.S_ISLNK(mode):
                raise UnsafeTarget(
                    f"{setting} = {folder}: {walked} is a symbolic link; "
                    "campc writes only into a real folder inside the project"
                )
            if not stat.S_ISDIR(mode):
                raise UnsafeTarget(f"{setting} = {folder}: {walked} is {files.describe(mode)}")
    else:
        with contextlib.suppress(FileNotFoundError):
            mode = os.lstat(here).st_mode
            if not stat.S_ISDIR(mode):
                raise UnsafeTarget(f"{setting} = {folder} is {files.describe(mode)}")
    guarded = [("the project root", top), *((name, _lexical(p)) for name, p in protected)]
    real = Path(os.path.realpath(here))
    for name, path in guarded:
        for candidate, target in ((here, path), (real, Path(os.path.realpath(path)))):
            if _within(target, candidate):
                raise UnsafeTarget(
                    f"{setting} = {folder} would replace {name} ({path}): "
                    "choose a folder of its own, such as `outputs`"
                )
    for git in (top / ".git", Path(os.path.realpath(top / ".git"))):
        if _within(here, git) or _within(real, git):
            raise UnsafeTarget(f"{setting} = {folder} is inside .git")
    for kept in (top / CACHE_FOLDER, Path(os.path.realpath(top / CACHE_FOLDER))):
        if _within(here, kept) or _within(real, kept):
            raise UnsafeTarget(
                f"{setting} = {folder} is inside campc's cache ({CACHE_FOLDER}/), "
                "whose entries and spare outputs a build replaces"
            )
    if inside and top not in here.parents:
        raise UnsafeTarget(f"{setting} = {folder} is not a folder inside the project ({top})")


def _existing(folder: Path, changes: Changes) -> dict[str, Path]:
    found: dict[str, Path] = {}
    try:
        if not stat.S_ISDIR(os.lstat(folder).st_mode):
            return found
    except FileNotFoundError:
        return found
    base = os.path.join(os.fspath(folder), "")  # scan joins each name to `folder`
    for entry in files.scan(folder):
        text = os.fspath(entry.path)
        if text.startswith(base):
            name = text[len(base) :]
        else:
            name = entry.path.relative_to(folder).as_posix()
        if entry.refused is None:
            found[name] = entry.path
        else:
            changes.refused[name] = entry.refused
    return found


_RACY_NS = 1_000_000_000
"""How long before `compare` reads a file its last change must be for its stamp to
vouch for its bytes. File times advance in clock ticks (milliseconds; seconds on some
file systems), so a file rewritten within the tick it was read in could keep its
stamp: such a file is read again (Git treats its index the same way)."""
_DIFF_WINDOW = 400
"""Lines of each side a short diff compares past the first difference: a short diff
shows 20 lines, and difflib on a whole large page (the site's front page) is slow."""
_HUNK = re.compile(r"^@@ -(\d+)(,\d+)? \+(\d+)(,\d+)? @@")


_LARGE = 1 << 20
"""Bytes (both files together) from which a short diff reads only the part of each file
its window needs: splitting a 20 MB manifest into lines took most of a second."""
_BLOCK = 1 << 16
_OTHER_BREAKS = re.compile(rb"[\r\x0b\x0c\x1c-\x1e]|\xc2\x85|\xe2\x80[\xa8\xa9]")
"""What `str.splitlines` breaks lines at besides a newline (in UTF-8)."""


def _short_diff(path: str, old: bytes, new: bytes, limit: int = 20, large: int = _LARGE) -> str:
    """A unified diff (one line of context) of the first `limit` diff lines, numbered as
    in the whole files; files of more than 2 x `_DIFF_WINDOW` lines are compared in a
    window from the line before their first difference (files of more than `large`
    bytes are not even split into lines past that window)."""
    skipped, whole, truncated = 0, (old, new), False
    windowed = len(old) + len(new) > large and old.count(b"\n") + new.count(b"\n") > (
        2 * _DIFF_WINDOW
    )
    try:
        if windowed:
            old.decode("utf-8"), new.decode("utf-8")  # a file that is not text has no diff
            skipped, old, new, truncated = _from_first_difference(old, new)
        before = old.decode("utf-8").splitlines()
        after = new.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        return ""
    start, cut = 0, False
    if windowed or len(before) + len(after) > 2 * _DIFF_WINDOW:  # a window from the change
        same = 0
        while same < min(len(before), len(after)) and before[same] == after[same]:
            same += 1
        start = max(same - 1, 0)  # one line of context, as n=1 shows
        if truncated and start + _DIFF_WINDOW >= min(len(before), len(after)):
            # files that differ only in how lines end (CRLF or not): the lines are alike
            # past the cut, so compare the whole files after all
            return _short_diff(path, *whole, limit=limit, large=len(whole[0]) + len(whole[1]))
        cut = max(len(before), len(after)) > start + _DIFF_WINDOW
        before = before[start : start + _DIFF_WINDOW]
        after = after[start : start + _DIFF_WINDOW]
    lines = [
        _shifted(line, skipped + start)
        for line in difflib.unified_diff(
            before, after, f"{path} (committed)", f"{path} (built)", lineterm="", n=1
        )
    ]
    if len(lines) > limit:
        lines = [*lines[:limit], f"... {len(lines) - limit} more diff lines"]
    if cut:
        lines.append(f"... (compared {_DIFF_WINDOW} lines from the first change)")
    return "\n".join(lines)


def _from_first_difference(old: bytes, new: bytes) -> tuple[int, bytes, bytes, bool]:
    """The lines both files share before the line ahead of their first difference (how
    many, as `str.splitlines` counts them), and what is left of each file from there,
    cut after `_DIFF_WINDOW` + 2 newlines more (and whether either was cut): all the
    window of `_short_diff` reads.
    Both cuts fall just after a newline, where `splitlines` always breaks a line, so the
    lines are those of the whole files."""
    first = 0
    shortest = min(len(old), len(new))
    while first < shortest and old[first : first + _BLOCK] == new[first : first + _BLOCK]:
        first += _BLOCK
    while first < shortest and old[first] == new[first]:
        first += 1
    ahead = old.rfind(b"\n", 0, first)  # the end of the last line both hold whole
    begin = old.rfind(b"\n", 0, ahead) + 1 if ahead > 0 else 0
    shared = old[:begin]
    if _OTHER_BREAKS.search(shared) is None:
        skipped = shared.count(b"\n")
    else:
        skipped = len(shared.decode("utf-8", "replace").splitlines())
    was, now = _lines_after(old, begin, first), _lines_after(new, begin, first)
    return skipped, was, now, len(was) < len(old) - begin or len(now) < len(new) - begin


def _lines_after(data: bytes, begin: int, first: int) -> bytes:
    """`data` from `begin` to just after the `_DIFF_WINDOW` + 2nd newline past `first`."""
    end = first
    for _ in range(_DIFF_WINDOW + 2):
        end = data.find(b"\n", end) + 1
        if end == 0:
            return data[begin:]
    return data[begin:end]


def _shifted(line: str, offset: int) -> str:
    """A hunk header of a diff of lines from `offset` on, numbered as in the whole file."""
    match = _HUNK.match(line) if offset else None
    if match is None:
        return line
    old, old_count, new, new_count = match.groups()
    return (
        f"@@ -{int(old) + offset}{old_count or ''} +{int(new) + offset}{new_count or ''} @@"
        + line[match.end() :]
    )


def compare(
    folder: Path, artifacts: Iterable[Artifact], diffs: bool = True, record: Record | None = None
) -> Changes:
    """What `write` would change, without writing anything (nor following a link); with
    `diffs`, a short diff of each stale file (what `build --check` shows).

    `record` is the `Changes.record` of an earlier comparison of this folder (kept in
    the cache, which signs it): a file it lists that is still the same file (device and
    inode), of the same size and modification time, is taken to hold the bytes it held
    then, and is not read (as make, Ninja and Git take a file whose time has not moved).
    A file written since, in place or anew, has another time, unless a process set it
    back on purpose; a build without the cache reads every file."""
    built = {a.path: a for a in artifacts}
    changes = Changes()
    settled = time.time_ns() - _RACY_NS
    existing = _existing(folder, changes)
    known = record or {}
    with files.Reader(folder) as reader:
        for path, artifact in sorted(built.items()):
            content = artifact.content
            if path in changes.refused:
                changes.stale.append(path)
                continue
            if path not in existing:
                changes.missing.append(path)
                continue
            try:
                parts = safe_parts(path)  # the scan's own names, below the folder
                held = reader.stamp_of(existing[path], parts)
                entry = known.get(path)
                digest = artifact.sha256 if entry is not None else None
                if entry is not None and entry[:4] == list(held[:4]) and entry[4] == digest:
                    current = content
                else:
                    current, held = reader.read_stated(existing[path], parts=parts)
            except files.NotRegular as err:
                changes.refused[path] = err.what
                changes.stale.append(path)
                continue
            if current == content:
                if held[4] < settled:
                    changes.same[path] = held
                if held[3] < settled:
                    changes.record[path] = [*held[:4], digest or artifact.sha256]
            else:
                changes.stale.append(path)
                diff = _short_diff(path, current, content) if diffs else ""
                if diff:
                    changes.diffs[path] = diff
    changes.extra = sorted((set(existing) | set(changes.refused)) - set(built))
    return changes


def read_record(stored: Any) -> Record | None:
    """A `Record` as the cache keeps it, or None when it is not one."""
    if not isinstance(stored, dict):
        return None
    for entry in stored.values():
        if not (
            isinstance(entry, list)
            and len(entry) == 5
            and all(isinstance(n, int) and not isinstance(n, bool) for n in entry[:4])
            and isinstance(entry[4], str)
        ):
            return None
    return stored


def _scratch(folder: Path) -> tuple[Path, Path]:
    """The staging and retired folders beside `folder` (fixed names: a dead run's are
    found again by the next one)."""
    return folder.with_name(f".{folder.name}.new"), folder.with_name(f".{folder.name}.old")


def _step(name: str) -> None:
    """Where the swap's tests inject a kill -9."""
    if os.environ.get(KILL_AT) == name:
        os.kill(os.getpid(), signal.SIGKILL)


@contextlib.contextmanager
def locked(folder: Path) -> Iterator[None]:
    """Hold the build lock of `folder` (an exclusive lock on its parent folder: nothing
    is left behind when the process dies)."""
    parent = folder.parent
    parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


def _remove(path: Path) -> None:
    """Remove a leftover as what it is: a link or file is unlinked, a folder removed
    without following any link inside it (`_remove_at` in its folder)."""
    parent = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        _remove_at(parent, path.name)
    finally:
        os.close(parent)


def _is_folder(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except FileNotFoundError:
        return False


def repair(folder: Path) -> list[str]:
    """Finish or undo a swap a dead run left half-done; what was done, in words.
    Call with the lock held."""
    staging, retired = _scratch(folder)
    done = []
    if os.path.lexists(retired):
        if not os.path.lexists(folder) and _is_folder(retired):
            os.rename(retired, folder)
            done.append(f"put back {folder.name}/ from an interrupted build")
        else:
            _remove(retired)
            done.append(f"removed {retired.name} left by an interrupted build")
    if os.path.lexists(staging):
        _remove(staging)
        done.append(f"removed {staging.name} left by an interrupted build")
    older = [
        *folder.parent.glob(f".{folder.name}.new-*"),
        *folder.parent.glob(f".{folder.name}.old-*"),
    ]
    for leftover in sorted(older):
        _remove(leftover)  # the scratch folders of earlier campc versions (random names)
        done.append(f"removed {leftover.name} left by an earlier build")
    return done


def safe_parts(path: str) -> tuple[str, ...]:
    """The parts of an artifact path that stays inside the outputs folder (ValueError
    for one that does not: absolute, `..`, empty parts, backslashes, NUL)."""
    quick = path.split("/")
    if not path.startswith("/") and all(
        p not in ("", ".", "..") and "\\" not in p and "\0" not in p for p in quick
    ):
        return tuple(quick)  # what the checks below make of a clean path, without pathlib
    parts = PurePosixPath(path).parts
    if (
        not parts
        or PurePosixPath(path).is_absolute()
        or any(p in ("", ".", "..") or "\\" in p or "\0" in p for p in parts)
    ):
        raise ValueError(f"artifact path escapes the outputs folder: {path}")
    return parts


def _stage(
    staging: int,
    artifacts: Iterable[Artifact],
    previous: Path | None = None,
    same: dict[str, files.Stamp] | None = None,
) -> None:
    """Make the folder `staging` hold every artifact and nothing else: a fresh folder, or
    the spare (the outputs before the previous ones, which the last build kept), updated
    in place. A file the previous outputs already hold with the same bytes (read again
    here, under the lock, as a regular file reached without a link, unless `same` has its
    stamp as it is now: `compare` read it) and the mode a new one gets is hard-linked
    instead, or left as it is where the spare holds that very file: creating files is
    most of a build's writing, and most files do not change. Everything in `staging` is
    reached through folder descriptors opened without following a link; what no
    artifact names is removed as what it is (a link unlinked, never followed). `staging`
    is the folder's open descriptor (the caller closes it)."""
    mode = _new_file_mode()
    folder_mode = 0o777 & ~_umask()
    wanted = sorted((safe_parts(a.path), a) for a in artifacts)
    by_parts = dict(wanted)
    needed = {parts[:n] for parts in by_parts for n in range(1, len(parts))}
    top = staging
    held_top = os.fstat(top)
    device = held_top.st_dev
    if stat.S_IMODE(held_top.st_mode) != 0o755 & ~_umask():
        os.fchmod(top, 0o755 & ~_umask())  # what a fresh staging folder gets
    there = _prune(top, (), by_parts, needed, folder_mode)
    with contextlib.ExitStack() as stack:
        reader = None if previous is None else stack.enter_context(files.Reader(previous))
        folders = stack.enter_context(_Folders(top, folder_mode))
        for written, (parts, artifact) in enumerate(wanted, start=1):
            known = None if same is None else same.get(artifact.path)
            into = folders.at(parts[:-1])
            _place(into, parts, artifact, there.get(parts), reader, device, mode, known)
            if written == 1:
                _step("writing")


def _umask() -> int:
    umask = os.umask(0o022)
    os.umask(umask)
    return umask


def _new_file_mode() -> int:
    """The permission bits a file created with 0o644 gets under this process's umask."""
    return 0o644 & ~_umask()


_IN_FOLDER = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def _prune(
    folder: int,
    prefix: tuple[str, ...],
    wanted: dict[tuple[str, ...], Artifact],
    needed: set[tuple[str, ...]],
    folder_mode: int,
) -> dict[tuple[str, ...], int]:
    """Remove from the open `folder` (at `prefix` below the staging folder) everything
    that is neither an artifact's regular file nor a real folder on the way to one, and
    give each regular file left where an artifact goes its inode. A folder kept gets the
    mode a new one would."""
    kept: dict[tuple[str, ...], int] = {}
    with os.scandir(folder) as listing:
        entries = list(listing)
    for entry in entries:
        parts = (*prefix, entry.name)
        if parts in wanted and entry.is_file(follow_symlinks=False):
            kept[parts] = entry.inode()
        elif parts in needed and entry.is_dir(follow_symlinks=False):
            inner = os.open(entry.name, _IN_FOLDER, dir_fd=folder)
            try:
                if stat.S_IMODE(os.fstat(inner).st_mode) != folder_mode:
                    os.fchmod(inner, folder_mode)
                kept.update(_prune(inner, parts, wanted, needed, folder_mode))
            finally:
                os.close(inner)
        elif entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.name, dir_fd=folder)  # never follows a link inside
        else:
            os.unlink(entry.name, dir_fd=folder)
    return kept


class _Folders:
    """The descriptor of each folder below the staging folder, opened (and made where
    missing) without following a link, the folders of one path open at a time: visited
    in sorted order, each is opened once."""

    def __init__(self, top: int, mode: int) -> None:
        self._mode = mode
        self._chain: list[tuple[tuple[str, ...], int]] = [((), top)]

    def __enter__(self) -> _Folders:
        return self

    def __exit__(self, *_: object) -> None:
        while len(self._chain) > 1:
            os.close(self._chain.pop()[1])

    def at(self, parts: tuple[str, ...]) -> int:
        chain = self._chain
        while chain[-1][0] != parts[: len(chain[-1][0])]:
            os.close(chain.pop()[1])
        while len(chain[-1][0]) < len(parts):
            here, descriptor = chain[-1]
            name = parts[len(here)]
            with contextlib.suppress(FileExistsError):
                os.mkdir(name, self._mode, dir_fd=descriptor)
            chain.append(((*here, name), os.open(name, _IN_FOLDER, dir_fd=descriptor)))
        return chain[-1][1]


def _place(
    folder: int,
    parts: tuple[str, ...],
    artifact: Artifact,
    there: int | None,
    previous: files.Reader | None,
    device: int,
    mode: int,
    known: files.Stamp | None,
) -> None:
    """Put `artifact` at `parts` (its name in the open `folder`), where the staging folder
    holds the regular file of inode `there` (None: nothing). The previous outputs' file
    is taken (left in place when it is `there` already, else hard-linked) if it is a
    regular file of the right mode holding the artifact's bytes, with no name but its
    own and, when it is `there`, the staging folder's; else the file is written anew."""
    name = parts[-1]
    if previous is not None:
        source = os.path.join(previous.root, *parts)
        try:
            # the previous outputs' folder as the reader reached it (no link followed):
            # the status, the bytes and the link below all come from that very folder
            where = previous.folder(parts[:-1])
            held = os.stat(name, dir_fd=where, follow_symlinks=False)
        except (OSError, files.NotRegular):
            held = None
        if (
            held is not None
            and stat.S_ISREG(held.st_mode)
            and stat.S_IMODE(held.st_mode) == mode
            and held.st_size == len(artifact.content)
            and held.st_dev == device
        ):
            # the listing's inode, then the file's own (some file systems list others)
            ours = there == held.st_ino and _inode(folder, name) == held.st_ino
            if held.st_nlink == (2 if ours else 1) and _holds(
                previous, source, held, artifact, known
            ):
                if ours:
                    return
                if there is not None:
                    os.unlink(name, dir_fd=folder)
                    there = None
                if _linked(where, folder, name, held):
                    return
    if there is not None:
        os.unlink(name, dir_fd=folder)
    descriptor = os.open(
        name,
        os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
        0o644,
        dir_fd=folder,
    )
    with os.fdopen(descriptor, "wb") as out:
        out.write(artifact.content)


def _inode(folder: int, name: str) -> int | None:
    """The inode of `name` in the open `folder`, as its own status gives it."""
    try:
        return os.lstat(name, dir_fd=folder).st_ino
    except OSError:
        return None


def _holds(
    previous: files.Reader,
    source: str,
    held: os.stat_result,
    artifact: Artifact,
    known: files.Stamp | None,
) -> bool:
    """Whether the previous outputs' file `source`, of status `held`, holds the artifact's
    bytes: its stamp is the one `compare` read them under, or they are read again."""
    if files.stamp(held) == known:
        return True
    try:
        return previous.read_bytes(Path(source)) == artifact.content
    except (OSError, files.NotRegular):
        return False


def _linked(source: int, folder: int, name: str, held: os.stat_result) -> bool:
    """Hard-link `name` of the open folder `source` (of status `held`) as `name` in the
    open `folder`; False (nothing made) when it failed or the file was replaced
    meanwhile."""
    try:
        os.link(name, name, src_dir_fd=source, dst_dir_fd=folder, follow_symlinks=False)
        made = os.lstat(name, dir_fd=folder)
    except OSError:
        return False
    if not stat.S_ISREG(made.st_mode) or made.st_ino != held.st_ino:  # replaced meanwhile
        os.unlink(name, dir_fd=folder)
        return False
    return True


def _exchange(first: int, first_name: str, second: int, second_name: str) -> bool:
    """Swap `first_name` in the open folder `first` with `second_name` in `second` in one
    step; False where the system cannot."""
    if os.environ.get(NO_EXCHANGE):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    result = renameat2(
        first, os.fsencode(first_name), second, os.fsencode(second_name), _RENAME_EXCHANGE
    )
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), second_name)


def _kind_at(folder: int, name: str) -> int | None:
    """The file type bits of `name` in the open `folder` (None: nothing there)."""
    try:
        return stat.S_IFMT(os.lstat(name, dir_fd=folder).st_mode)
    except FileNotFoundError:
        return None


def _remove_at(folder: int, name: str) -> None:
    """`_remove` for `name` in the open `folder`."""
    kind = _kind_at(folder, name)
    if kind == stat.S_IFDIR:
        shutil.rmtree(name, dir_fd=folder)  # never follows a link inside
    elif kind is not None:
        os.unlink(name, dir_fd=folder)


def write(
    folder: Path,
    artifacts: Iterable[Artifact],
    same: dict[str, files.Stamp] | None = None,
    spare: Path | None = None,
) -> list[str]:
    """Write every artifact into a folder beside `folder`, then swap it in; what `repair`
    had to do first. A failure before the swap leaves `folder` untouched; files no
    artifact names are gone. `same` is `Changes.same` of a `compare` just before.

    Without `spare` the folder is a fresh `.<folder>.new`, removed after the swap with
    the previous outputs it then holds. With `spare` (a folder in the cache, on the
    same file system) that is where the artifacts are staged: it holds the outputs
    before the previous ones, kept by the last build, and is brought up to date in
    place (most files are the very files the outputs hold, hard-linked, and stay as
    they are); after the swap it holds the previous outputs, for the next build. A
    spare that cannot be used (another mount, a folder that cannot be changed, a full
    disk) is given up for the fresh folder. Every step is taken through descriptors of
    the outputs' parent and the spare's (opened without following a link), so a
    folder swapped for a link meanwhile is never written through."""
    folder = _lexical(folder)
    chosen = list(artifacts)
    with locked(folder):
        repaired = repair(folder)
        if spare is not None:
            try:
                _swap_in(folder, chosen, same, _lexical(spare))
                return repaired
            except (OSError, RecursionError):  # the outputs are as they were: a fresh
                with contextlib.suppress(OSError, RecursionError):  # folder instead
                    _forget(_lexical(spare))
        _swap_in(folder, chosen, same, None)
    return repaired


def _forget(spare: Path) -> None:
    """Remove a spare that failed, as what it is (a link is unlinked, never followed)."""
    home = os.open(spare.parent, _IN_FOLDER)
    try:
        _remove_at(home, spare.name)
    finally:
        os.close(home)


def _swap_in(
    folder: Path,
    artifacts: list[Artifact],
    same: dict[str, files.Stamp] | None,
    spare: Path | None,
) -> None:
    """Stage `artifacts` (in `spare`, or in a fresh `.<folder>.new`) and swap them in."""
    staging, retired = _scratch(folder)
    parent = os.open(folder.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    home = parent if spare is None else os.open(spare.parent, _IN_FOLDER)
    place = staging.name if spare is None else spare.name
    try:
        if spare is not None:
            _same_mount(home, parent, folder)
            if _kind_at(home, place) not in (stat.S_IFDIR, None):
                _remove_at(home, place)  # a link or a file there is removed, never followed
        if spare is None or _kind_at(home, place) is None:
            os.mkdir(place, 0o755, dir_fd=home)
        try:
            top = os.open(place, _IN_FOLDER, dir_fd=home)
            try:
                previous = folder if _kind_at(parent, folder.name) == stat.S_IFDIR else None
                _stage(top, artifacts, previous, same)
            finally:
                os.close(top)
            _step("staged")
            if _kind_at(parent, folder.name) == stat.S_IFDIR and _exchange(
                home, place, parent, folder.name
            ):
                _step("swapped")
                if spare is None:
                    _remove_at(home, place)  # now the previous outputs
                return
            if _kind_at(parent, folder.name) is not None:
                os.rename(folder.name, retired.name, src_dir_fd=parent, dst_dir_fd=parent)
                _step("retired")
            os.rename(place, folder.name, src_dir_fd=home, dst_dir_fd=parent)
            _step("swapped")
            if spare is not None and _kind_at(parent, retired.name) == stat.S_IFDIR:
                try:  # the previous outputs, kept for the next build
                    os.rename(retired.name, place, src_dir_fd=parent, dst_dir_fd=home)
                except OSError:
                    _remove_at(parent, retired.name)
            else:
                _remove_at(parent, retired.name)
        except BaseException:
            with contextlib.suppress(OSError):
                if _kind_at(parent, folder.name) is None and (
                    _kind_at(parent, retired.name) == stat.S_IFDIR
                ):  # put the previous outputs back
                    os.rename(retired.name, folder.name, src_dir_fd=parent, dst_dir_fd=parent)
            with contextlib.suppress(OSError):
                _remove_at(home, place)
            raise
    finally:
        if home != parent:
            os.close(home)
        os.close(parent)


def _same_mount(home: int, parent: int, folder: Path) -> None:
    """OSError (EXDEV) unless a folder in `home` can be renamed into `parent`: the spare
    and the outputs on one mount (a bind mount of the same disk has the same device but
    is another mount, where links and the swap fail)."""
    probe = f".{folder.name}.new-probe"  # a leftover beside the outputs: `repair` removes it
    with contextlib.suppress(OSError):
        _remove_at(home, probe)  # one a killed run left in the cache
    os.mkdir(probe, 0o700, dir_fd=home)
    try:
        os.rename(probe, probe, src_dir_fd=home, dst_dir_fd=parent)
    except OSError:
        with contextlib.suppress(OSError):
            os.rmdir(probe, dir_fd=home)
        raise
    os.rmdir(probe, dir_fd=parent)
