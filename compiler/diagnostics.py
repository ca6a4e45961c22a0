"""The one type every problem becomes: a finding at a path, line and column."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

Loc = tuple[str | int, ...]
"""A location in a document's data: keys and list indexes from the root."""


class Severity(StrEnum):
    """How bad a finding is; errors fail `campc check`, warnings do not."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, order=True)
class Position:
    """A 1-based line and column in a source file."""

    line: int = 1
    col: int = 1


@dataclass(frozen=True)
class Edit:
    """Replace the text from (line, col) up to (end_line, end_col), exclusive, 1-based."""

    line: int
    col: int
    end_line: int
    end_col: int
    text: str


@dataclass(frozen=True)
class Fix:
    """A safe, mechanical correction of a finding: what it does and its edits."""

    description: str
    edits: tuple[Edit, ...]


@dataclass(frozen=True)
class Diagnostic:
    """One finding: `path:line:col: CODE message`, plus a hint."""

    code: str
    name: str
    severity: Severity
    message: str
    path: str
    line: int = 1
    col: int = 1
    hint: str = ""
    related: tuple[str, ...] = field(default=())
    fix: Fix | None = None

    def sort_key(self) -> tuple[str, int, int, str, str]:
        """Findings are reported by path, then position, then code."""
        return (self.path, self.line, self.col, self.code, self.message)

    def location(self) -> str:
        """`path:line:col`, the form editors and terminals turn into links."""
        return f"{self.path}:{self.line}:{self.col}"


def to_data(d: Diagnostic) -> dict[str, Any]:
    """A finding as plain data (what the cache stores: JSON, never a pickle)."""
    data: dict[str, Any] = {
        "code": d.code,
        "name": d.name,
        "severity": d.severity.value,
        "message": d.message,
        "path": d.path,
        "line": d.line,
        "col": d.col,
    }
    if d.hint:
        data["hint"] = d.hint
    if d.related:
        data["related"] = list(d.related)
    if d.fix is not None:
        data["fix"] = {
            "description": d.fix.description,
            "edits": [[e.line, e.col, e.end_line, e.end_col, e.text] for e in d.fix.edits],
        }
    return data


def from_data(data: dict[str, Any]) -> Diagnostic:
    """The finding `to_data` made (ValueError, KeyError or TypeError on anything else)."""
    fix = None
    if "fix" in data:
        edits = tuple(
            Edit(int(a), int(b), int(c), int(e), str(text))
            for a, b, c, e, text in data["fix"]["edits"]
        )
        fix = Fix(str(data["fix"]["description"]), edits)
    return Diagnostic(
        code=str(data["code"]),
        name=str(data["name"]),
        severity=Severity(data["severity"]),
        message=str(data["message"]),
        path=str(data["path"]),
        line=int(data["line"]),
        col=int(data["col"]),
        hint=str(data.get("hint", "")),
        related=tuple(str(r) for r in data.get("related", ())),
        fix=fix,
    )
