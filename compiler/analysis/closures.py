"""Days closed to sends and launches: public holidays of a market, and declared blackouts."""

from __future__ import annotations

import warnings
from datetime import date
from functools import cache
from typing import TYPE_CHECKING

from compiler.model.audience import Market
from compiler.model.blackouts import Blackouts
from compiler.project.facts import Fact

if TYPE_CHECKING:
    from compiler.cache import Cache
    from compiler.project.repository import Repository

HOLIDAYS: Fact[dict[tuple[str, str | None, int], dict[date, str]]] = Fact("public holidays")
"""Each market's holidays per year, as looked up this run."""


class UnknownMarket(Exception):
    """The holidays package has no calendar for this country or subdivision."""


@cache
def _holidays(country: str, subdivision: str | None, year: int) -> dict[date, str]:
    import holidays as holiday_data  # imports every country's calendar: only when needed

    try:
        with warnings.catch_warnings():
            # years outside a country's data give an empty table, which is what we want
            warnings.simplefilter("ignore", UserWarning)
            table = holiday_data.country_holidays(
                country, subdiv=subdivision, years=[year], expand=False
            )
    except NotImplementedError:
        raise UnknownMarket(f"{country}-{subdivision}" if subdivision else country) from None
    return {day: str(name) for day, name in table.items()}


def holiday(market: Market, day: date, repo: Repository | None = None) -> str | None:
    """The name of the public holiday on `day` in `market`, if there is one.

    With a repository, each market's year is looked up once per run, in the project's
    cache first: the holidays package imports every country's calendar (a quarter of a
    second), which a check after a one-file edit should not pay for. (Its version is
    part of every key.)"""
    if repo is None:
        return _holidays(market.country, market.subdivision, day.year).get(day)
    tables = repo.facts.get(HOLIDAYS, dict)
    wanted = (market.country, market.subdivision, day.year)
    table = tables.get(wanted)
    if table is None:
        table = tables[wanted] = _cached_holidays(repo.cache, *wanted)
    return table.get(day)


def _cached_holidays(
    store: Cache, country: str, subdivision: str | None, year: int
) -> dict[date, str]:
    if not store.active:
        return _holidays(country, subdivision, year)
    key = store.key(b"holidays", f"{country}\0{subdivision}\0{year}".encode())
    stored = store.get("holidays", key)
    if isinstance(stored, dict):
        try:
            return {date.fromisoformat(day): str(name) for day, name in stored.items()}
        except (TypeError, ValueError):
            pass
    table = _holidays(country, subdivision, year)
    store.put("holidays", key, {day.isoformat(): name for day, name in table.items()})
    return table


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
