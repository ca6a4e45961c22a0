"""The only module that touches the outputs folder: atomic swap on build, comparison on --check."""

from __future__ import annotations

import difflib
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from compiler.artifacts import Artifact


@dataclass
class Changes:
    """How the outputs folder differs from what the specs compile to."""

    stale: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    diffs: dict[str, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.stale or self.missing or self.extra)


def _existing(folder: Path) -> dict[str, Path]:
    if not folder.is_dir():
        return {}
    return {p.relative_to(folder).as_posix(): p for p in sorted(folder.rglob("*")) if p.is_file()}


def _short_diff(path: str, old: bytes, new: bytes, limit: int = 20) -> str:
    try:
        before = old.decode("utf-8").splitlines()
        after = new.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        return ""
    lines = list(
        difflib.unified_diff(
            before, after, f"{path} (committed)", f"{path} (built)", lineterm="", n=1
        )
    )
    if len(lines) > limit:
        lines = [*lines[:limit], f"... {len(lines) - limit} more diff lines"]
    return "\n".join(lines)


def compare(folder: Path, artifacts: Iterable[Artifact]) -> Changes:
    """What `write` would change, without writing anything."""
    built = {a.path: a.content for a in artifacts}
    existing = _existing(folder)
    changes = Changes()
    for path, content in sorted(built.items()):
        if path not in existing:
            changes.missing.append(path)
            continue
        current = existing[path].read_bytes()
        if current != content:
            changes.stale.append(path)
            diff = _short_diff(path, current, content)
            if diff:
                changes.diffs[path] = diff
    changes.extra = sorted(set(existing) - set(built))
    return changes


def write(folder: Path, artifacts: Iterable[Artifact]) -> None:
    """Write every artifact into a fresh folder beside `folder`, then swap it in.

    A failure before the swap leaves `folder` untouched; files no artifact names are gone.
    """
    folder = folder.resolve()
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.new-", dir=folder.parent))
    try:
        for artifact in artifacts:
            target = (staging / artifact.path).resolve()
            if not target.is_relative_to(staging):
                raise ValueError(f"artifact path escapes the outputs folder: {artifact.path}")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(artifact.content)
        _swap(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _swap(staging: Path, folder: Path) -> None:
    if not folder.exists():
        os.replace(staging, folder)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old-", dir=folder.parent))
    os.replace(folder, retired / folder.name)
    try:
        os.replace(staging, folder)
    except BaseException:
        os.replace(retired / folder.name, folder)  # put the previous outputs back
        raise
    finally:
        shutil.rmtree(retired, ignore_errors=True)
