"""Lint policy: which rules run where, and how severe their findings are."""

from __future__ import annotations

from dataclasses import dataclass

from compiler.diagnostics import Severity


@dataclass(frozen=True)
class LintSettings:
    """Which rules run where, and how severe their findings are."""

    select: tuple[str, ...] = ("ALL",)
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    severity: tuple[tuple[str, Severity], ...] = ()

    def with_overrides(
        self, select: tuple[str, ...] | None, ignore: tuple[str, ...] | None
    ) -> LintSettings:
        """Command-line `--select` replaces the configured selection (and its ignores);
        `--ignore` adds to whatever is selected."""
        return LintSettings(
            select=select if select else self.select,
            ignore=(*(() if select else self.ignore), *(ignore or ())),
            extend_select=() if select else self.extend_select,
            per_file_ignores=self.per_file_ignores,
            severity=self.severity,
        )
