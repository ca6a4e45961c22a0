"""Two scoring rules that test the same thing.

## What it does
Reports a fit rule with the same attribute, operator and value as an earlier
one, and a behaviour rule on the same event with the same window as an
earlier one.

## Why is this bad?
The lead gets the points twice, which nobody intended: usually a rule copied
to change its points where the old one should have been edited.

## Example
```yaml
fit:
  - {id: senior, attribute: job_level, op: in, value: [vp, c_level], points: 20}
  - {id: senior-2, attribute: job_level, op: in, value: [vp, c_level], points: 25}
```

## Use instead
```yaml
fit:
  - {id: senior, attribute: job_level, op: in, value: [vp, c_level], points: 25}
```
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from compiler.diagnostics import Diagnostic, Rule, Severity
from compiler.model.scoring import ScoringModel

if TYPE_CHECKING:
    from compiler.project.repository import Repository


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding for each rule that repeats an earlier one."""
    rule = RULE
    for spec in repo.specs:
        model = spec.model
        if not isinstance(model, ScoringModel):
            continue
        seen: dict[tuple[object, ...], str] = {}
        for index, fit in enumerate(model.fit):
            value = tuple(fit.value) if isinstance(fit.value, list) else fit.value
            key: tuple[object, ...] = ("fit", fit.attribute, fit.op, str(value))
            if key in seen:
                line, col = spec.doc.value_at(("fit", index, "id"))
                yield rule.diagnostic(
                    spec.path,
                    line,
                    col,
                    f"fit rule `{fit.id}` repeats `{seen[key]}`",
                    "merge them into one rule",
                )
            seen.setdefault(key, fit.id)
        for index, behaviour in enumerate(model.behaviour):
            key = ("behaviour", behaviour.event, behaviour.within)
            if key in seen:
                line, col = spec.doc.value_at(("behaviour", index, "id"))
                yield rule.diagnostic(
                    spec.path,
                    line,
                    col,
                    f"behaviour rule `{behaviour.id}` repeats `{seen[key]}`",
                    "merge them into one rule",
                )
            seen.setdefault(key, behaviour.id)


RULE = Rule(
    code="SCORE004",
    name="duplicate-rule",
    severity=Severity.WARNING,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # findings depend on one spec (and conventions, policy) alone
)
