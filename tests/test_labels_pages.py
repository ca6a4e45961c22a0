"""The budget, scoring and email pages in the repository's language: a French or German
build writes budget/README.md, scoring/<model>.md, scoring/dbt/README.md and the emails'
and ESPs' READMEs in that language, numbers the locale's way, the same on any machine;
the files other tools read (budget.csv and .xlsx, the SQL, the dbt YAML, the emails,
templates and JSON) are the English build's, byte for byte."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from compiler.analysis import scoring
from compiler.backends.esp import IMPORT
from compiler.text.labels import labels
from tests.conftest import ROOT, example_in_locale

ENGLISH = ROOT / "outputs"
CATALOGS = ("budget.po", "scoring.po", "emails.po")

BUILDS = {
    "fr": ("fr", {"LC_ALL": "C"}),
    "de": ("de", {"LC_ALL": "C"}),
    "de-elsewhere": ("de", {"LC_ALL": "fr_FR.UTF-8", "LANG": "fr_FR.UTF-8", "TZ": "Asia/Tokyo"}),
}
"""Each build the tests read: its locale and the machine's environment."""


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The outputs of each of `BUILDS`, built side by side (a build takes ~20 s)."""
    running = {}
    for name, (locale, env) in BUILDS.items():
        root = example_in_locale(tmp_path_factory.mktemp(name), locale)
        running[name] = (
            root,
            subprocess.Popen(
                [sys.executable, "-m", "compiler", "build"],
                cwd=root,
                env={**os.environ, **env},
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            ),
        )
    built = {}
    for name, (root, process) in running.items():
        output, _ = process.communicate()
        assert process.returncode == 0, output.decode("utf-8", "replace")
        built[name] = root / "outputs"
    return built


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _pages(outputs: Path) -> list[Path]:
    """The Markdown pages these tests are about, relative to `outputs`."""
    found = [Path("budget/README.md"), Path("scoring/dbt/README.md")]
    found += [p.relative_to(outputs) for p in sorted((outputs / "scoring").glob("*.md"))]
    found += [p.relative_to(outputs) for p in sorted((outputs / "emails").glob("*/README.md"))]
    found += [p.relative_to(outputs) for p in sorted((outputs / "esp").glob("*/*/README.md"))]
    return found


def _amount(text: str, group: str, point: str) -> Decimal:
    """An amount as a page prints it, read back: `116 300,00` -> 116300.00."""
    return Decimal(text.replace(group, "").replace(point, "."))


def _budget_sums(readme: str, group: str, point: str) -> tuple[Decimal, list[Decimal]]:
    """The total the budget README's sentence states, and every table's total, each
    checked against the sum of its rows."""
    number = rf"[\d{re.escape(group)}{re.escape(point)}]+"
    stated = re.search(rf"EUR ({number}) |({number})\xa0EUR", readme)  # en | fr, de
    assert stated is not None, readme[:300]
    totals = []
    for table in re.findall(r"\|---\|---:\|---:\|\n(.*?)\n\n", readme, flags=re.DOTALL):
        *rows, last = table.split("\n")
        shown = re.fullmatch(rf"\| \*\*\w+\*\* \| \*\*({number})\*\* \| \|", last)
        assert shown is not None, last
        total = _amount(shown.group(1), group, point)
        cells = [re.fullmatch(rf"\| [^|]+ \| ({number}) \| [^|]+ \|", row) for row in rows]
        assert all(cells), rows
        assert sum(_amount(c.group(1), group, point) for c in cells if c) == total
        totals.append(total)
    return _amount(stated.group(1) or stated.group(2), group, point), totals


def test_the_french_budget_reads_in_french_and_adds_up(out: dict[str, Path]) -> None:
    readme = _read(out["fr"] / "budget" / "README.md")
    assert readme.startswith(
        "# Budget\n\nGénéré par `campc build` à partir des specs\xa0; ne pas modifier.\n"
    )
    assert (
        "Budget total\xa0: 116\u202f300,00\xa0EUR pour 5 campagnes, dont 3\u202f000,00\xa0EUR "
        "en réserve pour imprévus." in readme
    )
    for line in (
        "### Par domaine",
        "### Par trimestre",
        "| canal | EUR | part |",
        "| acquisition | 13\u202f800,00 | 11,9\xa0% |",
        "| imprévus | 3\u202f000,00 | 2,6\xa0% |",
        "| **total** | **116\u202f300,00** | |",
        "pie title Répartition par canal (EUR)",
        '    "imprévus" : 3000.00',  # Mermaid reads the amount: written as code writes it
    ):
        assert line in readme.split("\n"), line
    stated, totals = _budget_sums(readme, "\u202f", ",")
    assert stated == Decimal("116300.00")
    assert totals == [stated] * 3
    english = _read(ENGLISH / "budget" / "README.md")
    assert _budget_sums(english, ",", ".") == (stated, totals)


def test_the_german_budget_reads_in_german_and_adds_up(out: dict[str, Path]) -> None:
    readme = _read(out["de"] / "budget" / "README.md")
    assert (
        "Gesamtbudget: 116.300,00\xa0EUR für 5 Kampagnen, davon 3.000,00\xa0EUR als Reserve "
        "zurückgehalten." in readme
    )
    for line in (
        "### Nach Bereich",
        "| Quartal | EUR | Anteil |",
        "| Reserve | 3.000,00 | 2,6\xa0% |",
        "| **Summe** | **116.300,00** | |",
        "pie title Aufteilung nach Kanal (EUR)",
    ):
        assert line in readme.split("\n"), line
    stated, totals = _budget_sums(readme, ".", ",")
    assert stated == Decimal("116300.00")
    assert totals == [stated] * 3


@pytest.mark.parametrize("locale", ["fr", "de"])
def test_finance_reads_the_english_budget_files(out: dict[str, Path], locale: str) -> None:
    for name in ("budget.csv", "budget.xlsx"):
        assert (out[locale] / "budget" / name).read_bytes() == (
            ENGLISH / "budget" / name
        ).read_bytes(), name


def test_the_scoring_page_in_french(out: dict[str, Path]) -> None:
    page = _read(out["fr"] / "scoring" / "b2b-lead-scoring.md")
    lines = page.split("\n")
    assert lines[0] == "# Modèle de scoring\xa0: B2B lead scoring and qualification"
    assert "Généré par `campc build`\xa0; ne pas modifier. Responsable\xa0: @revops." in lines
    for line in (
        "## Entrées",
        "`leads`\xa0: une ligne par lead\xa0: `lead_id` et ces attributs.",
        "| attribut | type | valeurs autorisées | description |",
        "## Règles de profil",
        "| `enterprise` | `company_size` est au moins 2\u202f000 | +10 | `c_enterprise` |",
        "| règle | événement | points par événement | plafond | fenêtre | événements comptés "
        "| colonne |",
        "| `pricing-views` | `pricing_page_viewed` | +5 | 15 | sur 30 jours | au plus 1 "
        "événement par jour | `c_pricing_views` |",
        "| `webinar` | `webinar_attended` | +10 |  | sans limite | seul le plus récent "
        "| `c_webinar` |",
        "- `unsubscribed`\xa0: événement `unsubscribed` survenu à la date de scoring ou avant",
        "- Décroissance\xa0: demi-vie de 30 jours, les événements de plus de 180 jours ne "
        "comptent plus",
        "- Plafonds\xa0: profil au plus 50, comportement au plus 60, total au plus 100, total "
        "au moins -20",
        "- MQL à partir de 50, SQL à partir de 75",
        "| exemple | date de scoring | profil | comportement | total | grade | étape |",
        "## Sémantique",
    ):
        assert line in lines, line
    assert scoring.semantics() in page  # the specification stays as the engines read it
    readme = _read(out["fr"] / "scoring" / "dbt" / "README.md")
    assert readme.startswith("# Projet dbt\xa0: les modèles de scoring de campc\n")
    assert (
        "- `models/b2b_lead_scoring.sql`\xa0: le modèle `b2b-lead-scoring` ([ses règles]"
        "(../b2b-lead-scoring.md))" in readme
    )
    assert "Lancez-le avec un profil nommé `campc`" in readme


def test_the_scoring_page_in_german(out: dict[str, Path]) -> None:
    lines = _read(out["de"] / "scoring" / "b2b-lead-scoring.md").split("\n")
    for line in (
        "# Scoring-Modell: B2B lead scoring and qualification",
        "| `enterprise` | `company_size` ist mindestens 2.000 | +10 | `c_enterprise` |",
        "| Regel | Ereignis | Punkte je Ereignis | Obergrenze | Zeitfenster | gezählt | Spalte |",
        "| `clicks` | `email_clicked` | +2 | 10 | die letzten 30 Tage | alle Ereignisse "
        "| `c_clicks` |",
        "- Einstufungen: A ab Fit 40, B ab Fit 25, C ab Fit 10, D ab Fit -100",
        "| Beispiel | Stichtag | Fit | Verhalten | Gesamt | Einstufung | Phase |",
        "## Semantik",
    ):
        assert line in lines, line
    readme = _read(out["de"] / "scoring" / "dbt" / "README.md")
    assert readme.startswith("# dbt-Projekt: die Scoring-Modelle von campc\n")
    assert "Mit einem Profil namens `campc` ausführen" in readme


@pytest.mark.parametrize("locale", ["fr", "de"])
def test_the_warehouse_reads_the_english_sql_and_yaml(out: dict[str, Path], locale: str) -> None:
    folder = ENGLISH / "scoring"
    written = sorted(p.relative_to(folder) for p in folder.rglob("*") if p.suffix != ".md")
    files = [p for p in written if (folder / p).is_file()]
    assert Path("dbt/dbt_project.yml") in files
    assert sum(p.suffix == ".sql" for p in files) >= 7
    for path in files:
        assert (out[locale] / "scoring" / path).read_bytes() == (folder / path).read_bytes(), path


def test_the_email_pages_in_french_and_german(out: dict[str, Path]) -> None:
    french = _read(out["fr"] / "emails" / "monthly-newsletter-q2" / "README.md").split("\n")
    assert french[0] == "# E-mails de `monthly-newsletter-q2`"
    assert "| e-mail | objet | pré-en-tête | fichiers |" in french
    assert (
        "| `newsletter` | Fjord monthly: Pulse is here | Release notes, a customer story and a "
        "guide. | [HTML](newsletter.html) · [texte](newsletter.txt) · [.eml](newsletter.eml) |"
    ) in french  # the subject and preheader are the spec's
    assert any(line.startswith("Balises UTM\xa0: `utm_source=newsletter`") for line in french)
    german = _read(out["de"] / "emails" / "monthly-newsletter-q2" / "README.md").split("\n")
    assert german[0] == "# E-Mails von `monthly-newsletter-q2`"
    assert "| E-Mail | Betreff | Preheader | Dateien |" in german
    assert any("[Text](newsletter.txt)" in line for line in german)

    mautic = _read(out["fr"] / "esp" / "mautic" / "monthly-newsletter-q2" / "README.md")
    assert mautic.startswith("# Modèles Mautic de `monthly-newsletter-q2`\n\nDans Mautic, créez")
    assert "Syntaxe\xa0: https://docs.mautic.org/en/5.x/configuration/variables.html" in mautic
    assert "| e-mail | objet | fichiers |" in mautic
    assert "`Fjord monthly: {contactfield=newsletter_issue_title}`" in mautic
    hubspot = _read(out["de"] / "esp" / "hubspot" / "monthly-newsletter-q2" / "README.md")
    assert hubspot.startswith("# HubSpot-Vorlagen von `monthly-newsletter-q2`\n")
    assert "Erstellen Sie in HubSpot eine codierte E-Mail-Vorlage" in hubspot
    assert "| E-Mail | Betreff | Dateien |" in hubspot


@pytest.mark.parametrize("locale", ["fr", "de"])
def test_the_emails_and_templates_are_the_english_builds(out: dict[str, Path], locale: str) -> None:
    compared = 0
    for top in ("emails", "esp"):
        for path in sorted((ENGLISH / top).rglob("*")):
            if path.is_file() and path.name != "README.md":
                shown = path.relative_to(ENGLISH)
                assert (out[locale] / shown).read_bytes() == path.read_bytes(), shown
                compared += 1
    assert compared > 50


_ENGLISH = {
    "budget/README.md": ["Total budget", "### By domain", "| domain |", "| contingency |"],
    "scoring/b2b-lead-scoring.md": [
        "# Scoring model:",
        "## Fit rules",
        "| rule | event |",
        " | the last 30 days | ",
        " | every event | ",
        "(on or before the scoring date)",
        "- Caps:",
        "The SQL files in this folder's",
    ],
    "scoring/dbt/README.md": ["Run it with a profile named", "`as_of` is the scoring date"],
    "emails/monthly-newsletter-q2/README.md": [
        "# Emails of",
        "Each email as HTML",
        "| email | subject |",
        "[text](",
        "UTM tags:",
    ],
    "esp/mautic/monthly-newsletter-q2/README.md": ["templates of", "In Mautic, create"],
}
"""A few English sentences of each page (none of them in the scoring semantics, which
stays English)."""


@pytest.mark.parametrize("locale", ["fr", "de"])
def test_no_translated_english_survives(out: dict[str, Path], locale: str) -> None:
    for page, sentences in _ENGLISH.items():
        english = _read(ENGLISH / page)
        translated = _read(out[locale] / page)
        for sentence in sentences:
            assert sentence in english, (page, sentence)
            assert sentence not in translated, (locale, page, sentence)


def test_the_pages_do_not_depend_on_the_machine(out: dict[str, Path]) -> None:
    pages = _pages(out["de"])
    assert len(pages) > 20
    assert pages == _pages(out["de-elsewhere"])
    for page in pages:
        assert (out["de"] / page).read_bytes() == (out["de-elsewhere"] / page).read_bytes(), page


def _kept(text: str) -> list[str]:
    """What a translation keeps as it is: code spans and link targets."""
    return sorted(re.findall(r"`[^`]*`|\]\([^)]*\)", text))


@pytest.mark.parametrize("locale", ["fr", "de"])
def test_translations_keep_code_and_links(locale: str) -> None:
    folder = ROOT / "compiler" / "text" / "locale" / locale
    for name in CATALOGS:
        with (folder / name).open("rb") as handle:
            for message in read_po(handle, locale=locale):
                if not message.id:
                    continue
                assert isinstance(message.id, str)
                assert isinstance(message.string, str)
                assert _kept(message.string) == _kept(message.id), (name, message.id)
                prose = re.sub(r"`[^`]*`", "`code`", message.string)
                if locale == "fr":  # a non-breaking space before : ; ? and !
                    assert not re.search(r"[^\xa0][:;?!](\s|$)", prose), message.string


def test_every_esp_note_reads_in_each_locale() -> None:
    for name, note in IMPORT.items():
        english = labels("en")(note)  # the ESP's own braces, written twice in the message
        for locale in ("fr", "de"):
            shown = labels(locale)(note)
            assert shown != english, (locale, name)
            assert _kept(shown) == _kept(english), (locale, name)
