"""Applying safe fixes to spec files: exact text edits, so comments, order and quoting stay."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from compiler.diagnostics import Diagnostic, Edit


@dataclass(frozen=True)
class Applied:
    """A fix that was written: the finding it resolved."""

    diagnostic: Diagnostic


def _offset(lines: list[str], line: int, col: int) -> int:
    return sum(len(text) for text in lines[: line - 1]) + col - 1


def apply(diagnostics: Iterable[Diagnostic], cwd: Path) -> list[Applied]:
    """Write every fix of `diagnostics` into its file; overlapping edits are left out."""
    by_path: dict[str, list[Diagnostic]] = {}
    for diagnostic in diagnostics:
        if diagnostic.fix is not None:
            by_path.setdefault(diagnostic.path, []).append(diagnostic)
    applied: list[Applied] = []
    for path, found in sorted(by_path.items()):
        target = cwd / path
        raw = target.read_bytes()
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
        _write(target, ("\ufeff" if bom else "") + text)
        seen: set[int] = set()
        for _, _, _, diagnostic in kept:
            if id(diagnostic) not in seen:
                seen.add(id(diagnostic))
                applied.append(Applied(diagnostic))
    return applied


def _write(target: Path, text: str) -> None:
    """Replace the file atomically, keeping its permissions."""
    mode = target.stat().st_mode
    handle, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
