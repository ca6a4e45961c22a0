"""Days closed to sends and launches: public holidays of a market, and declared blackouts."""

from __future__ import annotations

import warnings
from datetime import date
from functools import cache
from typing import TYPE_CHECKING

from compiler.model.audience import Market
from compiler.model.blackouts import Blackouts

if TYPE_CHECKING:
    from compiler.cache import Cache
    from compiler.repository import Repository


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


def holiday(market: Market, day: date, store: Cache | None = None) -> str | None:
    """The name of the public holiday on `day` in `market`, if there is one.

    With the project's cache, a market's year is computed once and kept: the holidays
    package imports every country's calendar (a quarter of a second), which a check
    after a one-file edit should not pay for. (Its version is part of every key.)"""
    if store is None or not store.active:
        return _holidays(market.country, market.subdivision, day.year).get(day)
    key = store.key(b"holidays", f"{market.country}\0{market.subdivision}\0{day.year}".encode())
    table = store.get("holidays", key)
    if table is None:
        table = _holidays(market.country, market.subdivision, day.year)
        store.put("holidays", key, table)
    return table.get(day)


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
