"""Findings for people: the source line and a caret (`text`), one line each (`concise`),
and the summary line both end with."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING

from rich.console import Console
from rich.text import Text

from compiler import files
from compiler.diagnostics import Diagnostic, Severity
from compiler.text import escape

if TYPE_CHECKING:
    pass

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


def _console(out: IO[str]) -> Console:
    return Console(
        file=out,
        highlight=False,
        soft_wrap=True,
        emoji=False,
        markup=False,
        color_system=None if os.environ.get("NO_COLOR") else "auto",  # no-color.org: no styling
    )


def _location(d: Diagnostic) -> str:
    return f"{escape.log(d.path)}:{d.line}:{d.col}"


def _headline(d: Diagnostic) -> Text:
    line = Text()
    line.append(_location(d), style="bold")
    line.append(": ")
    line.append(d.code, style=_STYLE[d.severity])
    line.append(f" {escape.log(d.message)}")
    if d.severity is not Severity.ERROR:
        line.append(f" [{d.severity.value}]", style="dim")
    return line


class _Sources:
    """Source lines of the files findings point at, read once each."""

    def __init__(self) -> None:
        self._lines: dict[str, list[str]] = {}

    def line(self, path: str, number: int) -> str | None:
        if path not in self._lines:
            # only a regular file inside the working directory, never through a link:
            # a finding may point at a link to /proc/self/environ (FILE001) or a FIFO
            try:
                raw = files.read_bytes(Path(path), Path.cwd(), limit=files.SOURCE_LIMIT)
            except (OSError, files.NotRegular):
                raw = b""
            text = raw.decode("utf-8", errors="replace").removeprefix("\ufeff")
            self._lines[path] = text.splitlines()
        lines = self._lines[path]
        return lines[number - 1] if 0 < number <= len(lines) else None


def text(diagnostics: Sequence[Diagnostic], files: int, out: IO[str]) -> None:
    """Each finding with its source line and a caret under the column, a hint, a summary."""
    console = _console(out)
    sources = _Sources()
    for d in diagnostics:
        console.print(_headline(d))
        source = sources.line(d.path, d.line)
        if source is not None and source.strip():
            gutter = str(d.line)
            shown = escape.log(source.rstrip(), quoted=True)
            before = escape.log(source.rstrip()[: d.col - 1], quoted=True)
            pad = "".join(c if c == "\t" else " " for c in before)
            console.print(Text(f"  {gutter} | ", style="dim") + Text(shown))
            console.print(
                Text(f"  {' ' * len(gutter)} | ", style="dim")
                + Text(f"{pad}^", style=_STYLE[d.severity])
            )
        if d.hint:
            console.print(Text(f"  hint: {escape.log(d.hint)}", style="cyan"))
    console.print(Text(summary(diagnostics, files), style="bold"))


def concise(diagnostics: Sequence[Diagnostic], files: int, out: IO[str]) -> None:
    """One line per finding (`path:line:col: CODE message`), then a summary line."""
    console = _console(out)
    for d in diagnostics:
        console.print(_headline(d))
    console.print(Text(summary(diagnostics, files), style="bold"))
