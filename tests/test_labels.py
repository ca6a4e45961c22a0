"""Calendar labels in the repository's language: the catalogs hold every message the
code asks for (found by Babel's own extractor) with the same placeholders; English is
the msgids themselves; a French or German build writes its calendars in that language,
numbers and months from CLDR, whatever the machine's locale."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import date
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from icalendar import Calendar

from compiler.analysis.schedule import events
from compiler.commands import pipeline
from compiler.text import labels as labels_module
from compiler.text.labels import LOCALES, _catalog, catalog_files, labels
from tests.conftest import ROOT, build_in_locale, client_missing, real_client

JS = ROOT / "tests" / "js"

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _messages() -> set[str]:
    found = extract_from_dir(
        str(ROOT / "compiler"), method_map=[("**.py", "python")], keywords={"_": None}
    )
    return {str(message) for _, _, message, _, _ in found}


@pytest.mark.parametrize("locale", [locale for locale in LOCALES if locale != "en"])
def test_every_message_is_translated_with_its_placeholders(locale: str) -> None:
    catalog = _catalog(locale)
    messages = _messages()
    assert "Send: {name}" in messages
    assert messages <= set(catalog), sorted(messages - set(catalog))
    for message in messages:
        wanted = sorted(_PLACEHOLDER.findall(message))
        assert sorted(_PLACEHOLDER.findall(catalog[message])) == wanted, message
    assert set(catalog) <= messages, sorted(set(catalog) - messages)  # nothing stale
    twice = {m: held for m, held in catalog_files(locale).items() if len(held) > 1}
    assert not twice, twice  # a message lives in one page's file


def test_english_is_the_message_itself_and_summaries_agree() -> None:
    repo = pipeline.check(pipeline.settings_for(ROOT)).repositories[0]
    for event in events(repo):
        assert event.summary == event.summary_in(labels("en"))
    assert labels("en").month(date(2027, 4, 1)) == "April 2027"
    assert labels("fr").month(date(2027, 4, 1)) == "avril 2027"
    assert labels("de").count(1, "{n} day", "{n} days") == "1 Tag"
    assert labels("fr").count(0, "{n} day", "{n} days") == "0 jour"  # CLDR: 0 is singular
    assert labels("fr").number(26040) == "26\u202f040"
    assert labels("de").percent(0.455, 1) == "45,5\xa0%"
    with pytest.raises(ValueError, match="no labels for locale `es`"):
        labels_module.Labels("es")


def _build(tmp_path: Path, locale: str, env: dict[str, str] | None = None) -> Path:
    return build_in_locale(tmp_path / locale, locale, env)


def test_a_french_build_writes_its_calendars_in_french(tmp_path: Path) -> None:
    out = _build(tmp_path, "fr", {"LC_ALL": "C", "LANG": "de_DE.UTF-8"})
    calendar = Calendar.from_ical((out / "calendar" / "all.ics").read_bytes())
    assert str(calendar["X-WR-CALNAME"]) == "Toutes les campagnes"
    summaries = [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")]
    assert "Envoi\xa0: Monthly newsletter" in summaries
    assert any(s.startswith("Envoi de séquence\xa0: ") for s in summaries)
    assert any(s.startswith("Expérience\xa0: ") and " jours, " in s for s in summaries)
    descriptions = [str(e["DESCRIPTION"]) for e in calendar.walk("VEVENT")]
    assert all(d.startswith("Responsable\xa0: ") for d in descriptions)
    readme = (out / "calendar" / "README.md").read_text(encoding="utf-8")
    assert readme.startswith("# Calendrier\n")
    assert "### avril 2027" in readme
    assert "| date | heure | événement | spec |" in readme
    # the UIDs, times and every other file are the English build's
    english = ROOT / "outputs"
    assert (out / "budget" / "budget.csv").read_bytes() == (
        english / "budget" / "budget.csv"
    ).read_bytes()
    uids = [str(e["UID"]) for e in calendar.walk("VEVENT")]
    english_ics = Calendar.from_ical((english / "calendar" / "all.ics").read_bytes())
    assert uids == [str(e["UID"]) for e in english_ics.walk("VEVENT")]


def test_icaljs_reads_the_french_labels_as_written(tmp_path: Path) -> None:
    node = real_client("node", install="apt-get install nodejs npm (or `nox -s tests`)")
    if not (JS / "node_modules" / "ical.js").is_dir():
        client_missing("ical.js is not installed: npm ci --prefix tests/js (or `nox -s tests`)")
    path = _build(tmp_path, "fr") / "calendar" / "all.ics"
    read = json.loads(
        subprocess.run(
            [node, str(JS / "ics_summaries.mjs"), str(path)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    calendar = Calendar.from_ical(path.read_bytes())
    assert read["name"] == "Toutes les campagnes"
    assert [(e["uid"], e["summary"], e["description"]) for e in read["events"]] == [
        (str(e["UID"]), str(e["SUMMARY"]), str(e["DESCRIPTION"])) for e in calendar.walk("VEVENT")
    ]
    assert any("séquence\xa0:" in e["summary"] for e in read["events"])


def test_a_german_build_is_german_and_the_same_on_any_machine(tmp_path: Path) -> None:
    first = _build(tmp_path / "a", "de", {"LC_ALL": "C"})
    second = _build(tmp_path / "b", "de", {"LC_ALL": "fr_FR.UTF-8", "TZ": "Asia/Tokyo"})
    readme = (first / "calendar" / "README.md").read_bytes()
    assert readme == (second / "calendar" / "README.md").read_bytes()
    assert (first / "calendar" / "all.ics").read_bytes() == (
        second / "calendar" / "all.ics"
    ).read_bytes()
    assert "Versand: Monthly newsletter" in readme.decode("utf-8")
    assert "ganztägig" in readme.decode("utf-8")
