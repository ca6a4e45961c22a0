"""The site in a real browser: every page of `outputs/site/`, built from the example into
a temporary folder, opened from disk in headless Chromium on a desktop (1280 px) and on
a phone (375 px), once its script says it is ready.

Each page logs no error and fails no request, loads nothing but file: and data: URLs
from inside the site, draws something, fits the phone without scrolling sideways, and
has no serious or critical axe-core violation; the front page and the budget page show
the totals of the same build's budget.csv. Without Chromium or axe-core (`npm ci
--prefix tests/js`) the tests skip locally and fail under CI (`conftest.real_client`).
"""

from __future__ import annotations

import csv
import io
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from compiler.commands import pipeline
from compiler.config import settings
from tests.chromium import DESKTOP, PHONE, DevTools, Viewport
from tests.conftest import ROOT, client_missing

PAGES = sorted(
    p.relative_to(ROOT / "outputs" / "site").as_posix()
    for p in (ROOT / "outputs" / "site").rglob("*.html")
)
"""The site's pages, by path below outputs/site/ (the committed list names the cases)."""
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}
READY = 'document.documentElement.dataset.ready === "true"'
READY_SECONDS = 20
AXE = ROOT / "tests" / "js" / "node_modules" / "axe-core" / "axe.min.js"
AXE_RUN = """axe.run(document, {resultTypes: ["violations"]}).then(results =>
  results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.html),
  })))"""
KEYS = {
    "budget-total": ("currency",),
    "channel-total": ("currency", "channel"),
    "month-total": ("currency", "month"),
}
"""The kinds of budget total (each a class of `<data>`), and the columns each sums by."""
TOTALS = """Array.from(
  document.querySelectorAll("data.budget-total, data.channel-total, data.month-total"),
  e => ({
    kind: ["budget-total", "channel-total", "month-total"].find(k => e.classList.contains(k)),
    value: e.getAttribute("value"),
    ...e.dataset,
  }))"""
TOTALS_SHOWN = {
    "index.html": ("budget-total",),
    "budget.html": ("budget-total", "channel-total", "month-total"),
}
"""The pages that show budget totals, and which kinds."""


@dataclass
class Visit:
    """What one page did and showed at one viewport."""

    ready: bool
    errors: list[str]
    failed: list[str]
    requests: list[str]
    screenshot: bytes
    scroll_width: int
    totals: list[dict[str, str]]
    violations: list[dict[str, Any]] | None
    """axe-core's violations (None when axe-core is not installed)."""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example repository, built; its outputs folder."""
    root = tmp_path_factory.mktemp("examples")
    shutil.copytree(ROOT / "campaigns", root / "campaigns")
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    result = pipeline.build(settings.load(root), cwd=root)
    assert not result.check.failed, [d.message for d in result.check.diagnostics]
    return root / "outputs"


@pytest.fixture(scope="module")
def visit(site: Path, chromium: DevTools) -> Callable[[str, str], Visit]:
    """Open a page at a viewport, by name, once for all the tests that look at it."""
    visits: dict[tuple[str, str], Visit] = {}
    axe = AXE.read_text(encoding="utf-8") if AXE.is_file() else None

    def look(page: str, viewport: str) -> Visit:
        if (page, viewport) not in visits:
            visits[page, viewport] = _look(chromium, site / "site" / page, VIEWPORTS[viewport], axe)
        found = visits[page, viewport]
        assert found.ready, f"{page} at {viewport}: not ready in {READY_SECONDS} s: {found.errors}"
        return found

    return look


def _look(chromium: DevTools, page: Path, viewport: Viewport, axe: str | None) -> Visit:
    with chromium.open(page.as_uri(), viewport) as tab:
        ready = tab.wait_until(READY, READY_SECONDS)
        screenshot = tab.screenshot()
        scroll_width = tab.evaluate("document.documentElement.scrollWidth")
        totals = tab.evaluate(TOTALS)
        tab.collect()
        # what the page did, before axe-core runs in it
        errors, failed, requests = list(tab.errors), list(tab.failed), list(tab.requests)
        violations = None
        if axe is not None:
            tab.evaluate(axe)
            violations = tab.evaluate(AXE_RUN, await_promise=True)
    return Visit(ready, errors, failed, requests, screenshot, scroll_width, totals, violations)


def test_the_built_site_has_the_committed_pages(site: Path) -> None:
    built = sorted(p.relative_to(site / "site").as_posix() for p in (site / "site").rglob("*.html"))
    assert built == PAGES, "the committed outputs/site/ is stale: rerun `campc build`"


BROKEN = """<!DOCTYPE html><html><head><title>Broken</title></head><body>
<img src="missing.png"><img src="http://localhost:9/tracker.gif">
<script>console.error("boom"); document.documentElement.dataset.ready = "true";</script>
</body></html>"""
"""A page with each fault the checks look for."""


def test_the_checks_see_a_broken_pages_faults(chromium: DevTools, tmp_path: Path) -> None:
    """The browser's events arrive as the checks expect (a check that sees nothing would
    pass every page)."""
    (tmp_path / "broken.html").write_text(BROKEN, encoding="utf-8")
    axe = AXE.read_text(encoding="utf-8") if AXE.is_file() else None
    seen = _look(chromium, tmp_path / "broken.html", PHONE, axe)
    assert "console.error: boom" in seen.errors
    # the two requests fail in whichever order the browser finishes them
    assert sorted(url.split(": ")[0] for url in seen.failed) == sorted(
        [(tmp_path / "missing.png").as_uri(), "http://localhost:9/tracker.gif"]
    )
    assert "http://localhost:9/tracker.gif" in seen.requests
    if seen.violations is not None:
        assert {"html-has-lang", "image-alt"} <= {v["id"] for v in seen.violations}


every_page = pytest.mark.parametrize("page", PAGES)
both_widths = pytest.mark.parametrize("viewport", VIEWPORTS)


@both_widths
@every_page
def test_no_console_error(visit: Callable[[str, str], Visit], page: str, viewport: str) -> None:
    assert visit(page, viewport).errors == [], f"{page} at {viewport}"


@both_widths
@every_page
def test_no_request_fails(visit: Callable[[str, str], Visit], page: str, viewport: str) -> None:
    assert visit(page, viewport).failed == [], f"{page} at {viewport}"


@both_widths
@every_page
def test_only_the_sites_own_files_load(
    site: Path, visit: Callable[[str, str], Visit], page: str, viewport: str
) -> None:
    """Nothing reaches for the network, and nothing outside the site folder is loaded
    (the site works wherever it is copied)."""
    requests = visit(page, viewport).requests
    network = [url for url in requests if not url.startswith(("file:", "data:"))]
    assert network == [], f"{page} at {viewport}"
    inside = (site / "site").as_uri() + "/"
    outside = [url for url in requests if url.startswith("file:") and not url.startswith(inside)]
    assert outside == [], f"{page} at {viewport}"


@both_widths
@every_page
def test_the_page_draws_the_viewport(
    visit: Callable[[str, str], Visit], page: str, viewport: str
) -> None:
    """The screenshot is the viewport's size in device pixels and is not blank: more
    than a few colours, and a share of the pixels not the background's."""
    shape = VIEWPORTS[viewport]
    image = Image.open(io.BytesIO(visit(page, viewport).screenshot)).convert("RGB")
    assert image.size == (round(shape.width * shape.scale), round(shape.height * shape.scale))
    colours = image.getcolors(image.width * image.height) or []
    drawn = 1 - max(count for count, _ in colours) / (image.width * image.height)
    assert len(colours) > 16, f"{page} at {viewport}: {len(colours)} colours"
    assert drawn > 0.005, f"{page} at {viewport}: {drawn:.2%} of the pixels drawn"


@every_page
def test_the_page_fits_a_phone_without_scrolling_sideways(
    visit: Callable[[str, str], Visit], page: str
) -> None:
    width = visit(page, "phone").scroll_width
    assert width <= PHONE.width, f"{page}: {width} px wide on a {PHONE.width} px phone"


@both_widths
@pytest.mark.parametrize("page", TOTALS_SHOWN)
def test_the_totals_are_budget_csvs(
    site: Path, visit: Callable[[str, str], Visit], page: str, viewport: str
) -> None:
    """Each total in the page is the exact sum of budget.csv's amounts, and every
    currency, channel and month of budget.csv has its total, once."""
    expected = _csv_totals(site / "budget" / "budget.csv")
    shown: dict[str, list[tuple[tuple[str, ...], Decimal]]] = {kind: [] for kind in KEYS}
    for total in visit(page, viewport).totals:
        assert re.fullmatch(r"-?\d+(\.\d+)?", total["value"] or ""), f"{page}: {total}"
        key = tuple(total.get(column, "") for column in KEYS[total["kind"]])
        shown[total["kind"]].append((key, Decimal(total["value"])))
    for kind in TOTALS_SHOWN[page]:
        assert sorted(shown[kind]) == sorted(expected[kind].items()), f"{page}: {kind}"


def _csv_totals(path: Path) -> dict[str, dict[tuple[str, ...], Decimal]]:
    """Each kind's sums of the amounts, by its columns (the contingency is a channel)."""
    totals: dict[str, dict[tuple[str, ...], Decimal]] = {kind: {} for kind in KEYS}
    with path.open(encoding="utf-8", newline="") as rows:
        for row in csv.DictReader(rows):
            for kind, columns in KEYS.items():
                key = tuple(row[column] for column in columns)
                totals[kind][key] = totals[kind].get(key, Decimal(0)) + Decimal(row["amount"])
    return totals


@both_widths
@every_page
def test_axe_finds_no_serious_violation(
    visit: Callable[[str, str], Visit], page: str, viewport: str
) -> None:
    violations = visit(page, viewport).violations
    if violations is None:
        client_missing("axe-core is not installed: npm ci --prefix tests/js (or `nox -s tests`)")
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert serious == [], "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']}: {v['nodes'][:3]}" for v in serious
    )
