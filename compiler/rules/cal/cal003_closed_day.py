"""A send or launch on a public holiday or a blackout date of its markets.

## What it does
Checks each send (every occurrence, on its date in the audience's timezone)
against the public holidays of the audience's markets (the `holidays`
package) and the repository's `kind: blackouts` windows; and each campaign's
first day and milestones against the holidays of its audiences' markets (or
`[tool.campc.calendar] markets`). Reports the day and why it is closed.

## Why is this bad?
An announcement on Whit Monday reaches empty offices in Germany and France; a
launch during the company offsite has nobody to answer replies.

## Example
```yaml
window: {start: 2027-05-17, end: 2027-06-18}   # Whit Monday in DE and FR
```

## Use instead
```yaml
window: {start: 2027-05-18, end: 2027-06-18}
```

## Options
`[tool.campc.calendar] markets = ["FR", "DE-BY"]` for campaigns without audiences.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from compiler.analysis.closures import blackout, holiday, parse_market
from compiler.analysis.schedule import Event, events, occurrences
from compiler.conventions.holidays import UnknownMarket
from compiler.diagnostics import Diagnostic, Rule, Severity
from compiler.model.audience import Market
from compiler.model.campaign import Campaign
from compiler.text.prose import weekday_date

if TYPE_CHECKING:
    from compiler.project.repository import Repository


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding for each send or launch on a closed day."""
    rule = RULE
    default = [parse_market(m) for m in repo.policy.calendar.markets]
    for declared in repo.audiences():
        for index, market in enumerate(declared.audience.markets):
            try:
                holiday(market, date(2000, 1, 1), repo)
            except UnknownMarket as err:
                loc = ("audiences", declared.index, "markets", index)
                line, col = declared.file.doc.value_at(loc)
                yield rule.diagnostic(
                    declared.file.path,
                    line,
                    col,
                    f"no public-holiday calendar for market `{err}`",
                    "use an ISO 3166 country (and subdivision) the holidays package knows",
                )
    for event in events(repo):
        if event.kind not in ("send", "sequence-send", "window", "milestone"):
            continue
        markets, zone = _where(event, repo, default)
        for start in occurrences(event):
            day = _day(start, zone)
            reason = None
            try:
                reason = next(
                    (f"{name} ({m.country})" for m in markets if (name := holiday(m, day, repo))),
                    None,
                )
            except UnknownMarket:
                continue  # reported once, at the audience
            reason = reason or blackout(repo, markets, day)
            if reason is None:
                continue
            line, col = event.spec.doc.value_at(event.loc)
            what = "starts" if event.kind == "window" else "falls"
            yield rule.diagnostic(
                event.spec.path,
                line,
                col,
                f"{event.summary} {what} on {weekday_date(day)}: {reason}",
                "move it to an open day",
            )
            break


def _where(
    event: Event, repo: Repository, default: list[Market]
) -> tuple[list[Market], str | None]:
    audience = repo.audience(event.audience or "")
    if audience is not None:
        return list(audience.markets), audience.timezone
    model = event.spec.model
    if isinstance(model, Campaign):
        found = [repo.audience(a) for a in model.audiences]
        markets = [m for a in found if a is not None for m in a.markets]
        return markets or default, model.timezone
    return default, None


def _day(start: date | datetime, zone: str | None) -> date:
    if isinstance(start, datetime):
        return (start.astimezone(ZoneInfo(zone)) if zone else start).date()
    return start


RULE = Rule(
    code="CAL003",
    name="closed-day",
    severity=Severity.WARNING,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # a campaign's events depend on it and the sequences it links
)
