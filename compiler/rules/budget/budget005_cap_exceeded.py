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
from typing import TYPE_CHECKING, Any

from compiler.analysis.budget import plans, quarter
from compiler.diagnostics import Diagnostic, Rule, Severity

if TYPE_CHECKING:
    from compiler.project.repository import Repository


def collect(repo: Repository) -> dict[str, Any]:
    """Each campaign's spend: its id and domain, and `[quarter, currency, amount]` lines
    (the amount as exact decimal text), summed per quarter and currency."""
    found: dict[str, Any] = {}
    for plan in plans(repo):
        spend: dict[tuple[str, str], Decimal] = {}
        for item in plan.lines:
            key = (quarter(item.month), item.currency)
            spend[key] = spend.get(key, Decimal(0)) + item.amount
        found[plan.spec.path] = {
            "id": plan.campaign.id,
            "domain": plan.campaign.domain,
            "spend": [
                [period, currency, str(amount)] for (period, currency), amount in spend.items()
            ],
        }
    return found


def combine(repo: Repository, collected: dict[str, Any]) -> Iterator[Diagnostic]:
    """Yield a finding for each quarter (and domain) whose spend exceeds its cap."""
    rule = RULE
    policy = repo.policy.budget
    spend: dict[tuple[str | None, str, str], dict[str, Decimal]] = {}
    by_id: dict[str, str] = {}
    campaigns_of = [(data["id"], path, data) for path, data in collected.items() if data]
    for campaign, path, data in sorted(campaigns_of, key=lambda item: item[0]):
        by_id[campaign] = path
        for period, currency, amount in data["spend"]:
            for domain in (None, data["domain"]):
                campaigns = spend.setdefault((domain, period, currency), {})
                campaigns[campaign] = campaigns.get(campaign, Decimal(0)) + Decimal(amount)
    docs = {spec.path: spec.doc for spec in repo.specs}
    for (domain, period, currency), campaigns in sorted(spend.items(), key=str):
        caps = policy.quarterly_caps if domain is None else policy.domain_caps.get(domain, {})
        cap = caps.get(currency)
        total = sum(campaigns.values(), Decimal(0))
        if cap is None or total <= cap:
            continue
        biggest = max(sorted(campaigns), key=lambda c: campaigns[c])
        path = by_id[biggest]
        shares = ", ".join(f"{c} {v:f}" for c, v in sorted(campaigns.items()))
        scope = f"{domain} campaigns" if domain else "campaigns"
        line, col = docs[path].value_at(("budget", "total"))
        yield rule.diagnostic(
            path,
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
    collect=collect,
    combine=combine,
)
