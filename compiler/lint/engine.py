"""What happens to findings between the rules and the report: selection, severity, noqa."""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Collection, Iterable
from dataclasses import replace

from compiler.config.lint import LintSettings
from compiler.diagnostics import Diagnostic, Severity
from compiler.load.codes import UNUSED_NOQA
from compiler.project.document import Document, Noqa
from compiler.rules import RULES, lookup, selected


def enabled_codes(lint: LintSettings) -> set[str]:
    """Codes that run: `select` plus `extend-select`, minus `ignore`."""
    chosen = {r.code for s in (*lint.select, *lint.extend_select) for r in selected(s)}
    ignored = {r.code for s in lint.ignore for r in selected(s)}
    return chosen - ignored


def _codes(selectors: Iterable[str]) -> set[str]:
    return {r.code for s in selectors for r in selected(s)}


def apply(
    found: Iterable[Diagnostic],
    docs: dict[str, Document],
    lint: LintSettings,
    project_path: Callable[[str], str],
    partial: Collection[str] = (),
) -> list[Diagnostic]:
    """Keep enabled findings that no noqa or per-file ignore suppresses; report unused noqa
    (except in `partial` files: specs linking a file that did not load, on which some
    rules could not run, so a suppression there may be waiting for them)."""
    enabled = enabled_codes(lint)
    severity = {r.code: level for s, level in lint.severity for r in selected(s)}
    per_file = [(glob, _codes(codes)) for glob, codes in lint.per_file_ignores]

    def file_ignores(path: str) -> set[str]:
        where = project_path(path)
        return {c for glob, codes in per_file if fnmatch.fnmatchcase(where, glob) for c in codes}

    comments = {path: doc.noqa() for path, doc in docs.items()}
    used: set[tuple[str, int, str]] = set()
    kept: list[Diagnostic] = []
    for diagnostic in found:
        rule = RULES[diagnostic.code]
        if not rule.ignorable:
            kept.append(diagnostic)
            continue
        if diagnostic.code not in enabled or diagnostic.code in file_ignores(diagnostic.path):
            continue
        comment = _suppressing(comments.get(diagnostic.path, []), diagnostic)
        if comment is not None:
            used.add((diagnostic.path, comment.line, diagnostic.code))
            continue
        kept.append(replace(diagnostic, severity=severity.get(diagnostic.code, rule.severity)))
    if UNUSED_NOQA.code in enabled:
        for path, notes in comments.items():
            if UNUSED_NOQA.code in file_ignores(path) or path in partial:
                continue
            for note in notes:
                kept.extend(_unused(path, note, used, enabled, severity))
    return kept


def _suppressing(comments: list[Noqa], diagnostic: Diagnostic) -> Noqa | None:
    for comment in comments:
        if not comment.file_level and comment.line != diagnostic.line:
            continue
        if not comment.codes:
            return comment
        for written in comment.codes:
            rule = lookup(written)
            if rule is not None and rule.code == diagnostic.code:
                return comment
    return None


def _unused(
    path: str,
    note: Noqa,
    used: set[tuple[str, int, str]],
    enabled: set[str],
    severity: dict[str, Severity],
) -> Iterable[Diagnostic]:
    level = severity.get(UNUSED_NOQA.code, UNUSED_NOQA.severity)
    hint = "remove the comment (or the codes it no longer needs)"
    if not note.codes:
        if not any(p == path and line == note.line for p, line, _ in used):
            yield replace(
                UNUSED_NOQA.diagnostic(path, note.line, note.col, "noqa suppresses nothing", hint),
                severity=level,
            )
        return
    for written in note.codes:
        rule = lookup(written)
        if rule is None:
            yield replace(
                UNUSED_NOQA.diagnostic(
                    path,
                    note.line,
                    note.col,
                    f"noqa names unknown rule `{written}`",
                    "use a code or name from `campc rules`",
                ),
                severity=level,
            )
        elif rule.code in enabled and (path, note.line, rule.code) not in used:
            yield replace(
                UNUSED_NOQA.diagnostic(
                    path, note.line, note.col, f"unused noqa for `{rule.code}`", hint
                ),
                severity=level,
            )
