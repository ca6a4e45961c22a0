"""Findings as SARIF 2.1.0 for code scanning: URIs relative to git's top level,
fingerprints that survive moved lines."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING
from urllib.parse import quote

from compiler import __version__
from compiler.diagnostics import Diagnostic, Severity
from compiler.text import escape

if TYPE_CHECKING:
    pass

_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def repository_top(cwd: Path) -> Path:
    """The repository's root: the nearest folder from `cwd` up that holds `.git` (a
    folder, or the file a worktree or submodule has), else `cwd` itself."""
    for folder in (cwd, *cwd.parents):
        if os.path.lexists(folder / ".git"):
            return folder
    return cwd


def _sarif_location(path: str, top: Path) -> dict[str, str]:
    """A finding's file as a percent-encoded URI reference: relative to the repository
    root (`%SRCROOT%`) when inside it, whichever folder campc ran from; else a file URI."""
    absolute = Path(os.path.normpath(Path.cwd() / path))
    try:
        relative = absolute.relative_to(top).as_posix()
    except ValueError:
        return {"uri": absolute.as_uri()}
    encoded = quote(relative.encode("utf-8", "surrogateescape"), safe="/")
    return {"uri": encoded, "uriBaseId": "%SRCROOT%"}


_LINE_NUMBERS = re.compile(r"\b(line|lines|column) \d+(?:-\d+)?")


def _fingerprint(d: Diagnostic, uri: str) -> str:
    """What identifies a finding when lines move: rule, file and message (line numbers
    in the message left out), hashed; the caller numbers repeats."""
    message = _LINE_NUMBERS.sub(r"\1 N", d.message)
    return hashlib.sha256(f"{d.code}\0{uri}\0{message}".encode()).hexdigest()[:32]


def sarif(diagnostics: Sequence[Diagnostic], files: int, out: IO[str]) -> None:
    """SARIF 2.1.0, as GitHub code scanning and other viewers upload it."""
    # the registry, only when SARIF is written: a cached check prints without it
    from compiler.rules import RULES

    index = {code: i for i, code in enumerate(RULES)}
    rules = [
        {
            "id": rule.code,
            "name": rule.name,
            "shortDescription": {"text": rule.summary},
            "fullDescription": {"text": rule.doc},
            "help": {"text": rule.doc, "markdown": rule.doc},
            "defaultConfiguration": {"level": _SARIF_LEVEL[rule.severity]},
        }
        for rule in RULES.values()
    ]
    top = repository_top(Path.cwd())
    seen: dict[str, int] = {}
    results = []
    for d in diagnostics:
        location = _sarif_location(d.path, top)
        fingerprint = _fingerprint(d, location.get("uri", ""))
        seen[fingerprint] = seen.get(fingerprint, 0) + 1
        results.append(
            {
                "ruleId": d.code,
                "ruleIndex": index[d.code],
                "level": _SARIF_LEVEL[d.severity],
                "message": {"text": f"{d.message} (hint: {d.hint})" if d.hint else d.message},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": location,
                            "region": {"startLine": d.line, "startColumn": d.col},
                        }
                    }
                ],
                "partialFingerprints": {"campc/v1": f"{fingerprint}:{seen[fingerprint]}"},
            }
        )
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "campc", "version": __version__, "rules": rules}},
                "columnKind": "unicodeCodePoints",
                "originalUriBaseIds": {
                    "%SRCROOT%": {"description": {"text": "the repository root (git's top level)"}}
                },
                "results": results,
            }
        ],
    }
    out.write(escape.json_document(document))
