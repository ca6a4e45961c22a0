"""Test plans in the repository's language: a French or German build writes every section
of `test-plans/<id>.md` in that language, its numbers with CLDR's separators and its
dates in ISO, whatever the machine's locale; the spec's unit word is kept as written;
English is what the page has always said (the golden outputs hold it byte for byte)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from compiler.analysis.power import METHODS, method_description
from compiler.backends.testplan import srm_critical_value, two_places, unit_word
from compiler.text.labels import labels
from tests.conftest import ROOT, build_in_locale

PLANS = ("pricing-page-cta", "signup-form-fields", "launch-subject-line")
NNBSP = "\u202f"  # French thousands separator (CLDR)
NBSP = "\xa0"  # before French `:` `;` and `%`
APOS = "\u2019"  # the French apostrophe


def _build(root: Path, locale: str, env: dict[str, str]) -> dict[str, str]:
    out = build_in_locale(root, locale, env) / "test-plans"
    return {plan: (out / f"{plan}.md").read_text(encoding="utf-8") for plan in PLANS}


@pytest.fixture(scope="module")
def french(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return _build(tmp_path_factory.mktemp("fr"), "fr", {"LC_ALL": "C"})


@pytest.fixture(scope="module")
def german(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return _build(tmp_path_factory.mktemp("de"), "de", {"LC_ALL": "C"})


def test_a_french_build_writes_its_test_plans_in_french(french: dict[str, str]) -> None:
    pricing = french["pricing-page-cta"]
    assert pricing.startswith(f"# Plan de test{NBSP}: Pricing page call to action\n")
    assert (
        "Généré par `campc build` à partir de `campaigns/performance/pricing-page-cta.yaml`"
        f"{NBSP}; ne pas modifier. Responsable{NBSP}: @growth-analytics.\n"
    ) in pricing
    for heading in (
        "## Contexte et hypothèse",
        "## Randomisation et ciblage",
        "## Variantes et répartition",
        "## Métriques",
        f"## Plan d{APOS}expérience",
        "## Durée et dates",
        "### Ce que chaque semaine permet de détecter",
        f"## Règle d{APOS}arrêt",
        "## Contrôle du déséquilibre de répartition (SRM)",
        "## Règle de décision",
        "## Liste de contrôle QA",
    ):
        assert f"\n{heading}\n" in pricing, heading
    assert (
        f"- Unité{NBSP}: **visitor** (chaque visitor ne voit qu{APOS}une seule variante pendant "
        "tout le test)"
    ) in pricing
    assert (
        f"- Trafic éligible{NBSP}: 4{NNBSP}200 par jour (unité{NBSP}: visitor), dont "
        f"100{NBSP}% inclus dans le test\n"
    ) in pricing
    assert "| variante | nom | poids | changement |" in pricing
    assert f"| `control` | Contact sales | 50{NBSP}% |  |" in pricing
    assert f"  - `revenue_per_visitor`{NBSP}: 5{NBSP}% (sens défavorable{NBSP}: baisse)" in pricing
    assert (
        f"- MDE{NBSP}: 15{NBSP}% de la valeur de référence (relatif), soit 0,0048 en absolu"
    ) in pricing
    assert "- Alpha 0,05, puissance 0,8, test bilatéral\n" in pricing
    assert f"- Méthode{NBSP}: test z de deux proportions, variance poolée" in pricing
    assert (
        f"- Taille d{APOS}échantillon{NBSP}: `control` 22{NNBSP}921, `free-trial` 22{NNBSP}921"
        f"{NBSP}; **45{NNBSP}842 au total**\n"
    ) in pricing
    assert (
        f"- 11 jours de trafic à 4{NNBSP}200 par jour (unité{NBSP}: visitor), à mener sur "
        "**2 semaines complètes** pour couvrir les cycles hebdomadaires\n"
    ) in pricing
    assert (
        "- Début le 2027-04-14, fin prévue le 2027-04-27, lecture des résultats le 2027-04-28\n"
    ) in pricing
    assert f"- Durée maximale acceptable{NBSP}: 6 semaines\n" in pricing
    assert (
        "| après la semaine | unités par bras (contrôle) | effet détectable (absolu) | relatif |"
    ) in pricing
    assert f"| 1 | 14{NNBSP}700 | 0,006006 | 18,77{NBSP}% |" in pricing
    assert f"| 8 | 117{NNBSP}600 | 0,002065 | 6,45{NBSP}% |" in pricing
    assert (
        f"Un test d{APOS}adéquation du khi-deux à 1 degré de liberté compare les unités par "
        f"variante à la répartition prévue{NBSP}; alerter si p < 0,001 (khi-deux supérieur à "
        "10,83)"
    ) in pricing
    assert f"| `free-trial` | 29{NNBSP}400 |" in pricing
    assert "avec p < 0,05 par rapport à la version de contrôle" in french["launch-subject-line"]
    assert "### Analyses intermédiaires\n\nBornes sur |z|, alpha partagé" in pricing
    assert "| 1 | 2027-04-18 | 33,3\xa0% | 10\u202f500 | 3,71 | 0,000104 |" in pricing
    assert (
        f"- [ ] L{APOS}affectation se fait par visitor et reste stable d{APOS}une session "
        f"à l{APOS}autre" in pricing
    )
    signup = french["signup-form-fields"]
    assert (
        f"- Correction{NBSP}: Holm sur 2 comparaisons{NBSP}: planifié à son étape la plus stricte"
    ) in signup
    assert "khi-deux à 2 degrés de liberté" in signup
    launch = french["launch-subject-line"]
    assert f"- MDE{NBSP}: 0,03 (absolu)\n" in launch
    assert f"- Correction{NBSP}: aucune nécessaire (une seule comparaison)" in launch
    assert (
        f"- Unités{NBSP}: les destinataires d{APOS}un envoi{NBSP}: 6{NNBSP}475 des 18{NNBSP}500 "
        f"de la liste (35{NBSP}%)"
    ) in launch
    assert f"- Envoyé le 2027-04-13, métrique mesurée jusqu{APOS}au 2027-04-14" in launch
    assert "test unilatéral" in launch


def test_a_german_build_writes_its_test_plans_in_german(german: dict[str, str]) -> None:
    pricing = german["pricing-page-cta"]
    assert pricing.startswith("# Testplan: Pricing page call to action\n")
    assert "Verantwortlich: @growth-analytics.\n" in pricing
    assert "\n## Testdesign\n" in pricing
    assert "\n## Prüfung auf Sample Ratio Mismatch (SRM)\n" in pricing
    assert "\n## QA-Checkliste\n" in pricing
    assert (
        "- Berechtigter Traffic: 4.200 pro Tag (Einheit: visitor), davon 100\xa0% im Test\n"
    ) in pricing
    assert "| Variante | Name | Gewicht | Änderung |" in pricing
    assert (
        "- Stichprobengröße: `control` 22.921, `free-trial` 22.921; **45.842 insgesamt**"
    ) in pricing
    assert (
        "- 11 Tage Traffic mit 4.200 pro Tag (Einheit: visitor), Laufzeit **2 volle Wochen**"
        in (pricing)
    )
    assert (
        "- Start am 2027-04-14, geplantes Ende am 2027-04-27, Auswertung am 2027-04-28\n"
    ) in pricing
    assert (
        "| Nach Woche | Einheiten je Arm (Kontrolle) | Erkennbarer Effekt (absolut) | Relativ |"
    ) in pricing
    assert "| 1 | 14.700 | 0,006006 | 18,77\xa0% |" in pricing
    assert "(Chi-Quadrat über 10,83)" in pricing
    assert "| `control` | 29.400 |" in pricing
    assert "- Methode: z-Test für zwei Anteile, gepoolte Varianz" in pricing
    assert "  - `bounce_rate`: 5\xa0% (ungünstige Richtung: Anstieg)" in pricing
    assert "    - Nicht-Unterlegenheit: ein einseitiger Test zum Alpha 0,05" in pricing
    signup = german["signup-form-fields"]
    assert "Ein Chi-Quadrat-Anpassungstest mit 2 Freiheitsgraden vergleicht" in signup
    assert "- Korrektur: Holm über 2 Vergleiche: geplant mit seiner strengsten Stufe" in signup
    assert "CUPED spart " in signup
    assert "| `two-fields` | Email and password only | 33\xa0% |  |" in signup
    launch = german["launch-subject-line"]
    assert "- Alpha 0,05, Teststärke 0,8, einseitig\n" in launch
    assert "- Versand am 2027-04-13, Metrik gemessen bis 2027-04-14" in launch
    assert "- Power für den MDE mit dieser Liste: **0,825**" in launch
    assert "- [ ] Jeder Empfänger erhält nur eine Variante" in launch
    assert "Sitzungen" not in launch  # a send's checklist, not a traffic test's


ENGLISH = (
    "# Test plan:",
    "do not edit",
    "Sign-off:",
    "## Context and hypothesis",
    "eligible",
    "of them enrolled",
    "| variant |",
    "Ramp: none declared",
    "- Primary:",
    "a win is",
    "bad direction",
    "Alpha 0.05",
    "two-proportion z-test",
    "in total",
    "of traffic at",
    "whole week",
    "| after week |",
    "No peeking",
    "degree of freedom",
    "degrees of freedom",
    "chi-square above",
    "Ship a treatment",
    "## QA checklist",
    "sticky across sessions",
)


def test_no_english_sentence_survives(french: dict[str, str], german: dict[str, str]) -> None:
    for page in (*french.values(), *german.values()):
        for sentence in ENGLISH:
            assert sentence not in page, sentence
    english = "".join(
        path.read_text() for path in sorted((ROOT / "outputs" / "test-plans").glob("*.md"))
    )
    assert all(sentence in english for sentence in ENGLISH)


def test_the_pages_do_not_depend_on_the_machine(tmp_path: Path, german: dict[str, str]) -> None:
    elsewhere = _build(tmp_path, "de", {"LC_ALL": "fr_FR.UTF-8", "TZ": "Asia/Tokyo"})
    assert elsewhere == german


def test_the_unit_word_is_the_spec_s() -> None:
    assert unit_word(labels("en"), 1, "visitor") == "visitor"
    assert unit_word(labels("en"), 2, "visitor") == "visitors"
    assert unit_word(labels("en"), 0, "session") == "sessions"
    assert unit_word(labels("fr"), 4200, "visitor") == "visitor"
    assert unit_word(labels("de"), 2, "contact") == "contact"


def test_the_sample_size_methods_read_in_the_locale() -> None:
    assert method_description("arcsine") == METHODS["arcsine"]
    assert method_description("arcsine", labels("fr")) == "transformation arc sinus (h de Cohen)"
    assert (
        method_description("continuous", labels("de")) == "Zwei-Stichproben-z-Test für Mittelwerte"
    )


@given(st.floats(min_value=0, max_value=1e12))
@example(0.5)
@example(1.5)
@example(2.5)
@example(12950.5)
@example(2**52 + 0.5)
def test_english_counts_in_tables_are_the_format_they_were(units: float) -> None:
    # the tables wrote `{units:,.0f}`; they now write `words.number(round(units))`
    assert labels("en").number(round(units)) == f"{units:,.0f}"


@given(st.floats(min_value=0, max_value=1e6))
def test_english_critical_values_are_the_format_they_were(value: float) -> None:
    assert two_places(labels("en"), value) == f"{value:.2f}"


@pytest.mark.parametrize("degrees", [1, 2, 7, 900, 2000])
def test_critical_values_have_two_places_and_no_grouping(degrees: int) -> None:
    critical = srm_critical_value(degrees)
    assert two_places(labels("en"), critical) == f"{critical:.2f}"
    assert two_places(labels("de"), critical) == f"{critical:.2f}".replace(".", ",")
    assert math.isclose(
        float(two_places(labels("fr"), critical).replace(",", ".")), critical, abs_tol=0.005
    )
