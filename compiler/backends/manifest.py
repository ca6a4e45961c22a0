"""`manifest.json`: every spec and every artifact with its hash and provenance."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path

from compiler.backends.artifacts import Artifact
from compiler.project.repository import Repository

MANIFEST = "manifest.json"
VERSION = 1


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def build(
    repo: Repository, artifacts: Sequence[Artifact], shown: Callable[[Path], str]
) -> Artifact:
    """The manifest of one build; `shown` gives spec paths relative to the project."""
    specs = [
        {
            "id": str(spec.doc.data["id"]),
            "kind": spec.kind,
            "domain": str(spec.doc.data["domain"]),
            "path": shown(repo.root / spec.rel),
            "sha256": _sha256(spec.doc.text.encode("utf-8")),
        }
        for spec in sorted(repo.specs, key=lambda s: str(s.doc.data["id"]))
    ]
    files = [
        {"path": a.path, "sha256": _sha256(a.content), "specs": list(a.sources)}
        for a in sorted(artifacts, key=lambda a: a.path)
    ]
    document = {"version": VERSION, "specs": specs, "artifacts": files}
    content = json.dumps(document, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
    return Artifact(MANIFEST, content.encode("utf-8"), tuple(s["id"] for s in specs))
