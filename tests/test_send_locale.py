"""A send's own locale and variables: the example's German invitation to the Berlin
roadshow stop renders with `lang="de"`, its own samples and `Content-Language: de`; the
campaign's other send keeps the campaign's samples and no language header."""

from __future__ import annotations

from email import message_from_bytes, policy

from tests.conftest import ROOT

EMAILS = ROOT / "outputs" / "emails" / "data-quality-roadshow"


def test_a_send_s_locale_and_samples_are_its_own() -> None:
    german = (EMAILS / "einladung-berlin.html").read_text(encoding="utf-8")
    assert '<html lang="de">' in german
    assert "Hallo Jonas" in german
    assert "in Berlin" in german
    other = (EMAILS / "invitation-wave-1.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in other
    assert "Hi Inès" in other


def test_the_message_says_its_language() -> None:
    german = message_from_bytes(
        (EMAILS / "einladung-berlin.eml").read_bytes(), policy=policy.default
    )
    assert german["Content-Language"] == "de"
    assert german["Subject"] == "Fjord auf Tour: Datenqualität in Berlin"
    other = message_from_bytes(
        (EMAILS / "invitation-wave-1.eml").read_bytes(), policy=policy.default
    )
    assert other["Content-Language"] is None


def test_the_esp_templates_keep_the_locale_as_a_constant() -> None:
    for esp in ("customerio", "hubspot", "mautic"):
        page = ROOT / "outputs" / "esp" / esp / "data-quality-roadshow" / "einladung-berlin.html"
        assert '<html lang="de">' in page.read_text(encoding="utf-8"), esp
