"""The one type every problem becomes, a finding at a path, line and column, and the rule
that makes it: a code, a kebab-case name, a default severity and its documentation."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

Loc = tuple[str | int, ...]
"""A location in a document's data: keys and list indexes from the root."""


class Severity(StrEnum):
    """How bad a finding is; errors fail `campc check`, warnings do not."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


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
    fix: Fix | None = None
    origin: str = ""
    """The spec whose check made a finding reported in another file (a template's
    mistake, found rendering that spec's sends): the cache keeps it with that spec."""
    shown_by: tuple[str, ...] = ()
    """For a template's mistake, the sends of `origin` that show it (`` `key` (spec) ``):
    the lint runner merges the findings at one place and names the sends in the message."""

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
    if d.origin:
        data["origin"] = d.origin
    if d.shown_by:
        data["shown_by"] = list(d.shown_by)
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
        fix=fix,
        origin=str(data.get("origin", "")),
        shown_by=tuple(str(s) for s in data.get("shown_by", ())),
    )


Check = Callable[[Any], Iterable[Diagnostic]]
"""A rule's check: the loaded repository in, findings out (typed in each rule module)."""
Collect = Callable[[Any], dict[str, Any]]
"""What a repository-wide rule needs of each spec of a repository: spec path -> plain
data (JSON's types: dicts with text keys, lists, text, numbers, booleans, None)."""
Combine = Callable[[Any, dict[str, Any]], Iterable[Diagnostic]]
"""A repository-wide rule's findings from what it collected of every spec."""


@dataclass(frozen=True)
class Rule:
    """One rule. `check` is None for findings the loader or the engine raise themselves."""

    code: str
    name: str
    severity: Severity
    doc: str
    """The documentation in ruff's sections (the rule module's docstring)."""
    check: Check | None = None
    ignorable: bool = True
    """False for findings that stop a file from being read at all."""
    scope: str = "repository"
    """`spec` when a spec's findings depend on that spec alone (with the conventions,
    the policy and the registries): the cache then keeps them per spec and reruns the
    rule only on specs that changed. `repository` rules see every spec on every run."""
    collect: Collect | None = None
    """For a `repository` rule that has one: what it needs of each spec, which the cache
    keeps per spec like the findings of `spec` rules. The rule then never reads a model
    itself: `combine` works from the collected data (and the registries, the policy, the
    documents for positions), so that after one change only the changed specs are
    validated and collected again. `check` is then `combine` over `collect`."""
    combine: Combine | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "doc", inspect.cleandoc(self.doc))
        if (self.collect is None) != (self.combine is None):
            raise ValueError(f"{self.code}: `collect` and `combine` go together")
        if self.collect is not None and self.scope != "repository":
            raise ValueError(f"{self.code}: a collecting rule is repository-wide")
        if self.collect is not None and self.check is None:
            collect, combine = self.collect, self.combine
            assert combine is not None

            def check(repo: Any) -> Iterable[Diagnostic]:
                return combine(repo, collect(repo))

            object.__setattr__(self, "check", check)

    @property
    def summary(self) -> str:
        """The first line of the documentation."""
        return self.doc.strip().splitlines()[0].strip() if self.doc.strip() else ""

    def diagnostic(
        self, path: str, line: int, col: int, message: str, hint: str = "", fix: Fix | None = None
    ) -> Diagnostic:
        """A finding of this rule at a position, with its default severity."""
        return Diagnostic(
            fix=fix,
            code=self.code,
            name=self.name,
            severity=self.severity,
            message=message,
            path=path,
            line=line,
            col=col,
            hint=hint,
        )
