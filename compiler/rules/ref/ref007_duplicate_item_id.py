"""Two items of one spec share an id: sends, milestones, steps, variants, rules, examples.

## What it does
Reports the second (and every later) item whose `id` repeats an earlier one in the same
spec: a campaign's sends, milestones or linked sequences; a sequence's steps; an
experiment's variants; a scoring model's rules (fit, behaviour and disqualifiers share
one set of ids: each becomes a column of the scoring SQL) and example leads.

## Why is this bad?
Every id names something outside the spec: a calendar event's UID, an email's file
(`outputs/emails/<spec>/<send>.html`), a step a branch jumps to, a variant in the
analysis, a column of the scoring query. Two items under one id overwrite each other
there, or leave a jump that lands on whichever came first.

## Example
```yaml
milestones:
  - {id: launch, name: Launch day, at: 2027-04-13}
  - {id: launch, name: Launch webinar, at: 2027-04-22T16:00}
```

## Use instead
```yaml
milestones:
  - {id: launch-day, name: Launch day, at: 2027-04-13}
  - {id: launch-webinar, name: Launch webinar, at: 2027-04-22T16:00}
```
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from compiler.diagnostics import Diagnostic, Loc, Rule, Severity

if TYPE_CHECKING:
    from compiler.project.repository import Repository, SpecFile


NAMESPACES: dict[str, dict[str, str]] = {
    "campaign": {"sends": "send", "milestones": "milestone", "sequences": "sequence link"},
    "sequence": {"steps": "step"},
    "experiment": {"variants": "variant"},
    "scoring_model": {
        "fit": "rule",
        "behaviour": "rule",
        "disqualifiers": "rule",
        "examples": "example lead",
    },
}
"""Per kind, the lists whose items carry ids, and the set of ids each belongs to."""


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding for each item whose id an earlier item of its set already has."""
    rule = RULE
    for spec in repo.specs:
        lists = NAMESPACES.get(spec.kind, {})
        seen: dict[str, dict[str, Loc]] = {}
        for field, what in lists.items():
            for index, item in enumerate(_items(spec, field)):
                item_id = item.get("id") if isinstance(item, dict) else None
                if not isinstance(item_id, str):
                    continue
                loc: Loc = (field, index, "id")
                first = seen.setdefault(what, {}).setdefault(item_id, loc)
                if first == loc:
                    continue
                line, col = spec.doc.value_at(loc)
                first_line, _ = spec.doc.value_at(first)
                yield rule.diagnostic(
                    spec.path,
                    line,
                    col,
                    f"{what} id `{item_id}` is already used at line {first_line}",
                    f"give each {what} an id of its own (ids name its outputs)",
                )


def _items(spec: SpecFile, field: str) -> list[Any]:
    value = spec.doc.data.get(field)
    return value if isinstance(value, list) else []


RULE = Rule(
    code="REF007",
    name="duplicate-item-id",
    severity=Severity.ERROR,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # findings depend on one spec alone
)
