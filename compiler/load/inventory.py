"""What the loader reads in a campaigns folder, found without following a link; light
enough for a cached check, which fingerprints it before deciding to load anything.

The fingerprint reads every file once and keeps what it read (`Snapshot`): when the
check has to run after all, the loader takes the same listing and the same bytes, so
nothing is read twice and the result kept under the fingerprint is the result of
exactly the bytes it names."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from compiler import files
from compiler.project.layout import (
    DATA_SUFFIXES,
    MAX_DATA,
    MAX_TEMPLATE,
    TEMPLATES_DIR,
    YAML_SUFFIXES,
)


@dataclass(frozen=True)
class Inventory:
    """Every file the loader reads in one campaigns folder, and what it refuses to."""

    root: Path
    specs: list[Path]
    """Every YAML file, sorted by path (hidden folders and `templates/` left out)."""
    templates: list[str]
    """Every template file, relative to the templates folder (hidden ones included)."""
    refused: list[tuple[Path, str]]
    """Links, FIFOs, devices and sockets where a spec, a folder or a template would be."""
    data: list[Path] = field(default_factory=list)
    """Every data file (`.csv`: a scoring model's history), sorted, outside `templates/`."""


def inventory(root: Path) -> Inventory:
    """Every file the loader would read under `root`."""

    def skip(folder: Path, name: str) -> bool:
        return name.startswith(".") or (folder == root and name == TEMPLATES_DIR)

    specs: list[Path] = []
    data: list[Path] = []
    refused: list[tuple[Path, str]] = []
    wanted = (*YAML_SUFFIXES, *DATA_SUFFIXES)
    for entry in files.scan(root, skip, lambda name: name.endswith(wanted)):
        if entry.refused is not None:
            refused.append((entry.path, entry.refused))
        elif entry.path.name.endswith(YAML_SUFFIXES):
            specs.append(entry.path)
        else:
            data.append(entry.path)
    base = root / TEMPLATES_DIR
    templates: list[str] = []
    try:
        files.check_folder(base, root)
        for entry in files.scan(base):
            if entry.refused is None:
                templates.append(entry.path.relative_to(base).as_posix())
            else:
                refused.append((entry.path, entry.refused))
    except files.NotRegular as err:
        refused.append((err.path, err.what))
    specs.sort(key=lambda p: p.relative_to(root).as_posix())
    refused.sort(key=lambda item: item[0].relative_to(root).as_posix())
    data.sort(key=lambda p: p.relative_to(root).as_posix())
    return Inventory(root, specs, sorted(templates), refused, data)


@dataclass
class Snapshot:
    """What a fingerprint read: each folder's listing, and each file's bytes (at most
    the limit the loader reads them with, plus one) or why they could not be read."""

    listings: dict[Path, Inventory] = field(default_factory=dict)
    contents: dict[Path, tuple[int, bytes | Exception]] = field(default_factory=dict)

    def listing(self, root: Path) -> Inventory:
        """The listing of `root`, as the fingerprint saw it (or taken now)."""
        found = self.listings.get(root)
        return found if found is not None else inventory(root)

    def read(self, path: Path, root: Path, limit: int) -> bytes:
        """`files.read_bytes(path, root, limit)`, from what the fingerprint read."""
        kept = self.contents.get(path)
        if kept is None or kept[0] != limit:
            return files.read_bytes(path, root, limit=limit)
        if isinstance(kept[1], Exception):
            raise kept[1]
        return kept[1]

    def keep(self, path: Path, reader: files.Reader, limit: int) -> bytes | Exception:
        """Read `path` (or the error that stops it) and keep it."""
        try:
            value: bytes | Exception = reader.read_bytes(path, limit=limit)
        except (OSError, files.NotRegular) as err:
            value = err
        self.contents[path] = (limit, value)
        return value


def fingerprint(
    roots: Iterable[Path], digest: Callable[[bytes], str], snapshot: Snapshot | None = None
) -> bytes:
    """Every file the loader reads under `roots` (specs, templates, refused paths) as
    sorted `path NUL digest` lines: what a whole-check result depends on besides the
    options and the settings file. `digest` hashes bytes; `snapshot` keeps what was
    read, for the loader."""
    assert callable(digest)
    kept = snapshot if snapshot is not None else Snapshot()
    lines: list[str] = []
    for root in roots:
        found = inventory(root)
        kept.listings[root] = found
        with files.Reader(root) as reader:
            for path in found.specs:
                value = kept.keep(path, reader, files.SOURCE_LIMIT)
                lines.append(f"{path}\0{_hash(digest, value)}")
            for path in found.data:
                lines.append(f"{path}\0{_hash(digest, kept.keep(path, reader, MAX_DATA))}")
        base = root / TEMPLATES_DIR
        with files.Reader(base) as reader:
            for name in found.templates:
                path = base / name
                lines.append(f"{path}\0{_hash(digest, kept.keep(path, reader, MAX_TEMPLATE))}")
        lines.extend(f"{path}\0refused {what}" for path, what in found.refused)
    return "\n".join(sorted(lines)).encode()


def _hash(digest: Callable[[bytes], str], value: bytes | Exception) -> str:
    if isinstance(value, files.NotRegular):
        return f"refused {value.what}"
    if isinstance(value, OSError):
        return f"unreadable {value.errno}"
    if isinstance(value, Exception):
        return f"unreadable {value!r}"
    return digest(value)
