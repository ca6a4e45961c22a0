"""Public holiday tables as the loader hands them to the rules: looked up through the
project's cache, since the holidays package imports every country's calendar (a quarter
of a second) that a check after a one-file edit should not pay for. The package's
version is part of every key."""

from __future__ import annotations

from datetime import date

from compiler.cache import Cache
from compiler.conventions.holidays import holidays_of


class CachedHolidays:
    """`holidays_of`, each table kept in the project's cache."""

    def __init__(self, store: Cache) -> None:
        self._store = store

    def __call__(self, country: str, subdivision: str | None, year: int) -> dict[date, str]:
        if not self._store.active:
            return holidays_of(country, subdivision, year)
        key = self._store.key(b"holidays", f"{country}\0{subdivision}\0{year}".encode())
        stored = self._store.get("holidays", key)
        if isinstance(stored, dict):
            try:
                return {date.fromisoformat(day): str(name) for day, name in stored.items()}
            except (TypeError, ValueError):
                pass
        table = holidays_of(country, subdivision, year)
        self._store.put("holidays", key, {day.isoformat(): name for day, name in table.items()})
        return table
