"""Pacing that spends outside the window, does not add up to 1, or lands on nothing.

## What it does
For budgets with `pacing: {months: ...}`, reports months outside the
campaign's window and shares that do not sum to 1. For `spend_on`, which ties
a channel's spend to milestones or sends, reports a channel the budget does not
allocate and an id that is neither a milestone nor a send of the campaign.

## Why is this bad?
Spend planned for a month the campaign does not run in is money booked
against nothing; shares that sum to 0.9 leave a tenth of every channel
unplanned; a tie to a milestone that does not exist would leave the channel
paced over the window while the plan says it lands with the event.

## Example
```yaml
window: {start: 2027-04-01, end: 2027-05-31}
budget:
  pacing: {months: {"2027-04": 0.5, "2027-05": 0.3, "2027-06": 0.3}}
```

```yaml
budget:
  channels: {events: 15000}
  spend_on: {events: [trade-fair]}   # no milestone or send `trade-fair`
```

## Use instead
```yaml
budget:
  pacing: {months: {"2027-04": 0.6, "2027-05": 0.4}}
```

```yaml
milestones:
  - {id: trade-fair, name: Big Data Expo, at: 2027-05-18}
budget:
  channels: {events: 15000}
  spend_on: {events: [trade-fair]}
```
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from decimal import Decimal
from typing import TYPE_CHECKING

from compiler.analysis.budget import month_key
from compiler.diagnostics import Diagnostic, Rule, Severity
from compiler.model.campaign import Campaign, MonthlyPacing

if TYPE_CHECKING:
    from compiler.project.repository import Repository, SpecFile


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding for each month outside the window and each pacing not summing to 1."""
    rule = RULE
    for spec in repo.specs:
        model = spec.model
        if not isinstance(model, Campaign) or model.budget is None:
            continue
        yield from _ties(spec, model)
        pacing = model.budget.pacing
        if not isinstance(pacing, MonthlyPacing):
            continue
        first, last = month_key(model.window.start), month_key(model.window.end)
        for month in pacing.months:
            if first <= month <= last:
                continue
            line, col = spec.doc.key_at(("budget", "pacing", "months", month))
            yield rule.diagnostic(
                spec.path,
                line,
                col,
                f"spend planned in {month}, outside the window ({first} to {last})",
                "move the share to a month of the window",
            )
        total = sum((Decimal(str(v)) for v in pacing.months.values()), Decimal(0))
        if total != 1:
            line, col = spec.doc.key_at(("budget", "pacing", "months"))
            yield rule.diagnostic(
                spec.path,
                line,
                col,
                f"monthly shares sum to {total:f}, not 1",
                "shares are fractions of each channel's allocation and must sum to 1",
            )


def _ties(spec: SpecFile, model: Campaign) -> Iterator[Diagnostic]:
    """A finding for each channel `spend_on` ties that has no allocation, and each id in
    it that is neither a milestone nor a send."""
    assert model.budget is not None
    known = sorted({m.id for m in model.milestones} | {s.id for s in model.sends})
    channels = sorted(model.budget.channels)
    for channel, ids in model.budget.spend_on.items():
        if channel not in model.budget.channels:
            line, col = spec.doc.key_at(("budget", "spend_on", channel))
            yield RULE.diagnostic(
                spec.path,
                line,
                col,
                f"`spend_on` ties `{channel}`, to which the budget allocates nothing",
                f"tie one of its channels ({', '.join(channels) or 'none'}), or allocate it",
            )
        for index, item in enumerate(ids):
            if item in known:
                continue
            line, col = spec.doc.value_at(("budget", "spend_on", channel, index))
            close = difflib.get_close_matches(item, known, n=1)
            yield RULE.diagnostic(
                spec.path,
                line,
                col,
                f"`{item}` is neither a milestone nor a send of this campaign",
                f"did you mean `{close[0]}`?"
                if close
                else f"name one of: {', '.join(known) or 'none (add a milestone)'}",
            )


RULE = Rule(
    code="BUDGET004",
    name="pacing-mismatch",
    severity=Severity.ERROR,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # findings depend on one spec (and conventions, policy) alone
)
