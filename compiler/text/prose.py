"""Numbers, counts, durations and amounts as generated prose writes them, the same way on
every page: `1 day`, `36 hours`, `1,250`, `0.032`, `12.5%`, `EUR 30,000.00`.

Plain text, not Markdown: the caller escapes what it interpolates around them (these
helpers only ever print digits, signs, separators and English words).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

_IRREGULAR = {"day": "days", "entry": "entries", "property": "properties"}


_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def month(day: date) -> str:
    """`April 2027`, in English whatever the machine's locale (`%B` follows LC_TIME)."""
    return f"{_MONTHS[day.month - 1]} {day.year}"


def weekday_date(day: date) -> str:
    """`Thu 2027-04-01`, in English whatever the machine's locale (`%a` follows LC_TIME)."""
    return f"{_WEEKDAYS[day.weekday()]} {day:%Y-%m-%d}"


def plural(word: str) -> str:
    """`day` -> `days` (the few irregular words campc prints are listed)."""
    return _IRREGULAR.get(word, word + ("es" if word.endswith(("s", "x", "ch", "sh")) else "s"))


def count(number: int, word: str, many: str | None = None) -> str:
    """`1 day`, `2 days`, `1,500 emails`: the number and the word in agreement."""
    return f"{number:,} {word if number == 1 else many or plural(word)}"


def duration(value: timedelta) -> str:
    """`1 day`, `2 weeks`, `1 day 12 hours`, `90 minutes` -> `1 hour 30 minutes`; whole
    weeks read as weeks only when the value is a whole number of them."""
    minutes = int(value.total_seconds() // 60)
    if minutes <= 0:
        return "no time"
    units: list[tuple[str, int]] = [("day", 24 * 60), ("hour", 60), ("minute", 1)]
    if minutes % (7 * 24 * 60) == 0:
        units.insert(0, ("week", 7 * 24 * 60))
    parts = []
    for word, size in units:
        amount, minutes = divmod(minutes, size)
        if amount:
            parts.append(count(amount, word))
    return " ".join(parts)


def per(value: timedelta) -> str:
    """The window after "per": `day`, `week`, `36 hours`, `2 weeks`."""
    text = duration(value)
    return text[2:] if text.startswith("1 ") and " " not in text[2:] else text


def number(value: Decimal | float | int) -> str:
    """A number as written by hand: no exponent, no trailing zeros after the point,
    thousands separated (`0.032`, `1e-05` -> `0.00001`, `2,500`, `-1.5`)."""
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number")
    exact = value if isinstance(value, Decimal) else Decimal(repr(value))
    if exact == exact.to_integral_value():
        return f"{int(exact):,}"
    digits, _, fraction = format(abs(exact).normalize(), "f").partition(".")
    return f"{'-' if exact < 0 else ''}{int(digits):,}.{fraction}"


def significant(value: float, digits: int = 4) -> str:
    """A measurement to `digits` significant figures, never in exponent form."""
    return number(Decimal(f"{value:.{digits}g}"))


def percent(share: float | Decimal, places: int = 2, column: bool = False) -> str:
    """A share as a percentage to `places` decimals: in prose without trailing zeros
    (`50%`, `12.5%`), in a table `column` with all of them, so the points line up."""
    exact = Decimal(repr(share)) if isinstance(share, float) else share
    rounded = round(exact * 100, places)
    return f"{rounded:,.{places}f}%" if column else number(rounded) + "%"


def money(currency: str, amount: Decimal, places: int = 2, signed: bool = False) -> str:
    """`EUR 12,000.00` (`+EUR 5.00`, `-EUR 5.00` for deltas): independent of locale."""
    sign = "-" if amount < 0 else "+" if signed and amount > 0 else ""
    return f"{sign}{currency} {abs(amount):,.{places}f}"


def amount(value: Decimal, places: int = 2) -> str:
    """`12,000.00`: an amount in a column already headed by its currency."""
    return f"{value:,.{places}f}"


def listing(items: list[str], conjunction: str = "and") -> str:
    """`a`, `a and b`, `a, b and c`."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def value(item: object) -> str:
    """A spec value as prose: numbers as `number` writes them, booleans as `true` and
    `false`, text as it is (never a Python repr)."""
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, Decimal | int | float):
        return number(item)
    return "" if item is None else str(item)


_COMPARISONS = {
    "eq": ("is {}", "is not {}"),
    "ne": ("is not {}", "is {}"),
    "gt": ("is above {}", "is at most {}"),
    "gte": ("is at least {}", "is below {}"),
    "lt": ("is below {}", "is at least {}"),
    "lte": ("is at most {}", "is above {}"),
    "contains": ("contains {}", "does not contain {}"),
    "regex": ("matches {}", "does not match {}"),
    "in": ("is one of {}", "is not one of {}"),
    "not_in": ("is not one of {}", "is one of {}"),
    "between": ("is between {}", "is not between {}"),
    "exists": ("is set", "is not set"),
}


def comparison(op: str, values: list[str], holds: bool = True) -> str:
    """The predicate of a test on an attribute (or its negation), its values already
    written for the medium: `is at least 200`, `is one of a, b or c`, `is between 50 and
    199`, `is set`."""
    if op in ("in", "not_in") and len(values) == 1:
        op = "eq" if op == "in" else "ne"
    if op == "between" and len(values) == 2:
        shown = f"{values[0]} and {values[1]}"
    else:
        shown = listing(values, "or" if op in ("in", "not_in") else "and")
    affirmed, denied = _COMPARISONS.get(op, (op + " {}", "not " + op + " {}"))
    return (affirmed if holds else denied).format(shown)
