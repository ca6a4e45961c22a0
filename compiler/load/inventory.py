"""What the loader reads in a campaigns folder, found without following a link; light
enough for a cached check, which fingerprints it before deciding to load anything."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from compiler import files
from compiler.project.layout import TEMPLATES_DIR, YAML_SUFFIXES


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


def inventory(root: Path) -> Inventory:
    """Every file the loader would read under `root`."""

    def skip(folder: Path, name: str) -> bool:
        return name.startswith(".") or (folder == root and name == TEMPLATES_DIR)

    specs: list[Path] = []
    refused: list[tuple[Path, str]] = []
    for entry in files.scan(root, skip, lambda name: name.endswith(YAML_SUFFIXES)):
        if entry.refused is None:
            specs.append(entry.path)
        else:
            refused.append((entry.path, entry.refused))
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
    return Inventory(root, specs, sorted(templates), refused)


def fingerprint(roots: Iterable[Path], digest: Callable[[bytes], str]) -> bytes:
    """Every file the loader reads under `roots` (specs, templates, refused paths) as
    sorted `path NUL digest` lines: what a whole-check result depends on besides the
    options and the settings file. `digest` hashes bytes."""
    assert callable(digest)
    lines: list[str] = []
    for root in roots:
        found = inventory(root)
        for path in found.specs:
            lines.append(f"{path}\0{_hash(digest, path, root)}")
        for name in found.templates:
            path = root / TEMPLATES_DIR / name
            lines.append(f"{path}\0{_hash(digest, path, root)}")
        lines.extend(f"{path}\0refused {what}" for path, what in found.refused)
    return "\n".join(sorted(lines)).encode()


def _hash(digest: Callable[[bytes], str], path: Path, root: Path) -> str:
    try:
        return digest(files.read_bytes(path, root))
    except files.NotRegular as err:
        return f"refused {err.what}"
    except OSError as err:
        return f"unreadable {err.errno}"
