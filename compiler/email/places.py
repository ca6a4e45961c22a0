"""Where a mistake an email shows is written: the template line (naming every send that
renders it) or the spec's variable sample it came from."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from html import escape
from typing import TYPE_CHECKING

from compiler.email.templates import locate

if TYPE_CHECKING:
    from compiler.diagnostics import Diagnostic, Rule
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
        """One finding per place, in template order, naming the sends by spec."""
        for (template, line, col, message, hint), by_spec in sorted(self._users.items()):
            users = [
                f"{', '.join(f'`{k}`' for k in keys)} ({path})" for path, keys in by_spec.items()
            ]
            more = f" and {len(users) - 3} more specs" if len(users) > 3 else ""
            yield rule.diagnostic(
                self._repo.display(self._repo.templates_dir / template),
                line,
                col,
                f"{message} (used by {'; '.join(users[:3])}{more})",
                hint,
            )


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
