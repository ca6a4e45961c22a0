"""Near misses get a suggestion: a currency symbol or name -> its ISO 4217 code, an
accented or spaced id -> its slug."""

from __future__ import annotations

import pytest

from compiler.load.source import read
from compiler.load.validate import slug_of, validate

SPEC = """\
kind: campaign
id: {id}
name: Launch
domain: campagnes
owner: ops@acme.example
timezone: Europe/Paris
window: {{start: 2027-04-01, end: 2027-04-30}}
budget: {{currency: "{currency}", total: 10, channels: {{email: 10}}}}
"""


def _hints(spec_id: str, currency: str) -> list[str]:
    doc, found = read("a.yaml", SPEC.format(id=spec_id, currency=currency).encode())
    assert doc is not None, found
    _, invalid = validate(doc)
    return [d.hint for d in invalid]


@pytest.mark.parametrize(
    ("given", "code"),
    [("EURO", "EUR"), ("€", "EUR"), ("eur", "EUR"), ("$", "USD"), ("£", "GBP"), ("Yen", "JPY")],
)
def test_a_currency_near_miss_suggests_its_code(given: str, code: str) -> None:
    assert _hints("launch", given) == [f"did you mean `{code}`? (an ISO 4217 code)"]


@pytest.mark.parametrize(
    ("given", "slug"),
    [
        ("abonnés-newsletter", "abonnes-newsletter"),
        ("Spring Launch 2027", "spring-launch-2027"),
        ("lancement_été--2027", "lancement-ete-2027"),
    ],
)
def test_an_id_near_miss_suggests_its_slug(given: str, slug: str) -> None:
    assert slug_of(given) == slug
    assert _hints(given, "EUR") == [f"did you mean `{slug}`?"]
