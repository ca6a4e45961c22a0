"""The prose helpers in a locale: English is `text.prose` itself, whatever the value
(so English pages do not change when a back-end writes through `Labels`); French and
German take their separators and words from CLDR and the catalogs."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from compiler.text import prose
from compiler.text.labels import labels

english = labels("en")
french = labels("fr")
german = labels("de")

_decimals = st.decimals(
    min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=4, allow_nan=False
)


@given(_decimals, st.integers(0, 3), st.booleans())
def test_english_numbers_and_amounts_are_prose(value: Decimal, places: int, signed: bool) -> None:
    assert english.number(value) == prose.number(value)
    assert english.amount(value, places) == prose.amount(value, places)
    assert english.money("EUR", value, places, signed) == prose.money("EUR", value, places, signed)
    assert english.share(value / 100, places) == prose.percent(value / 100, places)
    assert english.share(value / 100, places, True) == prose.percent(value / 100, places, True)


@given(st.integers(0, 60 * 24 * 400))
def test_english_durations_are_prose(minutes: int) -> None:
    value = timedelta(minutes=minutes)
    assert english.duration(value) == prose.duration(value)
    assert english.per(value) == prose.per(value)


@given(_decimals)
def test_french_and_german_numbers_read_back_as_the_same_value(value: Decimal) -> None:
    for words, group, point in ((french, "\u202f", ","), (german, ".", ",")):
        shown = words.number(value)
        assert "E" not in shown
        assert Decimal(shown.replace(group, "").replace(point, ".")) == value
    assert english.number(value) == prose.number(value)


def test_french_and_german_words() -> None:
    assert french.number(Decimal("0.00001")) == "0,00001"
    assert german.number(1250) == "1.250"
    assert french.money("EUR", Decimal("12000"), signed=True) == "+12\u202f000,00\xa0EUR"
    assert german.money("EUR", Decimal("-5")) == "-5,00\xa0EUR"
    assert french.share(0.125) == "12,5\xa0%"
    assert german.share(0.5, column=True) == "50,00\xa0%"
    assert french.duration(timedelta(days=1, hours=12)) == "1 jour 12 heures"
    assert german.duration(timedelta(weeks=2)) == "2 Wochen"
    assert french.duration(timedelta(0)) == "aucune durée"
    assert french.per(timedelta(days=1)) == "jour"
    assert german.per(timedelta(hours=36)) == "1 Tag 12 Stunden"
    assert french.listing(["a", "b", "c"], "or") == "a, b ou c"
    assert german.comparison("between", ["50", "199"]) == "liegt zwischen 50 und 199"
    assert french.comparison("in", ["pro", "team"]) == "est l'un de pro ou team"
    assert french.comparison("gte", ["200"], holds=False) == "est inférieur à 200"
    assert german.value(True) == "true"
    assert german.value(Decimal("0.5")) == "0,5"
