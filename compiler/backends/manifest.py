"""`manifest.json`: every spec and every artifact with its hash and provenance."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from compiler.backends.artifacts import Artifact, Revision
from compiler.backends.calendar import revisions_of
from compiler.conventions.outputs import ALL_CAMPAIGNS
from compiler.project.repository import Repository

MANIFEST = "manifest.json"
VERSION = 1
MANIFEST_LIMIT = 64 * 2**20
"""Most bytes of a committed manifest campc reads (a larger one is not campc's)."""
_UID = re.compile(r"[^\x00-\x1f\x7f]{1,1000}")
_STAMP = re.compile(r"\d{8}T\d{6}Z")
_DIGEST = re.compile(r"[0-9a-f]{64}")
MAX_SEQUENCE = 2**31 - 2
"""The highest SEQUENCE a committed manifest may give (one more still fits iCalendar's
32-bit integer)."""


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
        {"path": a.path, "sha256": a.sha256, "specs": list(a.sources)}
        for a in sorted(artifacts, key=lambda a: a.path)
    ]
    calendar = next((a for a in artifacts if a.path == f"calendar/{ALL_CAMPAIGNS}.ics"), None)
    events = [
        {
            "uid": uid,
            "sequence": revision.sequence,
            "sha256": revision.digest,
            "last_modified": revision.last_modified,
        }
        for uid, revision in _revisions(calendar)
    ]
    document = {"version": VERSION, "specs": specs, "artifacts": files, "events": events}
    return Artifact(MANIFEST, dumps(document), tuple(s["id"] for s in specs))


def _revisions(calendar: Artifact | None) -> Sequence[tuple[str, Revision]]:
    """The revisions the calendar was assembled with (read from its text when it does
    not carry them)."""
    if calendar is None:
        return ()
    if calendar.revisions is not None:
        return calendar.revisions
    return revisions_of(calendar.content)


def dumps(document: dict[str, Any]) -> bytes:
    """`document` as `json.dumps(document, indent=2, ensure_ascii=False)` writes it, and
    a newline: by orjson, which writes the same bytes several times faster (a property
    test holds that they are the same), or by `json` for what orjson refuses."""
    import orjson

    try:
        return orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
    except TypeError:
        return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def previous_revisions(folder: Path) -> tuple[tuple[str, Revision], ...]:
    """The calendar events' revisions the manifest in `folder` records (the outputs a
    build replaces), read as untrusted data: a manifest that is missing, a link, too
    large or not campc's gives none, and an entry of the wrong shape is skipped."""
    from compiler import files
    from compiler.cache import decode_json

    try:
        raw = files.read_bytes(folder / MANIFEST, folder, limit=MANIFEST_LIMIT)
    except (OSError, files.NotRegular):
        return ()
    if len(raw) > MANIFEST_LIMIT:
        return ()
    try:
        document = decode_json(raw)
    except (ValueError, RecursionError):
        return ()
    listed = document.get("events") if isinstance(document, dict) else None
    if not isinstance(listed, list):
        return ()
    found: dict[str, Revision] = {}
    for entry in listed:
        if not isinstance(entry, dict):
            continue
        uid, sequence = entry.get("uid"), entry.get("sequence")
        digest, modified = entry.get("sha256"), entry.get("last_modified", "")
        if not (isinstance(uid, str) and _UID.fullmatch(uid)):
            continue
        if not isinstance(sequence, int) or isinstance(sequence, bool):
            continue
        if not 0 <= sequence <= MAX_SEQUENCE:
            continue
        if not (isinstance(digest, str) and _DIGEST.fullmatch(digest)):
            continue
        if not (isinstance(modified, str) and (modified == "" or _STAMP.fullmatch(modified))):
            continue
        found[uid] = Revision(sequence, digest, modified)
    return tuple(sorted(found.items()))
