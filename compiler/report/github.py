"""Findings as GitHub Actions annotations, and the job summary in Markdown."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING

from compiler.diagnostics import Diagnostic, Severity
from compiler.report.text import concise, summary
from compiler.text import escape

if TYPE_CHECKING:
    pass

_GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def github(diagnostics: Sequence[Diagnostic], files: int, out: IO[str]) -> None:
    """GitHub Actions annotations, then the full list (GitHub shows only ~10 of each kind).

    With `GITHUB_STEP_SUMMARY` set, a table of every finding is appended to the job summary.
    """
    for d in diagnostics:
        properties = {
            "file": d.path,
            "line": str(d.line),
            "col": str(d.col),
            "title": f"{d.code} ({d.name})",
        }
        message = f"{d.message}\nhint: {d.hint}" if d.hint else d.message
        out.write(escape.workflow_command(_GITHUB_LEVEL[d.severity], properties, message) + "\n")
    concise(diagnostics, files, out)
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_file:
        with open(summary_file, "a", encoding="utf-8") as handle:
            handle.write(markdown_summary(diagnostics, files))


def markdown_summary(diagnostics: Sequence[Diagnostic], files: int) -> str:
    """`campc check` as Markdown, for a pull request's job summary."""
    lines = ["## campc check", "", summary(diagnostics, files), ""]
    if diagnostics:
        lines += ["| location | code | severity | message |", "|---|---|---|---|"]
        lines += [
            f"| {escape.markdown_code(d.location())} | {d.code} | {d.severity.value} | "
            f"{escape.markdown(d.message)} |"
            for d in diagnostics
        ]
        lines.append("")
    return "\n".join(lines) + "\n"
