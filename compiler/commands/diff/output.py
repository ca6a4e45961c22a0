"""A change written out: Markdown for the pull request, or JSON (money as `{amount,
currency}`)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from compiler.commands.diff.change import Change, Money
from compiler.text import escape


def _table(rows: list[dict[str, Any]]) -> list[str]:
    columns = list(rows[0])
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(escape.markdown(str(r[c])) for c in columns) + " |" for r in rows]
    return lines


def markdown(change: Change) -> str:
    """The change as a pull request reviewer reads it: the verdict and the blast radius
    first, each section's details folded below."""
    kinds = Counter(row["change"] for row in change.specs)
    base, head_label = escape.markdown_code(change.base), escape.markdown_code(change.head)
    head = [f"## campc diff: {base} -> {head_label}", ""]
    if change.empty:
        return "\n".join(
            [
                *head,
                "No change in meaning: specs, budget, calendar, sequences, "
                "experiments, scoring and findings are the same.",
                "",
            ]
        )
    head.append(f"**Verdict: {escape.markdown(change.verdict)}**")
    head.append("")
    if change.locked:
        blocked = sum("EXP009" in row["status"] for row in change.locked)
        head.append(
            f"**Locked experiment designs changed**: {len(change.locked)} field"
            f"{'s' if len(change.locked) != 1 else ''}, {blocked} without an amendment"
        )
        head.append("")
    if change.summary:
        head += [*_table(change.summary), ""]
    parts = [f"{n} {k}" for k, n in sorted(kinds.items())]
    head.append(
        f"**Specs**: {', '.join(parts) or 'none added or removed'} · "
        f"**Findings**: {len(change.findings_new)} new, "
        f"{len(change.findings_resolved)} resolved"
    )
    head.append("")
    sections: list[tuple[str, list[dict[str, Any]]]] = [
        ("Locked experiment designs", change.locked),
        ("Specs", change.specs),
        ("Budget by campaign and channel", change.budget),
        ("Budget by domain and quarter", change.budget_totals),
        ("Calendar", change.calendar),
        ("Sends per audience and week", change.sends),
        ("Sequences", change.sequences),
        ("Persona traces", change.personas),
        ("Experiments", change.experiments),
        ("Scoring models", change.scoring),
    ]
    lines = head
    for title, rows in sections:
        if rows:
            lines += [_fold(title, len(rows)), "", *_table(rows), "", "</details>", ""]
    for title, rows in (
        ("New findings", change.findings_new),
        ("Resolved findings", change.findings_resolved),
    ):
        if rows:
            lines += [_fold(title, len(rows)), ""]
            for r in rows:
                where = escape.markdown_code(f"{r['path']}:{r['line']}:{r['col']}")
                message = escape.markdown(str(r["message"]))
                lines.append(f"- {where} {r['code']} ({r['severity']}): {message}")
            lines += ["", "</details>", ""]
    return "\n".join(lines)


def _fold(title: str, count: int) -> str:
    """A collapsed section's opening: GitHub renders the Markdown inside it."""
    return f"<details><summary><strong>{title}</strong> ({count})</summary>"


def as_json(change: Change) -> str:
    """The change as data (the same sections, keyed by name)."""
    document = {name: getattr(change, name) for name in change.__dataclass_fields__}
    return escape.json_document(_plain(document))


def _plain(value: Any) -> Any:
    """The document with every Money as its JSON object."""
    if isinstance(value, Money):
        return value.as_json()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
