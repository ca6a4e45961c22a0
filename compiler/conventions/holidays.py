"""Public holidays per market and year, from the `holidays` package: data shipped with a
library, like the seed's tables, never read from the project."""

from __future__ import annotations

import warnings
from datetime import date
from functools import cache


class UnknownMarket(Exception):
    """The holidays package has no calendar for this country or subdivision."""


@cache
def holidays_of(country: str, subdivision: str | None, year: int) -> dict[date, str]:
    """The public holidays of a country (or subdivision) in a year, by day, named in
    American English (the package otherwise picks the language from the machine's
    locale variables, and a build must not depend on them)."""
    import holidays as holiday_data  # imports every country's calendar: only when needed

    try:
        with warnings.catch_warnings():
            # years outside a country's data give an empty table, which is what we want
            warnings.simplefilter("ignore", UserWarning)
            table = holiday_data.country_holidays(
                country, subdiv=subdivision, years=[year], expand=False, language="en_US"
            )
    except NotImplementedError:
        raise UnknownMarket(f"{country}-{subdivision}" if subdivision else country) from None
    return {day: str(name) for day, name in table.items()}
