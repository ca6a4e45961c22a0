"""Formatters for findings, chosen by name: text for people, json for machines."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from typing import IO, TYPE_CHECKING

from rich.console import Console
from rich.text import Text

from compiler.diagnostics import Diagnostic, Severity

if TYPE_CHECKING:
    from compiler.pipeline import RouteReport

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


def route_text(reports: Sequence[RouteReport], out: IO[str]) -> None:
    """Each spec's routing decision and its evidence, for a reviewer."""
    for r in reports:
        decision = r.decision
        verdict = "agrees" if decision.domain in (None, r.declared) else "DISAGREES"
        out.write(f"{r.path} ({r.kind})\n")
        out.write(f"  declared: {r.declared}, folder: {r.folder or '(none)'}\n")
        if decision.domain is None:
            out.write("  derived:  nothing in the spec points to a sub-domain\n")
        else:
            out.write(f"  derived:  {decision.domain} ({verdict})\n")
            out.write(f"  because:  {decision.explain()}\n")
        for evidence in r.partners:
            status = "handed off" if evidence.target in r.handoffs else "NO HAND-OFF"
            out.write(f"  partner:  {evidence.target} ({evidence.describe()}): {status}\n")
        out.write("\n")


def route_json(reports: Sequence[RouteReport], out: IO[str]) -> None:
    """The same as a JSON list."""
    document = [
        {
            "path": r.path,
            "kind": r.kind,
            "declared": r.declared,
            "folder": r.folder,
            "derived": r.decision.domain,
            "by_kind": r.decision.by_kind is not None,
            "scores": dict(r.decision.scores),
            "tied": list(r.decision.tied),
            "evidence": [
                {"domain": e.target, "keyword": e.keyword, "field": e.field}
                for e in r.decision.evidence
            ],
            "partners": [
                {
                    "team": e.target,
                    "keyword": e.keyword,
                    "field": e.field,
                    "handed_off": e.target in r.handoffs,
                }
                for e in r.partners
            ],
        }
        for r in reports
    ]
    out.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


ROUTE_FORMATTERS: dict[str, Callable[[Sequence[RouteReport], IO[str]], None]] = {
    "text": route_text,
    "json": route_json,
}
