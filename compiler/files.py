"""The one way campc reads a project's files: regular files inside the root, never
through a link.

A pull request can commit a symbolic link where a spec, a template or a committed
artifact should be (to `/proc/self/environ`, to `~/.ssh/id_rsa`, to `../../secret`),
or CI can leave a FIFO or a device there. Every read of a project file goes through
`read_bytes`, which walks from the project root one component at a time with
`O_NOFOLLOW` (so no folder on the way may be a link either), opens the file without
blocking (a FIFO cannot hang the run) and reads it only if `fstat` says it is a
regular file. Anything else raises `NotRegular`, which the loader turns into a
`FILE001` finding naming the path. `scan` lists a folder the same way: links,
FIFOs, devices and sockets are reported, never followed.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

SOURCE_LIMIT = 16_000_000
"""Most bytes read of a file only to quote a line of it in a finding."""

_DIRECTORY = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC | getattr(os, "O_NOCTTY", 0)


class NotRegular(Exception):
    """A path campc refuses to read: a link, FIFO, device, socket, or outside the root."""

    def __init__(self, path: Path, what: str) -> None:
        super().__init__(f"{path} is {what}")
        self.path = path
        self.what = what


def describe(mode: int) -> str:
    """What a file of `mode` is, in words a finding can use."""
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


def parts_below(path: Path, root: Path) -> tuple[str, ...]:
    """The components of `path` below `root`, compared lexically (no link is resolved);
    NotRegular if `path` is not below `root`."""
    relative = os.path.relpath(os.path.normpath(os.path.abspath(path)), os.path.abspath(root))
    parts = tuple(relative.split(os.sep))  # relpath's text is normal: what Path.parts gives
    if relative == os.curdir or not parts or parts[0] == os.pardir or os.path.isabs(relative):
        raise NotRegular(path, "outside the project")
    return parts


def open_folder(root: Path, parts: tuple[str, ...], create: int | None = None) -> int:
    """A descriptor of the folder `root/parts...`, each component opened without
    following a link (NotRegular naming the first that is a link or not a folder); with
    `create`, the folders missing on the way are made with that mode. The caller closes
    the descriptor."""
    return _open_folder(root, parts, root.joinpath(*parts), create)


def _open_folder(root: Path, parts: tuple[str, ...], path: Path, create: int | None = None) -> int:
    descriptor = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    walked = root
    try:
        for part in parts:
            walked = walked / part
            child = _open_child(descriptor, part, walked, create)
            os.close(descriptor)
            descriptor = child
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor


def _open_child(descriptor: int, part: str, walked: Path, create: int | None = None) -> int:
    """The folder `part` inside the folder `descriptor`, opened without following a link
    (NotRegular, naming `walked`, if it is a link or not a folder)."""
    if create is not None:
        with contextlib.suppress(FileExistsError):
            os.mkdir(part, create, dir_fd=descriptor)
    try:
        return os.open(part, _DIRECTORY, dir_fd=descriptor)
    except OSError as err:
        if err.errno in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK):
            mode = os.stat(part, dir_fd=descriptor, follow_symlinks=False).st_mode
            raise NotRegular(walked, describe(mode)) from None
        raise


def read_bytes(path: Path, root: Path, limit: int | None = None) -> bytes:
    """The bytes of the regular file `path` inside `root` (at most `limit` + 1 of them,
    so a caller can tell a file over the limit). NotRegular for anything else; OSError
    when the file cannot be read."""
    with Reader(root) as reader:
        return reader.read_bytes(path, limit)


class Reader:
    """`read_bytes` for many files inside one root, the same way: each folder on the way
    opened one component at a time without following a link. The folders of the last
    file read stay open for the next (files read in path order share most of them), so
    reading a thousand files opens each folder about once. Use it as a context manager:
    leaving it closes the folders."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._root: int | None = None
        self._chain: list[tuple[str, int]] = []
        """The folders below the root the last file was in, each with its descriptor."""

    def __enter__(self) -> Reader:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        """Close every folder kept open."""
        for _, descriptor in reversed(self._chain):
            os.close(descriptor)
        self._chain.clear()
        if self._root is not None:
            os.close(self._root)
            self._root = None

    def folder(self, parts: tuple[str, ...]) -> int:
        """A descriptor of the folder `parts` below the root, reached as `read_bytes`
        reaches a file's (it stays open while the reader reads in that folder: do not
        close it)."""
        return self._folder(parts)

    def _folder(self, parts: tuple[str, ...]) -> int:
        if self._root is None:
            self._root = os.open(self.root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        shared = 0
        while (
            shared < min(len(parts), len(self._chain)) and self._chain[shared][0] == parts[shared]
        ):
            shared += 1
        for _, descriptor in reversed(self._chain[shared:]):
            os.close(descriptor)
        del self._chain[shared:]
        if shared == len(parts):  # the folder of the last file: no path to build
            return self._chain[-1][1] if self._chain else self._root
        walked = self.root.joinpath(*parts[:shared])
        for part in parts[shared:]:
            walked = walked / part
            parent = self._chain[-1][1] if self._chain else self._root
            self._chain.append((part, _open_child(parent, part, walked)))
        return self._chain[-1][1] if self._chain else self._root

    def read_bytes(self, path: Path, limit: int | None = None) -> bytes:
        """The bytes of the regular file `path` inside the root, as `read_bytes` reads them."""
        return self.read_stated(path, limit)[0]

    def stamp_of(self, path: Path, parts: tuple[str, ...] | None = None) -> Stamp:
        """The `Stamp` of the regular file `path` inside the root, reached as `read_bytes`
        reaches it (NotRegular for anything else), without reading it. `parts`, when the
        caller has them, are `path`'s below the root."""
        parts = parts or parts_below(path, self.root)
        folder = self._folder(parts[:-1])
        held = os.stat(parts[-1], dir_fd=folder, follow_symlinks=False)
        if not stat.S_ISREG(held.st_mode):
            raise NotRegular(path, describe(held.st_mode))
        return stamp(held)

    def read_stated(
        self, path: Path, limit: int | None = None, parts: tuple[str, ...] | None = None
    ) -> tuple[bytes, Stamp]:
        """`read_bytes`, and the stamp of the file it read (`stamp` of its descriptor)."""
        parts = parts or parts_below(path, self.root)
        folder = self._folder(parts[:-1])
        name = parts[-1]
        mode = os.stat(name, dir_fd=folder, follow_symlinks=False).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegular(path, describe(mode))
        try:
            descriptor = os.open(name, _FILE, dir_fd=folder)
        except OSError as err:
            if err.errno in (errno.ELOOP, errno.EMLINK):  # swapped for a link meanwhile
                raise NotRegular(path, "a symbolic link") from None
            raise
        try:
            opened = os.fstat(descriptor)
            if not stat.S_ISREG(opened.st_mode):
                raise NotRegular(path, describe(opened.st_mode))
            wanted = None if limit is None else limit + 1
            chunks, total = [], 0
            while wanted is None or total < wanted:
                size = 1 << 20 if wanted is None else min(1 << 20, wanted - total)
                chunk = os.read(descriptor, size)
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
            return b"".join(chunks), stamp(opened)
        finally:
            os.close(descriptor)


Stamp = tuple[int, int, int, int, int]
"""What tells one version of a file from another without reading it: device, inode,
size, and the times of its last write and of its last change of any kind (the kernel
sets the latter; no one can set it back)."""


def stamp(held: os.stat_result) -> Stamp:
    """The `Stamp` of a file from its status."""
    return (held.st_dev, held.st_ino, held.st_size, held.st_mtime_ns, held.st_ctime_ns)


def read_text(path: Path, root: Path) -> str:
    """`read_bytes` decoded as UTF-8 (UnicodeDecodeError when it is not)."""
    return read_bytes(path, root).decode("utf-8")


def check_folder(path: Path, root: Path) -> None:
    """NotRegular unless `path` is a real folder below `root`, reached without a link
    (a missing folder is fine: nothing is read from it)."""
    try:
        os.close(_open_folder(root, parts_below(path, root), path))
    except FileNotFoundError:
        return


@dataclass(frozen=True)
class Entry:
    """One thing `scan` found: a regular file, or something refused (with what it is)."""

    path: Path
    refused: str | None = None


def scan(
    folder: Path,
    skip: Callable[[Path, str], bool] = lambda _folder, _name: False,
    wanted: Callable[[str], bool] = lambda _name: True,
) -> Iterator[Entry]:
    """Every regular file below `folder` whose name is `wanted`, sorted by path, and every
    link, FIFO, device or socket where a wanted file or a folder would be (refused, not
    followed). `skip(parent, name)` leaves a sub-folder out."""
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda e: e.name)
    except (FileNotFoundError, NotADirectoryError):
        return
    for entry in entries:
        path = folder / entry.name
        if entry.is_symlink():
            if wanted(entry.name) or not skip(folder, entry.name):
                yield Entry(path, "a symbolic link")
            continue
        if entry.is_dir(follow_symlinks=False):
            if not skip(folder, entry.name):
                yield from scan(path, skip, wanted)
            continue
        if not wanted(entry.name):
            continue
        if entry.is_file(follow_symlinks=False):
            yield Entry(path)
        else:
            yield Entry(path, describe(entry.stat(follow_symlinks=False).st_mode))


def replace_in(folder: int, name: str, data: bytes | Sequence[bytes], mode: int = 0o644) -> None:
    """Write `name` (`data`, or its pieces one after another) in the open `folder` as a
    temporary file renamed over it: readers see the old file or the new one, never
    half; a link there is replaced, never written through."""
    temporary = f".{name}.{os.getpid()}-{secrets.token_hex(6)}.tmp"
    descriptor = os.open(
        temporary,
        os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
        mode,
        dir_fd=folder,
    )
    try:
        try:
            for piece in (data,) if isinstance(data, bytes) else data:
                view = memoryview(piece)
                while view:
                    view = view[os.write(descriptor, view) :]
            os.fchmod(descriptor, mode)  # the exact mode, whatever the umask
        finally:
            os.close(descriptor)
        os.replace(temporary, name, src_dir_fd=folder, dst_dir_fd=folder)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary, dir_fd=folder)
        raise


def replace(path: Path, root: Path, data: bytes, mode: int = 0o644) -> None:
    """`replace_in` for `path` below `root`, its folder reached without a link."""
    parts = parts_below(path, root)
    folder = open_folder(root, parts[:-1])
    try:
        replace_in(folder, parts[-1], data, mode)
    finally:
        os.close(folder)
