# ruff: noqa: RUF001 (the pages print French apostrophes and Mermaid's full-width signs)
"""The sequence pages and the Mautic import pages in the repository's language: a French
or German build writes `sequences/<id>.md` (header, graph, steps, QA plan) and
`vendors/mautic/<id>.md` in that language, numbers the locale's way, the same on any
machine; the Mautic JSON and ZIP stay the English build's byte for byte, and the words
of findings (`Hop.when`, `timing.words`) stay English unless asked."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from compiler.analysis import timing
from compiler.analysis.sequences import paths
from compiler.backends import mautic
from compiler.backends.sequences import document
from compiler.config.policy import Policy
from compiler.email.esp import Compiled
from compiler.model.sequence import SendStep, Sequence, WaitStep
from compiler.text.labels import labels
from tests.conftest import ROOT, SEND, build_in_locale, sequence_of

PAGES = ("sequences", "vendors/mautic")
SEQUENCES = ("newsletter-welcome", "trial-onboarding-nurture", "webinar-follow-up")
N = "\xa0"  # French puts a no-break space before : ; ? and inside « »


def _build(root: Path, locale: str, env: dict[str, str]) -> Path:
    return build_in_locale(root, locale, env)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The example built in French and German (`LC_ALL=C`), and in French again on a
    machine in another locale and timezone."""
    root = tmp_path_factory.mktemp("labels-sequences")
    return {
        "fr": _build(root / "fr", "fr", {"LC_ALL": "C"}),
        "de": _build(root / "de", "de", {"LC_ALL": "C"}),
        "fr-tokyo": _build(
            root / "fr-tokyo",
            "fr",
            {"LC_ALL": "fr_FR.UTF-8", "LANG": "de_DE.UTF-8", "TZ": "Asia/Tokyo"},
        ),
    }


def _page(out: Path, name: str) -> str:
    return (out / name).read_text(encoding="utf-8")


def test_a_french_build_writes_its_sequence_pages_in_french(built: dict[str, Path]) -> None:
    page = _page(built["fr"], "sequences/trial-onboarding-nurture.md")
    assert page.startswith(f"# Séquence `trial-onboarding-nurture`{N}: Trial onboarding nurture\n")
    assert (
        "Entrée sur l’événement `trial_started` pour l’audience `trial-users`"
        f"{N}; heures calmes de 20:00 à 08:00 (un envoi prévu pendant ces heures attend "
        f"jusqu’à 08:00){N}; au plus 3 e-mails par semaine.\n"
    ) in page
    # the graph: its labels in French, Mermaid's syntax and escaping as in English
    assert "## Graphe\n\n```mermaid\nflowchart TD\n" in page
    assert '  n0["envoi welcome<br/>Welcome to Fjord, ｛｛ first_name ｝｝"]\n' in page
    assert '  n1(["attendre 2 jours"])\n' in page
    assert f'  n4{{"a déclenché ｀pipeline_connected｀ dans un délai de 5 jours{N}?"}}\n' in page
    assert f'  n8[["objectif upgraded{N}: a déclenché ｀subscription_started｀"]]\n' in page
    assert '  n9(("sortie done"))\n' in page
    assert "  n4 -- oui --> n5\n  n4 -- non --> n6\n" in page
    # the steps
    assert "## Étapes\n\n| étape | type | contenu | au plus tôt après l’entrée |\n" in page
    assert (
        f"| `welcome` | send | `onboarding/welcome.html`{N}: Welcome to Fjord, {{{{ first_name }}}}"
        " | jour 0 |\n"
    ) in page
    assert "| `upgraded` | goal | a déclenché `subscription_started` | jour 9 |\n" in page
    # the QA test plan
    assert "## Plan de test QA\n\n2 parcours de l’entrée à la fin. Parcourez chacun" in page
    assert (
        f"### Parcours 2{N}: `welcome`, `first-pipeline-tips`, `check-in`{N}; sortie `done`\n"
        in (page)
    )
    assert (
        "- [ ] Créer le contact de test `qa+trial-onboarding-nurture-1@example.com` (graine 1) "
        "dans l’audience `trial-users`, puis déclencher `trial_started` pour lui (jour 0).\n"
    ) in page
    assert (
        f"- [ ] Jour 5{N}: s’assurer que le contact n’a pas déclenché `pipeline_connected` dans "
        f"un délai de 5 jours (la branche `activated` prend la voie «{N}non{N}»).\n"
    ) in page
    assert (
        f"- [ ] Jour 2{N}: reçoit `first-pipeline-tips`, objet «{N}Three checks every pipeline "
        f"should have{N}» (modèle `onboarding/tips.html`).\n"
    ) in page
    assert (
        f"- [ ] Jour 9{N}: objectif `upgraded`{N}: si le contact a déclenché "
        "`subscription_started`, il est compté comme converti.\n"
    ) in page
    assert f"- [ ] Ensuite{N}: sortie `done`{N}; aucun autre e-mail n’arrive.\n" in page
    assert "### Objectifs atteints plus tôt et conditions de sortie\n" in page
    assert (
        f"le jour 1, s’assurer que le contact a déclenché `unsubscribed`{N}: il quitte la "
        "séquence et aucun autre e-mail n’arrive.\n"
    ) in page
    webinar = _page(built["fr"], "sequences/webinar-follow-up.md")
    assert "Les jours ouvrés vont du lundi au vendredi, hors jours fériés de FR, DE, GB." in webinar
    assert '  n2(["attendre 3 jours ouvrés, jusqu’à 10：00"])\n' in webinar
    assert "| jour 0, puis 3 jours ouvrés plus tard à 10:00 |\n" in webinar


def test_a_german_build_writes_its_sequence_pages_in_german(built: dict[str, Path]) -> None:
    page = _page(built["de"], "sequences/trial-onboarding-nurture.md")
    assert page.startswith("# Sequenz `trial-onboarding-nurture`: Trial onboarding nurture\n")
    assert (
        "Eintritt bei `trial_started` für die Zielgruppe `trial-users`; Ruhezeit 20:00–08:00 "
        "(ein Versand in dieser Zeit wartet bis 08:00); höchstens 3 E-Mails pro Woche.\n"
    ) in page
    assert '  n1(["2 Tage warten"])\n' in page
    assert '  n4{"｀pipeline_connected｀ ausgelöst (Zeitfenster: 5 Tage)?"}\n' in page
    assert "  n4 -- ja --> n5\n  n4 -- nein --> n6\n" in page
    assert "## Schritte\n\n| Schritt | Typ | Inhalt | frühestens nach Eintritt |\n" in page
    assert "## QA-Testplan\n\n2 Pfade vom Eintritt bis zum Ende." in page
    assert (
        "### Pfad 1: `welcome`, `first-pipeline-tips`, `upgrade-offer`; Ausstieg `done`\n" in page
    )
    assert (
        "- [ ] Tag 5: sicherstellen, dass gilt: `pipeline_connected` wurde vom Kontakt "
        "ausgelöst (Zeitfenster: 5 Tage); die Verzweigung `activated` nimmt dann den Zweig "
        "„ja“.\n"
    ) in page
    assert "- [ ] Tag 5: erhält `check-in`, Betreff „Stuck connecting a pipeline?“" in page
    assert "- [ ] Danach: Ausstieg `done`; es kommt keine weitere E-Mail an.\n" in page
    assert "### Vorzeitig erreichte Ziele und Ausstiegsbedingungen\n" in page
    webinar = _page(built["de"], "sequences/webinar-follow-up.md")
    assert "ausgenommen die gesetzlichen Feiertage in FR, DE, GB.\n" in webinar
    assert "| Tag 0, dann 3 Werktage später um 10:00 |\n" in webinar


ENGLISH = (
    "Entered on",
    "quiet hours",
    "at most",
    "## Steps",
    "| step | type | what | earliest after entry |",
    "earliest after entry",
    "## QA test plan",
    "from entry to end",
    "Walk each with its own test contact",
    "### Path ",
    "Create the test contact",
    "make sure",
    "receives",
    "it is counted as converted",
    "no further email arrives",
    "Goals met early",
    "-- yes -->",
    "-- no -->",
    '["send ',
    '(("exit ',
    "wait 2 days",
    "business days later",
    "did `",
    "day 0",
    "Business days are",
    "# Mautic campaign",
    "compiled by `campc build`; do not edit",
    "*Campaigns*, *Import*",
    "Importing it again",
    "## Not carried",
    "Mautic has no goal",
    "Mautic waits a fixed interval",
    "quiet hours for",
    "the frequency cap",
    "entry conditions",
)
"""English sentences the pages translate (none may survive in French or German)."""


@pytest.mark.parametrize("locale", ["fr", "de"])
def test_no_translated_english_sentence_survives(built: dict[str, Path], locale: str) -> None:
    for folder in PAGES:
        for name in SEQUENCES:
            page = _page(built[locale], f"{folder}/{name}.md")
            left = [sentence for sentence in ENGLISH if sentence in page]
            assert not left, (locale, folder, name, left)


def test_the_mautic_pages_are_translated_and_the_import_files_are_not(
    built: dict[str, Path],
) -> None:
    fr = _page(built["fr"], "vendors/mautic/webinar-follow-up.md")
    assert fr.startswith(f"# Campagne Mautic{N}: Webinar follow-up (relance)\n")
    assert f"- Dans Mautic{N}: *Campagnes*, *Importer*, puis choisir `webinar-follow-up.zip`" in fr
    assert "`bin/console mautic:campaign:import --file=webinar-follow-up.zip`" in fr
    assert "## Non repris\n" in fr
    assert (
        f"- attente wait-attendee (attendre 3 jours ouvrés, jusqu’à 10:00){N}: Mautic attend un "
        "intervalle fixe, ici 3 jours (" in fr
    )
    assert f"- objectif demo-booked (demo_booked){N}: Mautic ne connaît pas les objectifs" in fr
    de = _page(built["de"], "vendors/mautic/trial-onboarding-nurture.md")
    assert de.startswith("# Mautic-Kampagne: Trial onboarding nurture\n")
    assert "## Nicht übernommen\n" in de
    assert "- die Frequenzbegrenzung: die Frequenzregeln von Mautic einstellen" in de
    assert "- die Eintrittsbedingungen: dem Segment passende Filter geben\n" in de
    english = ROOT / "outputs" / "vendors" / "mautic"
    for locale in ("fr", "de"):
        for name in SEQUENCES:
            for suffix in (".json", ".zip"):
                ours = built[locale] / "vendors" / "mautic" / (name + suffix)
                assert ours.read_bytes() == (english / (name + suffix)).read_bytes(), ours
    campaign = json.loads((english / "webinar-follow-up.json").read_text(encoding="utf-8"))
    assert (
        "Not carried: quiet hours for replay-attendee" in campaign[0]["campaign"][0]["description"]
    )


def test_the_pages_are_the_same_on_any_machine(built: dict[str, Path]) -> None:
    for folder in PAGES:
        for name in SEQUENCES:
            path = f"{folder}/{name}.md"
            assert _page(built["fr"], path) == _page(built["fr-tokyo"], path), path


def _crafted() -> Sequence:
    return sequence_of(
        [
            {"id": "hello", "type": "send", "email": SEND},
            {"id": "pause", "type": "wait", "duration": "30h"},
            {
                "id": "big",
                "type": "branch",
                "condition": {"attribute": "company_size", "op": "gte", "value": 2000},
                "then": "offer",
                "else": "bye",
            },
            {"id": "offer", "type": "send", "email": SEND},
            {"id": "bye", "type": "exit"},
        ],
        frequency_cap={"max": 1500, "per": "1d"},
    )


def test_numbers_and_delays_are_written_the_locale_s_way() -> None:
    sequence = _crafted()
    english = document(sequence)
    assert "at most 1,500 emails per day" in english
    assert "the contact's `company_size` is at least 2,000" in english
    assert "| day 1, +6h |" in english
    assert "Business days" not in english
    fr = document(sequence, words=labels("fr"))
    assert "au plus 1\u202f500 e-mails par jour" in fr
    assert "s’assurer que l’attribut `company_size` du contact est au moins 2\u202f000" in fr
    assert "| jour 1, +6 heures |" in fr
    de = document(sequence, words=labels("de"))
    assert "höchstens 1.500 E-Mails pro Tag" in de
    assert "sicherstellen, dass gilt: `company_size` des Kontakts ist mindestens 2.000" in de
    assert "| Tag 1, +6 Stunden |" in de


def test_findings_keep_the_english_words() -> None:
    wait = WaitStep.model_validate({"id": "w", "type": "wait", "business_days": 3, "at": "10:00"})
    assert timing.words(wait) == "wait 3 business days, until 10:00"
    assert timing.words(wait, labels("de")) == "3 Werktage warten, bis 10:00"
    assert timing.later(wait, labels("fr")) == "3 jours ouvrés plus tard à 10:00"
    assert (
        timing.words(WaitStep.model_validate({"id": "w", "type": "wait", "business_days": 1}))
        == "wait 1 business day"
    )
    sequence = sequence_of(
        [
            {"id": "hello", "type": "send", "email": SEND},
            {"id": "w", "type": "wait", "business_days": 1, "at": "09:00"},
            {"id": "again", "type": "send", "email": SEND},
        ]
    )
    [path], _ = paths(sequence)
    hop = path.sends[1]
    assert hop.when() == "day 0, then the next business day at 09:00"
    assert hop.when(labels("fr")) == "jour 0, puis le jour ouvré suivant à 09:00"
    assert hop.when(labels("de")) == "Tag 0, dann am nächsten Werktag um 09:00"
    assert path.ending == "end"
    assert path.ending_in(labels("de")) == "Ende"


def _compiled(sequence: Sequence) -> dict[str, tuple[Compiled, Any]]:
    html = '<html lang="en"><body>{unsubscribe_url}</body></html>'
    sends = [s for s in sequence.steps if isinstance(s, SendStep)]
    return {s.id: (Compiled(html=html, text="Hi\n", subject=s.email.subject), None) for s in sends}


def test_mautic_notes_follow_the_locale_and_the_campaign_does_not() -> None:
    sequence = sequence_of(
        [
            {"id": "hello", "type": "send", "email": SEND},
            {"id": "w", "type": "wait", "business_days": 2, "at": "10:00"},
            {"id": "w0", "type": "wait", "at": "09:00"},
            {"id": "won", "type": "goal", "condition": {"event": "bought", "within": "2d"}},
            {"id": "again", "type": "send", "email": SEND},
        ],
        exit=[{"event": "churned"}],
    )

    class Repo:
        policy = Policy()

    english, notes = mautic.campaign(Repo(), sequence, _compiled(sequence))  # type: ignore[arg-type]
    german, noten = mautic.campaign(Repo(), sequence, _compiled(sequence), labels("de"))  # type: ignore[arg-type]
    assert json.dumps(german) == json.dumps(english)
    assert notes[2].startswith(
        "wait w0 (wait until 09:00): Mautic waits a fixed interval, here none"
    )
    assert notes[3].startswith("goal won (bought within 2 days): Mautic has no goal")
    assert noten[1].startswith("Wartezeit w (2 Werktage warten, bis 10:00): Mautic wartet")
    assert noten[2].startswith(
        "Wartezeit w0 (bis 09:00 warten): Mautic wartet ein festes Intervall, hier keines"
    )
    assert noten[3].startswith("Ziel won (bought, Zeitfenster 2 Tage): Mautic kennt keine Ziele")
    assert noten[-1] == "Ausstiegsbedingung churned: diese Kontakte von Hand entfernen"
    assert len(noten) == len(notes)
