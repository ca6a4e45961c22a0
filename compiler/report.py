"""Formatters for findings, chosen by name: text for people, json for machines."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from typing import IO

from rich.console import Console
from rich.text import Text

from compiler.diagnostics import Diagnostic, Severity

JSON_VERSION = 1

_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "bold yellow", Severity.INFO: "bold blue"}


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary(diagnostics: Sequence[Diagnostic], files: int) -> str:
    """One line: how many errors and warnings in how many files."""
    errors = sum(d.severity is Severity.ERROR for d in diagnostics)
    warnings = sum(d.severity is Severity.WARNING for d in diagnostics)
    checked = _plural(files, "file")
    if not diagnostics:
        return f"All checks passed ({checked} checked)."
    in_files = _plural(len({d.path for d in diagnostics}), "file")
    return (
        f"Found {_plural(errors, 'error')} and {_plural(warnings, 'warning')} "
        f"in {in_files} ({checked} checked)."
    )


def text(diagnostics: Sequence[Diagnostic], files: int, out: IO[str]) -> None:
    """`path:line:col: CODE message`, a hint below, then a summary line."""
    console = Console(
        file=out,
        highlight=False,
        soft_wrap=True,
        emoji=False,
        markup=False,
        color_system=None if os.environ.get("NO_COLOR") else "auto",  # no-color.org: no styling
    )
    for d in diagnostics:
        line = Text()
        line.append(d.location(), style="bold")
        line.append(": ")
        line.append(d.code, style=_STYLE[d.severity])
        line.append(f" {d.message}")
        if d.severity is not Severity.ERROR:
            line.append(f" [{d.severity.value}]", style="dim")
        console.print(line)
        if d.hint:
            console.print(Text(f"  hint: {d.hint}", style="cyan"))
    console.print(Text(summary(diagnostics, files), style="bold"))


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
    out.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


FORMATTERS: dict[str, Callable[[Sequence[Diagnostic], int, IO[str]], None]] = {
    "text": text,
    "json": as_json,
}
