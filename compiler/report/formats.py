"""Formatters for findings, chosen by name: text for people, the rest for machines and CI."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING
from urllib.parse import quote

from rich.console import Console
from rich.text import Text

from compiler import files
from compiler.diagnostics import Diagnostic, Severity
from compiler.text import escape

if TYPE_CHECKING:
    from compiler.analysis.routing import RouteReport
    from compiler.diagnostics import Rule

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
    out.write(escape.json_document(document))


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


_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def repository_top(cwd: Path) -> Path:
    """The repository's root: the nearest folder from `cwd` up that holds `.git` (a
    folder, or the file a worktree or submodule has), else `cwd` itself."""
    for folder in (cwd, *cwd.parents):
        if os.path.lexists(folder / ".git"):
            return folder
    return cwd


def _sarif_location(path: str, top: Path) -> dict[str, str]:
    """A finding's file as a percent-encoded URI reference: relative to the repository
    root (`%SRCROOT%`) when inside it, whichever folder campc ran from; else a file URI."""
    absolute = Path(os.path.normpath(Path.cwd() / path))
    try:
        relative = absolute.relative_to(top).as_posix()
    except ValueError:
        return {"uri": absolute.as_uri()}
    encoded = quote(relative.encode("utf-8", "surrogateescape"), safe="/")
    return {"uri": encoded, "uriBaseId": "%SRCROOT%"}


_LINE_NUMBERS = re.compile(r"\b(line|lines|column) \d+(?:-\d+)?")


def _fingerprint(d: Diagnostic, uri: str) -> str:
    """What identifies a finding when lines move: rule, file and message (line numbers
    in the message left out), hashed; the caller numbers repeats."""
    message = _LINE_NUMBERS.sub(r"\1 N", d.message)
    return hashlib.sha256(f"{d.code}\0{uri}\0{message}".encode()).hexdigest()[:32]


def sarif(diagnostics: Sequence[Diagnostic], files: int, out: IO[str]) -> None:
    """SARIF 2.1.0, as GitHub code scanning and other viewers upload it."""
    from compiler import __version__
    from compiler.rules import RULES

    index = {code: i for i, code in enumerate(RULES)}
    rules = [
        {
            "id": rule.code,
            "name": rule.name,
            "shortDescription": {"text": rule.summary},
            "fullDescription": {"text": rule.doc},
            "help": {"text": rule.doc, "markdown": rule.doc},
            "defaultConfiguration": {"level": _SARIF_LEVEL[rule.severity]},
        }
        for rule in RULES.values()
    ]
    top = repository_top(Path.cwd())
    seen: dict[str, int] = {}
    results = []
    for d in diagnostics:
        location = _sarif_location(d.path, top)
        fingerprint = _fingerprint(d, location.get("uri", ""))
        seen[fingerprint] = seen.get(fingerprint, 0) + 1
        results.append(
            {
                "ruleId": d.code,
                "ruleIndex": index[d.code],
                "level": _SARIF_LEVEL[d.severity],
                "message": {"text": f"{d.message} (hint: {d.hint})" if d.hint else d.message},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": location,
                            "region": {"startLine": d.line, "startColumn": d.col},
                        }
                    }
                ],
                "partialFingerprints": {"campc/v1": f"{fingerprint}:{seen[fingerprint]}"},
            }
        )
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "campc", "version": __version__, "rules": rules}},
                "columnKind": "unicodeCodePoints",
                "originalUriBaseIds": {
                    "%SRCROOT%": {"description": {"text": "the repository root (git's top level)"}}
                },
                "results": results,
            }
        ],
    }
    out.write(escape.json_document(document))


FORMATTERS: dict[str, Callable[[Sequence[Diagnostic], int, IO[str]], None]] = {
    "text": text,
    "concise": concise,
    "json": as_json,
    "github": github,
    "sarif": sarif,
}


def _own_cell(text: str) -> str:
    """campc's own Markdown (a rule's summary, backticks meant) in a table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def rules_markdown(rules: Sequence[Rule]) -> str:
    """The rule reference: a table of every rule, then each rule's documentation."""
    lines = [
        "# Rules",
        "",
        "Generated by `campc rules --format markdown` from the rule registry; do not edit.",
        "Configure them under `[tool.campc.lint]` (see the README); `campc explain CODE`",
        "prints one of them in the terminal.",
        "",
        "| code | name | default severity | summary | can be ignored |",
        "|---|---|---|---|---|",
    ]
    for rule in rules:
        anchor = rule.code.lower()
        ignorable = "yes" if rule.ignorable else "no"
        lines.append(
            f"| [{rule.code}](#{anchor}) | `{rule.name}` | {rule.severity.value} | "
            f"{_own_cell(rule.summary)} | {ignorable} |"
        )
    for rule in rules:
        body = rule.doc.strip().split("\n", 1)
        lines += [
            "",
            f"## {rule.code}",
            "",
            f"`{rule.name}`, {rule.severity.value} by default.",
            "",
        ]
        lines.append(body[0])
        if len(body) > 1:
            lines.append(body[1].replace("\n## ", "\n### "))
    return "\n".join(lines).rstrip() + "\n"


def rules_json(rules: Sequence[Rule]) -> str:
    """Every rule as JSON, for editors and tooling."""
    document = [
        {
            "code": r.code,
            "name": r.name,
            "severity": r.severity.value,
            "summary": r.summary,
            "ignorable": r.ignorable,
            "doc": r.doc,
        }
        for r in rules
    ]
    return escape.json_document(document)


def route_text(reports: Sequence[RouteReport], out: IO[str]) -> None:
    """Each spec's routing decision and its evidence, for a reviewer."""
    shown = escape.log
    for r in reports:
        decision = r.decision
        verdict = "agrees" if decision.domain in (None, r.declared) else "DISAGREES"
        out.write(f"{shown(r.path)} ({shown(r.kind)})\n")
        out.write(f"  declared: {shown(str(r.declared))}, folder: {shown(r.folder or '(none)')}\n")
        if decision.domain is None:
            out.write("  derived:  nothing in the spec points to a sub-domain\n")
        else:
            out.write(f"  derived:  {shown(decision.domain)} ({verdict})\n")
            out.write(f"  because:  {shown(decision.explain())}\n")
        for evidence in r.partners:
            status = "handed off" if evidence.target in r.handoffs else "NO HAND-OFF"
            out.write(
                f"  partner:  {shown(evidence.target)} ({shown(evidence.describe())}): {status}\n"
            )
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
    out.write(escape.json_document(document))


ROUTE_FORMATTERS: dict[str, Callable[[Sequence[RouteReport], IO[str]], None]] = {
    "text": route_text,
    "json": route_json,
}
