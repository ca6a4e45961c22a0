"""Findings as JSON data (`--format json`), versioned."""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO, TYPE_CHECKING

from compiler.diagnostics import Diagnostic, Severity
from compiler.text import escape

if TYPE_CHECKING:
    pass

JSON_VERSION = 1


def as_json(diagnostics: Sequence[Diagnostic], files: int, out: IO[str]) -> None:
    """A stable document: `{version, summary, diagnostics: [...]}`."""
    document = {
        "version": JSON_VERSION,
        "summary": {
            "files": files,
            "errors": sum(d.severity is Severity.ERROR for d in diagnostics),
            "warnings": sum(d.severity is Severity.WARNING for d in diagnostics),
        },
        "diagnostics": [
            {
                "path": d.path,
                "line": d.line,
                "col": d.col,
                "code": d.code,
                "name": d.name,
                "severity": d.severity.value,
                "message": d.message,
                "hint": d.hint,
            }
            for d in diagnostics
        ],
    }
    out.write(escape.json_document(document))
