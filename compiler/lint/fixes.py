"""Applying safe fixes to spec files: exact text edits, so comments, order and quoting stay.

Two `campc check --fix` can run at once (an editor's on-save fix and a pre-commit hook).
Fixes are applied under one lock per project, and each file is replaced only if its
bytes are still the ones that were checked: the run that finds them changed writes
nothing to that file and reports it (`Conflict`, exit 2), so no edit lands on text it
was not computed for.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import stat
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from compiler import files
from compiler.cache import digest
from compiler.diagnostics import Diagnostic, Edit


class Conflict(Exception):
    """A file changed between the check and its fix (exit 2)."""


@dataclass(frozen=True)
class Applied:
    """A fix that was written: the finding it resolved."""

    diagnostic: Diagnostic


def _offset(lines: list[str], line: int, col: int) -> int:
    return sum(len(text) for text in lines[: line - 1]) + col - 1


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)


def apply(
    diagnostics: Iterable[Diagnostic],
    cwd: Path,
    checked: Mapping[str, str],
    root: Path,
) -> list[Applied]:
    """Write every fix of `diagnostics` into its file; overlapping edits are left out.

    `checked` holds the digest of each file's bytes as the check read them (by shown
    path); `root` is the project, whose lock the fixes are applied under. Conflict when a
    file's bytes changed since (the fixes already written stay: each was whole)."""
    by_path: dict[str, list[Diagnostic]] = {}
    for diagnostic in diagnostics:
        if diagnostic.fix is not None:
            by_path.setdefault(diagnostic.path, []).append(diagnostic)
    with _locked(root):
        return _apply_all(by_path, cwd, checked)


def _apply_all(
    by_path: dict[str, list[Diagnostic]], cwd: Path, checked: Mapping[str, str]
) -> list[Applied]:
    applied: list[Applied] = []
    for path, found in sorted(by_path.items()):
        target = cwd / path
        raw = files.read_bytes(target, cwd)
        if checked.get(path) != digest(raw):
            raise Conflict(
                f"{path} changed since it was checked (another `campc check --fix`, or an "
                "editor, wrote it): nothing was written to it; run the check again"
            )
        bom = raw.startswith(b"\xef\xbb\xbf")
        text = raw.decode("utf-8").removeprefix("\ufeff")
        lines = text.splitlines(keepends=True)
        edits: list[tuple[int, int, Edit, Diagnostic]] = []
        for diagnostic in found:
            assert diagnostic.fix is not None
            for edit in diagnostic.fix.edits:
                start = _offset(lines, edit.line, edit.col)
                end = _offset(lines, edit.end_line, edit.end_col)
                edits.append((start, end, edit, diagnostic))
        edits.sort(key=lambda item: (item[0], item[1]))
        kept: list[tuple[int, int, Edit, Diagnostic]] = []
        for item in edits:
            if kept and item[0] < kept[-1][1]:
                continue  # overlaps the previous edit: the next run fixes it
            kept.append(item)
        for start, end, edit, _ in reversed(kept):
            text = text[:start] + edit.text + text[end:]
        _write(target, cwd, ("\ufeff" if bom else "") + text)
        seen: set[int] = set()
        for _, _, _, diagnostic in kept:
            if id(diagnostic) not in seen:
                seen.add(id(diagnostic))
                applied.append(Applied(diagnostic))
    return applied


def _write(target: Path, root: Path, text: str) -> None:
    """Replace the file atomically, keeping its permissions (a link put there meanwhile
    is replaced, never written through)."""
    mode = stat.S_IMODE(target.lstat().st_mode)
    files.replace(target, root, text.encode("utf-8"), mode)
