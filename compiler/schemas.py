"""JSON Schemas of every document kind, generated from the pydantic models."""

from __future__ import annotations

import json
from typing import Any

from compiler.kinds import KINDS

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
