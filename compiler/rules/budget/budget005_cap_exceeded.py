"""Campaigns together spend more in a quarter than a configured cap allows.

## What it does
Adds up the paced spend of every campaign per quarter and currency (and per
domain) and compares it with `[tool.campc.budget]` `quarterly-caps` and
`domain-caps`, naming the amount over and the campaigns that share the cap.
The finding is reported on the campaign spending the most in that quarter.

## Why is this bad?
Each campaign fits its own budget, but finance approved a quarter. Nobody sees
the overrun until the invoices arrive.

## Example
```toml
[tool.campc.budget]
quarterly-caps = { EUR = 100000 }
```
with two campaigns spending 60,000 and 55,000 EUR in 2027-Q2.

## Use instead
Lower one campaign's budget, move spend to another quarter, or raise the cap.

## Options
`quarterly-caps = { EUR = 100000 }` and `domain-caps = { campagnes = { EUR = 80000 } }`.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import TYPE_CHECKING

from compiler.analysis.budget import Plan, plans, quarter
from compiler.diagnostics import Diagnostic, Rule, Severity

if TYPE_CHECKING:
    from compiler.project.repository import Repository


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding for each quarter (and domain) whose spend exceeds its cap."""
    rule = RULE
    policy = repo.policy.budget
    spend: dict[tuple[str | None, str, str], dict[str, Decimal]] = {}
    by_id: dict[str, Plan] = {}
    for plan in plans(repo):
        by_id[plan.campaign.id] = plan
        for item in plan.lines:
            for domain in (None, item.domain):
                key = (domain, quarter(item.month), item.currency)
                campaigns = spend.setdefault(key, {})
                campaigns[item.campaign] = campaigns.get(item.campaign, Decimal(0)) + item.amount
    for (domain, period, currency), campaigns in sorted(spend.items(), key=str):
        caps = policy.quarterly_caps if domain is None else policy.domain_caps.get(domain, {})
        cap = caps.get(currency)
        total = sum(campaigns.values(), Decimal(0))
        if cap is None or total <= cap:
            continue
        biggest = max(sorted(campaigns), key=lambda c: campaigns[c])
        plan = by_id[biggest]
        shares = ", ".join(f"{c} {v:f}" for c, v in sorted(campaigns.items()))
        scope = f"{domain} campaigns" if domain else "campaigns"
        line, col = plan.spec.doc.value_at(("budget", "total"))
        yield rule.diagnostic(
            plan.spec.path,
            line,
            col,
            f"{scope} spend {total:f} {currency} in {period}, {total - cap:f} over the cap of "
            f"{cap:f} ({shares})",
            "lower a budget, move spend to another quarter, or raise the cap in pyproject.toml",
        )


RULE = Rule(
    code="BUDGET005",
    name="cap-exceeded",
    severity=Severity.ERROR,
    doc=__doc__ or "",
    check=check,
)
