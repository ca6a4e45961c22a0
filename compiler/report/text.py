"""Findings for people: the source line and a caret (`text`), one line each (`concise`),
and the summary line both end with."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from compiler import files
from compiler.diagnostics import Diagnostic, Severity
from compiler.text import escape

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


def _coloured(out: IO[str]) -> bool:
    """Whether to style the findings: on a terminal (not `TERM=dumb`), or with
    FORCE_COLOR; never with NO_COLOR (no-color.org). Decided here, not by rich: a cached
    check prints without importing it."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(out, "isatty", None)
    return bool(isatty and isatty()) and os.environ.get("TERM") != "dumb"


_SGR = {
    "bold": "1",
    "bold red": "1;31",
    "bold yellow": "1;33",
    "bold blue": "1;34",
    "dim": "2",
    "cyan": "36",
}
"""The styles findings are printed in, as ANSI SGR codes."""


class _Writer:
    """Lines to `out`, styled when it takes colour (`_coloured`). Written directly, not
    through rich's renderer: 10,000 findings print in a tenth of a second instead of two."""

    def __init__(self, out: IO[str]) -> None:
        self._out = out
        self._color = _coloured(out)

    def paint(self, text: str, style: str) -> str:
        return f"\x1b[{_SGR[style]}m{text}\x1b[0m" if self._color else text

    def line(self, *parts: str) -> None:
        self._out.write("".join(parts) + "\n")


def _location(d: Diagnostic) -> str:
    return f"{escape.log(d.path)}:{d.line}:{d.col}"


def _headline(d: Diagnostic, out: _Writer) -> None:
    level = (
        f" {out.paint(f'[{d.severity.value}]', 'dim')}" if d.severity is not Severity.ERROR else ""
    )
    out.line(
        out.paint(_location(d), "bold"),
        ": ",
        out.paint(d.code, _STYLE[d.severity]),
        f" {escape.log(d.message)}",
        level,
    )


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


def _tabs_expanded(prefix: str, text: str) -> str:
    """`text` as it shows after `prefix`, tabs expanded to stops of 8 (as a terminal and
    rich show them), so the caret stays under the column."""
    return (prefix + text).expandtabs(8)[len(prefix) :]


def text(diagnostics: Sequence[Diagnostic], files: int, out: IO[str]) -> None:
    """Each finding with its source line and a caret under the column, a hint, a summary."""
    writer = _Writer(out)
    sources = _Sources()
    for d in diagnostics:
        _headline(d, writer)
        source = sources.line(d.path, d.line)
        if source is not None and source.strip():
            gutter = str(d.line)
            shown = escape.log(source.rstrip(), quoted=True)
            before = escape.log(source.rstrip()[: d.col - 1], quoted=True)
            pad = "".join(c if c == "\t" else " " for c in before)
            prefix = f"  {gutter} | "
            writer.line(writer.paint(prefix, "dim"), _tabs_expanded(prefix, shown))
            writer.line(
                writer.paint(f"  {' ' * len(gutter)} | ", "dim"),
                writer.paint(_tabs_expanded(prefix, f"{pad}^"), _STYLE[d.severity]),
            )
        if d.hint:
            writer.line(writer.paint(f"  hint: {escape.log(d.hint)}", "cyan"))
    writer.line(writer.paint(summary(diagnostics, files), "bold"))


def concise(diagnostics: Sequence[Diagnostic], files: int, out: IO[str]) -> None:
    """One line per finding (`path:line:col: CODE message`), then a summary line."""
    writer = _Writer(out)
    for d in diagnostics:
        _headline(d, writer)
    writer.line(writer.paint(summary(diagnostics, files), "bold"))
