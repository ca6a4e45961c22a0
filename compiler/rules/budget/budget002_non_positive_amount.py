"""A budget amount that is zero or negative.

## What it does
Reports a budget `total`, channel allocation or `contingency` that is not
above zero.

## Why is this bad?
A negative allocation silently lowers the channel sums in every report; a
zero allocation is a channel the campaign claims but does not fund (remove it
from `channels` instead).

## Example
```yaml
channels: {email: 8000, print: 0, paid_social: -2000}
```

## Use instead
```yaml
channels: {email: 8000}
```
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from compiler.diagnostics import Diagnostic, Loc, Rule, Severity
from compiler.model.campaign import Campaign

if TYPE_CHECKING:
    from compiler.project.repository import Repository


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding for each amount at or below zero."""
    rule = RULE
    for spec in repo.specs:
        model = spec.model
        if not isinstance(model, Campaign) or model.budget is None:
            continue
        budget = model.budget
        amounts: list[tuple[Loc, object]] = [(("budget", "total"), budget.total)]
        amounts += [(("budget", "channels", c), v) for c, v in budget.channels.items()]
        if budget.contingency is not None:
            amounts.append((("budget", "contingency"), budget.contingency))
        for loc, value in amounts:
            if value > 0:  # type: ignore[operator]
                continue
            line, col = spec.doc.value_at(loc)
            yield rule.diagnostic(
                spec.path,
                line,
                col,
                f"`{'.'.join(str(p) for p in loc[1:])}` is {value}; amounts must be above zero",
                "remove the line, or give the real amount",
            )


RULE = Rule(
    code="BUDGET002",
    name="non-positive-amount",
    severity=Severity.ERROR,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # findings depend on one spec (and conventions, policy) alone
)
