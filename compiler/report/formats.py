"""Formatters for findings, chosen by name: text for people, the rest for machines and CI."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import IO

from compiler.diagnostics import Diagnostic
from compiler.report.data import as_json
from compiler.report.github import github
from compiler.report.sarif import sarif
from compiler.report.text import concise, text

FORMATTERS: dict[str, Callable[[Sequence[Diagnostic], int, IO[str]], None]] = {
    "text": text,
    "concise": concise,
    "json": as_json,
    "github": github,
    "sarif": sarif,
}
