"""The words of the outputs a team reads, in the repository's language: `[tool.campc]
locale`, `en` (the default), `fr` or `de`.

Each label is an English message with `{named}` values, the msgid of a gettext catalog:
`text/locale/<locale>.po` holds the translations, read with Babel (`pybabel extract -F
babel.cfg` lists the messages the code asks for; a test holds the catalogs complete).
Numbers, percentages and month names come from Babel's CLDR data (`26 040`, `45 %`,
`avril 2027`), never from the machine's locale. Findings and CLI messages stay English:
they are for the people who fix specs, in the words of `campc explain`.
"""

from __future__ import annotations

import functools
from datetime import date
from importlib.resources import files
from typing import Any

LOCALES = ("en", "fr", "de")


def _(message: str) -> str:
    """Marks a message for the catalogs (`pybabel extract` looks for `_`); it is looked up
    where the locale is known, by `Labels.__call__`."""
    return message


@functools.cache
def _catalog(locale: str) -> dict[str, str]:
    """msgid -> translation; empty for `en` (the msgids are English)."""
    if locale == "en":
        return {}
    from babel.messages.pofile import read_po

    with (files("compiler.text") / "locale" / f"{locale}.po").open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    return {
        str(m.id): str(m.string)
        for m in catalog
        if isinstance(m.id, str) and m.id and isinstance(m.string, str) and m.string and not m.fuzzy
    }


@functools.cache
def labels(locale: str = "en") -> Labels:
    """The labels of a locale (one of `LOCALES`), made once."""
    return Labels(locale)


class Labels:
    """Messages, numbers and dates in one locale."""

    def __init__(self, locale: str) -> None:
        if locale not in LOCALES:
            raise ValueError(f"no labels for locale `{locale}`")
        self.locale = locale

    def __call__(self, message: str, **values: Any) -> str:
        """`message` in the locale, its `{named}` values filled in."""
        return _catalog(self.locale).get(message, message).format(**values)

    def count(self, n: int, one: str, many: str) -> str:
        """`3 days`, `1 jour`, `0 jour`: the message `one` or `many` (English, with `{n}`)
        as the locale's plural rule picks it (CLDR's: French says 0 in the singular), the
        number written the locale's way."""
        from babel import Locale

        form = Locale.parse(self.locale).plural_form(n)
        return self(one if form == "one" else many, n=self.number(n))

    def number(self, value: float) -> str:
        """`26,040` (en), `26 040` (fr), `26.040` (de)."""
        from babel.numbers import format_decimal

        return str(format_decimal(value, locale=self.locale))

    def percent(self, share: float, decimals: int = 0) -> str:
        """`45%` (en), `45 %` (fr, de): the locale's pattern, with `decimals` places."""
        from babel import Locale
        from babel.numbers import format_percent

        pattern = str(Locale.parse(self.locale).percent_formats[None].pattern)
        if decimals:
            pattern = pattern.replace("0", "0." + "0" * decimals, 1)
        return str(format_percent(share, pattern, locale=self.locale))

    def month(self, day: date) -> str:
        """`April 2027`, `avril 2027`, `April 2027`."""
        from babel.dates import format_date

        return str(format_date(day, "LLLL yyyy", locale=self.locale))
