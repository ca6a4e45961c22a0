"""JSON Schemas of every document kind, generated from the pydantic models."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from compiler import files
from compiler.load.kinds import KINDS

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def schema_for(kind: str) -> dict[str, Any]:
    """The JSON Schema of one kind, with `$schema` and a title editors show."""
    generated = KINDS[kind].model_json_schema(mode="validation")
    _title_properties(generated)
    return {"$schema": DIALECT, "$id": f"{kind}.schema.json", **generated}


def _title_properties(node: Any) -> None:
    """pydantic leaves `$ref` properties untitled; editors show the title on hover."""
    if isinstance(node, dict):
        for name, prop in node.get("properties", {}).items():
            if isinstance(prop, dict):
                prop.setdefault("title", name.replace("_", " ").capitalize())
        for value in node.values():
            _title_properties(value)
    elif isinstance(node, list):
        for item in node:
            _title_properties(item)


def render() -> dict[str, bytes]:
    """`{file name: bytes}` for every kind, byte-stable."""
    return {
        f"{kind}.schema.json": (
            json.dumps(schema_for(kind), indent=2, ensure_ascii=False) + "\n"
        ).encode("utf-8")
        for kind in sorted(KINDS)
    }


@dataclass
class Sync:
    """What `sync` found in (or wrote to) the schemas folder."""

    stale: list[Path] = field(default_factory=list)
    extra: list[Path] = field(default_factory=list)
    refused: dict[Path, str] = field(default_factory=dict)
    """Schema files that are links, FIFOs...: never read, replaced by a real file."""


def sync(folder: Path, root: Path, check_only: bool) -> Sync:
    """Compare the schemas folder with `render()`, and unless `check_only` write what
    differs: each file replaced by a temporary one renamed over it, so a committed link
    is replaced, never written through (nor read)."""
    found = Sync()
    wanted = render()
    for name, content in wanted.items():
        target = folder / name
        try:
            current: bytes | None = files.read_bytes(target, root)
        except FileNotFoundError:
            current = None
        except files.NotRegular as err:
            found.refused[target] = err.what
            current = None
        if current == content:
            continue
        found.stale.append(target)
        if not check_only:
            folder.mkdir(parents=True, exist_ok=True)
            files.replace(target, root, content)
    if folder.is_dir() and not folder.is_symlink():
        found.extra = sorted(p for p in folder.glob("*.schema.json") if p.name not in wanted)
    return found
