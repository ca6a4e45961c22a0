"""Budget arithmetic, all in Decimal: each channel's allocation spread over the months of its
campaign's window, rounded to the currency's minor unit so the months sum exactly."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import ROUND_FLOOR, Decimal
from functools import cache
from typing import TYPE_CHECKING

from compiler.model.campaign import Budget, Campaign, MonthlyPacing
from compiler.project.facts import Fact

if TYPE_CHECKING:
    from compiler.project.repository import Repository, SpecFile


@cache
def currencies() -> frozenset[str]:
    """Every ISO 4217 code (current and historic, from CLDR via Babel)."""
    from babel.numbers import list_currencies

    return frozenset(list_currencies())


def is_currency(code: str) -> bool:
    """Whether `code` is an ISO 4217 currency code."""
    return code in currencies()


def minor_unit(code: str) -> int:
    """Decimal places of the currency's minor unit (2 for EUR, 0 for JPY, 3 for BHD)."""
    from babel.numbers import get_currency_precision

    return int(get_currency_precision(code)) if is_currency(code) else 2


def month_key(day: date) -> str:
    """`2027-04`."""
    return f"{day.year:04d}-{day.month:02d}"


def month_weights(window_start: date, window_end: date, pacing: object) -> dict[str, Decimal]:
    """Relative spend per month of the window under a pacing (not normalised): each day
    weighs 1 (even), or the days left counting itself (front-loaded: the first of `n`
    days weighs `n`), or its place (back-loaded: the first weighs 1). Summed month by
    month in closed form, not day by day (a test holds the two the same)."""
    if isinstance(pacing, MonthlyPacing):
        return {month: Decimal(str(share)) for month, share in sorted(pacing.months.items())}
    count = (window_end - window_start).days + 1
    weights: dict[str, Decimal] = {}
    first, day = 0, window_start
    while day <= window_end:
        following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
        days = (min(window_end, following - timedelta(days=1)) - day).days + 1
        last = first + days - 1
        places = (first + last) * days // 2  # 0-based places first..last, summed
        if pacing == "front_loaded":
            weight = days * count - places
        elif pacing == "back_loaded":
            weight = places + days
        else:
            weight = days
        weights[month_key(day)] = Decimal(weight)
        first, day = last + 1, following
    return weights


def dated_weights(campaign: Campaign, ids: list[str]) -> dict[str, Decimal]:
    """Relative spend per month of a channel tied to milestones or sends: one part per
    milestone (its day's month) and per occurrence of a send. Empty when `ids` is, or
    names nothing the campaign has (BUDGET004 reports that)."""
    from compiler.analysis.schedule import starts

    milestones = {m.id: m for m in campaign.milestones}
    sends = {s.id: s for s in campaign.sends}
    weights: dict[str, Decimal] = {}
    for item in ids:
        if item in milestones:
            at = milestones[item].at
            days = [at.date() if isinstance(at, datetime) else at]
        elif item in sends:
            days = [start.date() for start in starts(sends[item].at, sends[item].repeat)]
        else:
            continue
        for day in days:
            weights[month_key(day)] = weights.get(month_key(day), Decimal(0)) + 1
    return dict(sorted(weights.items()))


def split(amount: Decimal, weights: dict[str, Decimal], places: int) -> dict[str, Decimal]:
    """`amount` split by `weights`, rounded to `places`, summing exactly (largest remainder)."""
    total = sum(weights.values(), Decimal(0))
    quantum = Decimal(1).scaleb(-places)
    if total <= 0 or not weights:
        return {}
    exact = {key: amount * weight / total for key, weight in weights.items()}
    floored = {key: value.quantize(quantum, rounding=ROUND_FLOOR) for key, value in exact.items()}
    left = int(((amount - sum(floored.values(), Decimal(0))) / quantum).to_integral_value())
    by_remainder = sorted(exact, key=lambda key: (-(exact[key] - floored[key]), key))
    for key in by_remainder[: max(left, 0)]:
        floored[key] += quantum
    return dict(sorted(floored.items()))


@dataclass(frozen=True)
class Line:
    """One campaign's spend on one channel in one month."""

    campaign: str
    name: str
    domain: str
    currency: str
    channel: str
    month: str
    amount: Decimal


CONTINGENCY = "contingency"
"""The channel name the contingency's own lines carry in every budget view."""


@dataclass(frozen=True)
class Plan:
    """One campaign's budget: its allocation and its month-by-month pacing."""

    spec: SpecFile
    campaign: Campaign
    budget: Budget
    lines: tuple[Line, ...]
    """What each channel spends per month (the caps count these)."""
    held: tuple[Line, ...] = ()
    """The contingency, paced like the channels, as lines of its own (`CONTINGENCY`)."""

    @property
    def every_line(self) -> tuple[Line, ...]:
        """The channels' lines, then the contingency's: the whole total, month by month."""
        return self.lines + self.held


PLANS: Fact[list[Plan]] = Fact("budget plans")


def plans(repo: Repository, alongside: Sequence[Plan] = ()) -> list[Plan]:
    """The budget plan of every campaign that has a budget, by campaign id (worked out
    once per repository: the budget rule, the sheet, the site and `campc diff` share it).
    With `alongside`, another repository's plans, a campaign whose model is the very
    object one of them was made from takes that plan's lines (they are the model's
    alone): the two sides of `campc diff` share the models of their unchanged files."""
    return repo.facts.get(PLANS, lambda: _plans(repo, {id(p.campaign): p for p in alongside}))


def _plans(repo: Repository, known: dict[int, Plan]) -> list[Plan]:
    found = []
    for spec in repo.specs:
        if spec.kind != "campaign":
            continue
        model = spec.model
        if not isinstance(model, Campaign) or model.budget is None:
            continue
        twin = known.get(id(model))
        if twin is not None and twin.campaign is model:
            found.append(replace(twin, spec=spec))
            continue
        budget = model.budget
        places = minor_unit(budget.currency)
        weights = month_weights(model.window.start, model.window.end, budget.pacing)
        lines = []
        for channel, amount in sorted(budget.channels.items()):
            dated = dated_weights(model, budget.spend_on.get(channel, []))
            for month, value in split(amount, dated or weights, places).items():
                lines.append(
                    Line(model.id, model.name, model.domain, budget.currency, channel, month, value)
                )
        held = []
        if budget.contingency:
            for month, value in split(budget.contingency, weights, places).items():
                held.append(
                    Line(
                        model.id,
                        model.name,
                        model.domain,
                        budget.currency,
                        CONTINGENCY,
                        month,
                        value,
                    )
                )
        found.append(Plan(spec, model, budget, tuple(lines), tuple(held)))
    return sorted(found, key=lambda p: p.campaign.id)


def quarter(month: str) -> str:
    """`2027-04` -> `2027-Q2`."""
    year, number = month.split("-")
    return f"{year}-Q{(int(number) - 1) // 3 + 1}"


def totals(lines: Sequence[Line], by: Callable[[Line], str]) -> list[tuple[str, Decimal]]:
    """The lines' amounts summed per `by(line)` (a channel, month, domain, quarter...),
    by name; the contingency, held back rather than spent, last."""
    sums: dict[str, Decimal] = {}
    for line in lines:
        name = by(line)
        sums[name] = sums.get(name, Decimal(0)) + line.amount
    return sorted(sums.items(), key=lambda item: (item[0] == CONTINGENCY, item))
