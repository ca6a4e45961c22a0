"""The site (`outputs/site/`) without a browser: its totals against the budget CSV, every
link and image it holds pointing at a file it has, the vendored files as the package
ships them, the timeline's closed days, the pages in the repository's language.

Its bytes are golden in the fixture repositories (tests/golden/*/expected/site/) and
identical across machines' timezones and locales (test_build); Chromium and axe-core
open it in test_site_browser.py."""

from __future__ import annotations

import csv
import io
import re
import shutil
from collections import defaultdict
from decimal import Decimal
from html.parser import HTMLParser
from importlib.resources import files
from pathlib import Path

import pytest

from compiler.backends import site as site_module
from compiler.commands import pipeline
from compiler.config import settings
from tests.conftest import ROOT, build_in_locale, count_forks
from tests.golden_build import GOLDEN


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example repository built into a folder of its own."""
    root = tmp_path_factory.mktemp("example")
    shutil.copytree(ROOT / "campaigns", root / "campaigns")
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    result = pipeline.build(settings.load(root), cwd=root)
    assert not result.check.failed
    return root / "outputs"


class _Page(HTMLParser):
    """The `<data>` totals, the links and images, and the `lang` of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.data: list[dict[str, str]] = []
        self.references: list[str] = []
        self.lang = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        if tag == "data":
            self.data.append(values)
        if tag == "html":
            self.lang = values.get("lang", "")
        for key in ("href", "src"):
            if key in values:
                self.references.append(values[key])


def _parse(page: Path) -> _Page:
    parsed = _Page()
    parsed.feed(page.read_text(encoding="utf-8"))
    return parsed


def _csv_sums(budget_csv: Path) -> dict[str, dict[tuple[str, ...], Decimal]]:
    sums: dict[str, dict[tuple[str, ...], Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for row in csv.DictReader(io.StringIO(budget_csv.read_text(encoding="utf-8"))):
        amount = Decimal(row["amount"])
        sums["budget-total"][(row["currency"],)] += amount
        sums["channel-total"][(row["currency"], row["channel"])] += amount
        sums["month-total"][(row["currency"], row["month"])] += amount
    return sums


def _dom_sums(page: Path) -> dict[str, dict[tuple[str, ...], Decimal]]:
    found: dict[str, dict[tuple[str, ...], Decimal]] = defaultdict(dict)
    for element in _parse(page).data:
        kind = element["class"]
        key = tuple(
            element[name]
            for name in ("data-currency", "data-channel", "data-month")
            if name in element
        )
        assert key not in found[kind], f"{page.name}: {kind} {key} twice"
        found[kind][key] = Decimal(element["value"])
    return found


@pytest.mark.parametrize("fixture", ["example", "budget-repo"])
def test_the_budget_totals_equal_the_budget_csv(
    fixture: str, outputs: Path, tmp_path: Path
) -> None:
    if fixture == "example":
        folder = outputs
    else:
        folder = tmp_path / "out"
        root = GOLDEN / fixture
        pipeline.build(settings.load(root), out=folder, cwd=root)
    expected = _csv_sums(folder / "budget" / "budget.csv")
    budget = _dom_sums(folder / "site" / "budget.html")
    assert budget == expected
    front = _dom_sums(folder / "site" / "index.html")
    assert front == {"budget-total": expected["budget-total"]}
    assert len(expected["budget-total"]) == (3 if fixture == "budget-repo" else 1)


def test_every_link_and_image_points_at_a_file_the_outputs_hold(outputs: Path) -> None:
    site = outputs / "site"
    pages = sorted(site.rglob("*.html"))
    assert {p.relative_to(site).as_posix() for p in pages} >= {
        "index.html",
        "budget.html",
        "findings.html",
        "sequences/index.html",
        "sequences/trial-onboarding-nurture.html",
        "experiments/pricing-page-cta.html",
        "scoring/b2b-lead-scoring.html",
    }
    checked = 0
    for page in pages:
        for reference in _parse(page).references:
            if reference.startswith("#"):
                continue
            if re.match(r"[a-z][a-z0-9+.-]*:", reference):
                assert reference.startswith(("https://", "mailto:")), (page, reference)
                continue
            target = (page.parent / reference.partition("#")[0]).resolve()
            assert target.is_file(), f"{page.relative_to(site)}: {reference} is missing"
            assert target.is_relative_to(outputs.resolve()), (page, reference)
            checked += 1
    assert checked > 100


def test_the_vendored_files_are_the_packages_own(outputs: Path) -> None:
    package = files("compiler.backends.site") / "assets"
    for name in site_module.ASSETS:
        assert (outputs / "site" / "assets" / name).read_bytes() == (package / name).read_bytes()
    licence = (outputs / "site" / "assets" / "LICENSE-mermaid.txt").read_text(encoding="utf-8")
    assert "mermaid 11.12.2" in licence
    assert "MIT License" in licence
    mermaid = (outputs / "site" / "assets" / "mermaid.min.js").read_bytes()
    assert b"sourceMappingURL" not in mermaid[-200:]  # a map the browser would ask for


def test_the_timeline_shows_each_audiences_closed_days(outputs: Path) -> None:
    """The company offsite (every market) on every row's audience; Germany's and France's
    1 May on the audiences in those markets only; a chart per quarter with events."""
    front = (outputs / "site" / "index.html").read_text(encoding="utf-8")
    offsite = re.findall(
        r"<tr><td>(Jun 23, 2027 \u2013 Jun 25, 2027)</td><td>([\w-]+)</td><td>Blackout</td>"
        r"<td>Fjord company offsite",
        front,
    )
    assert {audience for _, audience in offsite} >= {"eu-data-leaders", "trial-users"}
    labour = set(re.findall(r"<td>May 1, 2027</td><td>([\w-]+)</td><td>Public holiday</td>", front))
    assert "eu-data-leaders" in labour
    assert "uk-us-data-leaders" not in labour  # 1 May is no holiday in the UK or the US
    assert (outputs / "site" / "charts" / "timeline-2027-Q2.svg").is_file()
    assert 'src="charts/timeline-2027-Q2.svg"' in front


def test_a_french_site_speaks_french_and_keeps_its_numbers(outputs: Path, tmp_path: Path) -> None:
    french = build_in_locale(tmp_path / "fr", "fr") / "site"
    front = _parse(french / "index.html")
    assert front.lang == "fr"
    text = (french / "index.html").read_text(encoding="utf-8")
    assert "Le trimestre en un coup d\u2019œil" in text
    assert "116\u202f300,00\xa0EUR" in text  # CLDR's separators
    assert "The quarter at a glance" not in text
    budget = (french / "budget.html").read_text(encoding="utf-8")
    assert "Par canal" in budget
    assert "By channel" not in budget
    # the machine-readable totals do not change with the language
    assert _dom_sums(french / "budget.html") == _dom_sums(outputs / "site" / "budget.html")
    sequence = (french / "sequences" / "trial-onboarding-nurture.html").read_text(encoding="utf-8")
    assert "<h1>Séquence" in sequence


def test_the_findings_page_lists_the_open_findings(tmp_path: Path) -> None:
    root = GOLDEN / "calendar-repo"
    result = pipeline.build(settings.load(root), out=tmp_path / "out", cwd=ROOT)
    shown = (tmp_path / "out" / "site" / "findings.html").read_text(encoding="utf-8")
    open_findings = [d for d in result.check.diagnostics if d.severity.value != "error"]
    assert open_findings
    for finding in open_findings:
        # paths relative to the project, wherever the build ran from
        assert f"<code>{finding.code}</code>" in shown
        assert f"campaigns/{finding.path.split('campaigns/', 1)[1]}:{finding.line}" in shown


def test_a_repeating_send_is_on_the_timeline_at_every_occurrence(outputs: Path) -> None:
    """The monthly newsletter's three sends (the calendar's RRULE, walked), and a
    sequence's sends on the sequence's own row, the cohort's campaign in their title."""
    front = (outputs / "site" / "index.html").read_text(encoding="utf-8")
    newsletter = re.findall(
        r"<tr><td>([A-Za-z]+ \d+, 2027)</td><td>newsletter-subscribers</td>"
        r"<td>Monthly newsletter, Q2 2027 <code>monthly-newsletter-q2</code></td><td>Send</td>",
        front,
    )
    assert newsletter == ["Apr 6, 2027", "May 4, 2027", "Jun 1, 2027"]
    nurture = re.findall(
        r"<td>trial-users</td><td>Trial onboarding nurture <code>trial-onboarding-nurture"
        r"</code></td><td>Sequence send</td><td>([^<]*)</td>",
        front,
    )
    assert nurture
    assert all("Fjord Pulse launch campaign cohort" in what for what in nurture)


def test_pages_rendered_in_workers_are_the_pages_rendered_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cold build renders the site's Markdown pages in forked workers from 200 pages:
    the same bytes as rendering them in one process (here from one page)."""

    def site_files(out: Path) -> dict[str, bytes]:
        pipeline.build(pipeline.settings_for(ROOT), out=out, cwd=ROOT)
        return {
            p.relative_to(out).as_posix(): p.read_bytes()
            for p in sorted((out / "site").rglob("*"))
            if p.is_file()
        }

    monkeypatch.setenv("CAMPC_JOBS", "1")
    serial = site_files(tmp_path / "serial")
    pools = count_forks(monkeypatch, site_module)
    assert site_files(tmp_path / "spread") == serial
    assert pools, "the workers were not used"
