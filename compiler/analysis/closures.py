"""Days closed to sends and launches: public holidays of a market, and declared blackouts."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from compiler.conventions.holidays import holidays_of
from compiler.model.audience import Market
from compiler.model.blackouts import Blackouts
from compiler.project.facts import Fact

if TYPE_CHECKING:
    from compiler.project.repository import Repository

HOLIDAYS: Fact[dict[tuple[str, str | None, int], dict[date, str]]] = Fact("public holidays")
"""Each market's holidays per year, as looked up this run."""


def holiday(market: Market, day: date, repo: Repository | None = None) -> str | None:
    """The name of the public holiday on `day` in `market`, if there is one (UnknownMarket
    when the holidays package has no calendar for it). With a repository, each market's
    year is looked up once per run, as the loader hands the tables in (through the
    project's cache)."""
    if repo is None:
        return holidays_of(market.country, market.subdivision, day.year).get(day)
    tables = repo.facts.get(HOLIDAYS, dict)
    wanted = (market.country, market.subdivision, day.year)
    table = tables.get(wanted)
    if table is None:
        table = tables[wanted] = repo.holidays(*wanted)
    return table.get(day)


def holidays_between(
    market: Market, first: date, last: date, repo: Repository
) -> list[tuple[date, str]]:
    """The public holidays of `market` from `first` to `last` (within one year), by
    day, from the year's table `holiday` looks up once per run (UnknownMarket as it)."""
    holiday(market, first, repo)
    table = repo.facts.get(HOLIDAYS, dict)[(market.country, market.subdivision, first.year)]
    return sorted((day, name) for day, name in table.items() if first <= day <= last)


def parse_market(code: str) -> Market:
    """`DE-BY` -> Market(country='DE', subdivision='BY')."""
    country, _, subdivision = code.partition("-")
    return Market(country=country, subdivision=subdivision or None)


def blackout(repo: Repository, markets: list[Market], day: date) -> str | None:
    """The name of a declared blackout covering `day` for any of `markets`."""
    countries = {m.country for m in markets}
    for file in repo.registries:
        if not isinstance(file.model, Blackouts):
            continue
        for window in file.model.blackouts:
            applies = not window.markets or bool(countries & set(window.markets))
            if applies and window.start <= day <= window.end:
                return window.name
    return None
