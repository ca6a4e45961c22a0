"""The words of the outputs a team reads, in the repository's language: `[tool.campc]
locale`, `en` (the default), `fr` or `de`.

Each label is an English message with `{named}` values, the msgid of a gettext catalog:
`text/locale/<locale>/*.po` hold the translations, one file per page (`calendar.po`,
`sequences.po`, ...; a message lives in one of them), read with Babel (`pybabel extract
-F babel.cfg` lists the messages the code asks for; a test holds the catalogs complete).
Numbers, percentages, amounts and month names come from Babel's CLDR data (`26 040`,
`45 %`, `12 000,00 EUR`, `avril 2027`), never from the machine's locale; in English every
helper is `text.prose`'s, so English pages are the same whichever way they are written.
Findings and CLI messages stay English: they are for the people who fix specs, in the
words of `campc explain`.
"""

from __future__ import annotations

import functools
from datetime import date, timedelta
from decimal import Decimal
from importlib.resources import files
from typing import Any

from compiler.text import prose

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

    merged: dict[str, str] = {}
    folder = files("compiler.text") / "locale" / locale
    for entry in sorted(folder.iterdir(), key=lambda item: item.name):
        if not entry.name.endswith(".po"):
            continue
        with entry.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        for m in catalog:
            translated = isinstance(m.string, str) and m.string and not m.fuzzy
            if isinstance(m.id, str) and m.id and translated:
                merged[str(m.id)] = str(m.string)
    return merged


def catalog_files(locale: str) -> dict[str, list[str]]:
    """msgid -> the catalog files of `locale` that hold it (a test holds it to one)."""
    from babel.messages.pofile import read_po

    held: dict[str, list[str]] = {}
    for entry in sorted((files("compiler.text") / "locale" / locale).iterdir(), key=str):
        if entry.name.endswith(".po"):
            with entry.open("rb") as handle:
                for m in read_po(handle, locale=locale):
                    if isinstance(m.id, str) and m.id:
                        held.setdefault(m.id, []).append(entry.name)
    return held


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

    def number(self, value: Decimal | float | int) -> str:
        """`26,040` (en), `26 040` (fr), `26.040` (de): `prose.number` in the locale's
        separators (no exponent, no trailing zeros)."""
        if self.locale == "en":
            return prose.number(value)
        from babel.numbers import format_decimal

        if isinstance(value, bool):
            raise TypeError("a boolean is not a number")
        exact = value if isinstance(value, Decimal) else Decimal(repr(value))
        exact = exact.normalize() if exact != exact.to_integral_value() else exact.quantize(1)
        return str(format_decimal(exact, locale=self.locale, decimal_quantization=False))

    def significant(self, value: float, digits: int = 4) -> str:
        """A measurement to `digits` significant figures (`prose.significant`)."""
        return self.number(Decimal(f"{value:.{digits}g}"))

    def amount(self, value: Decimal, places: int = 2) -> str:
        """`12,000.00`, `12 000,00`, `12.000,00`: an amount under a currency heading."""
        if self.locale == "en":
            return prose.amount(value, places)
        from babel.numbers import format_decimal

        pattern = "#,##0" + ("." + "0" * places if places else "")
        return str(format_decimal(value, format=pattern, locale=self.locale))

    def money(self, currency: str, amount: Decimal, places: int = 2, signed: bool = False) -> str:
        """`EUR 12,000.00` (en, `prose.money`), `12 000,00 EUR` (fr), `12.000,00 EUR` (de);
        `signed` puts `+` before a positive delta."""
        if self.locale == "en":
            return prose.money(currency, amount, places, signed)
        sign = "-" if amount < 0 else "+" if signed and amount > 0 else ""
        return f"{sign}{self.amount(abs(amount), places)}\xa0{currency}"

    def share(self, value: float | Decimal, places: int = 2, column: bool = False) -> str:
        """A share as a percentage the way `prose.percent` writes it (trailing zeros
        dropped in prose, kept in a table `column`), in the locale: `12.5%`, `12,5 %`."""
        if self.locale == "en":
            return prose.percent(value, places, column)
        from babel import Locale
        from babel.numbers import format_decimal

        exact = Decimal(repr(value)) if isinstance(value, float) else value
        rounded = round(exact * 100, places)
        pattern = str(Locale.parse(self.locale).percent_formats[None].pattern)
        suffix = pattern[pattern.rindex("0") + 1 :]
        if column:
            digits = "#,##0" + ("." + "0" * places if places else "")
            return str(format_decimal(rounded, format=digits, locale=self.locale)) + suffix
        return self.number(rounded) + suffix

    def duration(self, value: timedelta) -> str:
        """`1 day`, `2 weeks`, `1 day 12 hours` (`prose.duration`), in the locale."""
        if self.locale == "en":
            return prose.duration(value)
        minutes = int(value.total_seconds() // 60)
        if minutes <= 0:
            return self(_("no time"))
        units = [
            (24 * 60, _("{n} day"), _("{n} days")),
            (60, _("{n} hour"), _("{n} hours")),
            (1, _("{n} minute"), _("{n} minutes")),
        ]
        if minutes % (7 * 24 * 60) == 0:
            units.insert(0, (7 * 24 * 60, _("{n} week"), _("{n} weeks")))
        parts = []
        for size, one, many in units:
            amount, minutes = divmod(minutes, size)
            if amount:
                parts.append(self.count(amount, one, many))
        return " ".join(parts)

    def per(self, value: timedelta) -> str:
        """The window after "per": `day`, `week`, `36 hours` (`prose.per`)."""
        if self.locale == "en":
            return prose.per(value)
        text = self.duration(value)
        number, _space, rest = text.partition(" ")
        return rest if number == "1" and rest and " " not in rest else text

    def listing(self, items: list[str], conjunction: str = "and") -> str:
        """`a`, `a and b`, `a, b and c` (`or` with `conjunction="or"`), in the locale."""
        if self.locale == "en":
            return prose.listing(items, conjunction)
        if len(items) <= 1:
            return "".join(items)
        message = _("{first} or {last}") if conjunction == "or" else _("{first} and {last}")
        return self(message, first=", ".join(items[:-1]), last=items[-1])

    def value(self, item: object) -> str:
        """A spec value as prose (`prose.value`), numbers in the locale's way."""
        if isinstance(item, Decimal | int | float) and not isinstance(item, bool):
            return self.number(item)
        return prose.value(item)

    def comparison(self, op: str, values: list[str], holds: bool = True) -> str:
        """The predicate of a test on an attribute (`prose.comparison`), in the locale:
        `is at least 200`, `est au moins 200`."""
        if self.locale == "en":
            return prose.comparison(op, values, holds)
        if op in ("in", "not_in") and len(values) == 1:
            op = "eq" if op == "in" else "ne"
        if op == "between" and len(values) == 2:
            shown = self(_("{first} and {last}"), first=values[0], last=values[1])
        else:
            shown = self.listing(values, "or" if op in ("in", "not_in") else "and")
        affirmed, denied = _COMPARISONS.get(op, (op + " {values}", "not " + op + " {values}"))
        return self(affirmed if holds else denied, values=shown)

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


_COMPARISONS = {
    "eq": (_("is {values}"), _("is not {values}")),
    "ne": (_("is not {values}"), _("is {values}")),
    "gt": (_("is above {values}"), _("is at most {values}")),
    "gte": (_("is at least {values}"), _("is below {values}")),
    "lt": (_("is below {values}"), _("is at least {values}")),
    "lte": (_("is at most {values}"), _("is above {values}")),
    "contains": (_("contains {values}"), _("does not contain {values}")),
    "regex": (_("matches {values}"), _("does not match {values}")),
    "in": (_("is one of {values}"), _("is not one of {values}")),
    "not_in": (_("is not one of {values}"), _("is one of {values}")),
    "between": (_("is between {values}"), _("is not between {values}")),
    "exists": (_("is set"), _("is not set")),
}
