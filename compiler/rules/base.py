"""What a rule is: a code, a kebab-case name, a default severity and its documentation."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING

from compiler.diagnostics import Diagnostic, Fix, Severity

if TYPE_CHECKING:
    from compiler.repository import Repository

Check = Callable[["Repository"], Iterable[Diagnostic]]


@dataclass(frozen=True)
class Rule:
    """One registered rule. `check` is None for findings the loader itself raises."""

    code: str
    name: str
    severity: Severity
    doc: str
    check: Check | None = None
    ignorable: bool = True
    """False for findings that stop a file from being read at all."""
    scope: str = "repository"
    """`spec` when a spec's findings depend on that spec alone (with the conventions,
    the policy and the registries): the cache then keeps them per spec and reruns the
    rule only on specs that changed. `repository` rules see every spec on every run."""

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

    @classmethod
    def from_module(cls, module: ModuleType) -> Rule:
        """Read a rule module: CODE, NAME, SEVERITY, its docstring and `check`."""
        return cls(
            code=module.CODE,
            name=module.NAME,
            severity=module.SEVERITY,
            doc=inspect.cleandoc(module.__doc__ or ""),
            check=module.check,
            scope=getattr(module, "SCOPE", "repository"),
        )
