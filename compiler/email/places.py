"""Where a mistake an email shows is written: the template line (naming every send that
renders it) or the spec's variable sample it came from."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from html import escape
from typing import TYPE_CHECKING

from compiler.diagnostics import Diagnostic
from compiler.email.templates import locate

if TYPE_CHECKING:
    from compiler.diagnostics import Rule
    from compiler.email.render import Send
    from compiler.project.repository import Repository


class AtTemplates:
    """Findings about what templates write, one per place: a mistake in a template that
    ten sends render is one finding at the template's line, naming the sends."""

    def __init__(self, repo: Repository) -> None:
        self._repo = repo
        self._users: dict[tuple[str, int, int, str, str], dict[str, list[str]]] = {}

    def add(self, place: tuple[str, int, int], message: str, hint: str, send: Send) -> None:
        """Record that `send` shows the mistake `message` written at `place`."""
        template, line, col = place
        by_spec = self._users.setdefault((template, line, col, message, hint), {})
        keys = by_spec.setdefault(send.spec.path, [])
        if send.key not in keys:
            keys.append(send.key)

    def diagnostics(self, rule: Rule) -> Iterator[Diagnostic]:
        """One finding per place and spec (the lint runner merges the specs: `merge`)."""
        for (template, line, col, message, hint), by_spec in sorted(self._users.items()):
            for path, keys in by_spec.items():
                found = rule.diagnostic(
                    self._repo.display(self._repo.templates_dir / template),
                    line,
                    col,
                    message,
                    hint,
                )
                users = f"{', '.join(f'`{k}`' for k in keys)} ({path})"
                yield replace(found, origin=path, shown_by=(users,))


SHOWN = 3
"""Specs a template's finding names; more are counted."""


def merge(found: Iterable[Diagnostic]) -> list[Diagnostic]:
    """The findings with each template mistake once: the specs that show it (made and
    cached apart, spec by spec) joined in its message, `(used by ...)`."""
    merged: dict[tuple[str, str, int, int, str, str], list[str]] = {}
    first: dict[tuple[str, str, int, int, str, str], Diagnostic] = {}
    out: list[Diagnostic | tuple[str, str, int, int, str, str]] = []
    for d in found:
        if not d.shown_by:
            out.append(d)
            continue
        key = (d.code, d.path, d.line, d.col, d.message, d.hint)
        if key not in merged:
            merged[key], first[key] = [], d
            out.append(key)
        merged[key] += [u for u in d.shown_by if u not in merged[key]]
    result = []
    for item in out:
        if isinstance(item, Diagnostic):
            result.append(item)
            continue
        users = sorted(merged[item], key=lambda u: u.rsplit(" (", 1)[-1])
        more = f" and {len(users) - SHOWN} more specs" if len(users) > SHOWN else ""
        d = first[item]
        shown = "; ".join(users[:SHOWN])
        result.append(
            replace(d, message=f"{d.message} (used by {shown}{more})", origin="", shown_by=())
        )
    return result


def written_at(
    repo: Repository, send: Send, needles: Iterable[str], template: str | None = None
) -> tuple[str, int, int] | None:
    """Where the send's template (or one it extends, includes or imports) writes the
    first of `needles`: (template, line, col); None when no template does, so the text
    came from the spec (a variable's sample: `sample_at`)."""

    return locate(repo, template or send.email.template, needles)


def attribute_needles(value: str) -> list[str]:
    """How a template may write `value` as an attribute: quoted, escaped, or bare."""
    escaped = escape(value)
    return [f'"{value}"', f'"{escaped}"', f"'{value}'", f"'{escaped}'", value, escaped]


def sample_at(send: Send, needles: Iterable[str]) -> tuple[int, int] | None:
    """The line and column in the spec of the variable sample holding one of `needles`
    (None when none does)."""
    wanted = [n for n in needles if n]
    for name, variable in send.variables.items():
        sample = variable.sample
        if isinstance(sample, str) and any(n in sample for n in wanted):
            return send.spec.doc.value_at(("variables", name, "sample"))
    return None
