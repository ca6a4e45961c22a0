"""Generated documents read as a person wrote them: no Python reprs, no `None`, plurals
that agree, durations in words and numbers written one way, on every Markdown page the
example repository and the golden fixtures build to."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from compiler.analysis import scoring
from compiler.commands import pipeline
from compiler.config import settings
from compiler.text import prose
from tests.conftest import ROOT, UPDATE_GOLDENS
from tests.golden_build import GOLDEN, build_fixture

UNWRITTEN = {
    "a Python Decimal": re.compile(r"Decimal\("),
    "a Python None": re.compile(r"\bNone\b"),
    "a Python boolean": re.compile(r"\b(?:True|False)\b"),
    "a Python list or string repr": re.compile(r"\\?\[\s*'|'\s*\\?\]"),
    "a Python date or duration": re.compile(r"\b(?:datetime|timedelta|date)\("),
    "a number with `none`": re.compile(r"\bnone (?:days?|hours?|weeks?)\b"),
    "a singular with a plural noun": re.compile(
        r"(?<![\d.,])1 (?:days|weeks|hours|minutes|emails|paths|steps|sends|campaigns|"
        r"contacts|visitors|units|degrees|comparisons|events|points)\b"
    ),
    "a `(s)` plural": re.compile(r"\w\(s\)"),
    "a duration in spec shorthand after a number word": re.compile(
        r"\b\d+, \+\d+[hm] days\b|\bwithin \d+[dhwm]\b|\b\d+[dhwm] days\b"
    ),
    "zero days": re.compile(r"\b0 days\b"),
    "an exponent": re.compile(r"\b\d(?:\.\d+)?e[+-]\d+\b"),
}
"""What no generated Markdown holds, by what it is."""

FIXTURES = ("budget-repo", "calendar-repo", "prose-repo")


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Every Markdown page of the example repository and of the golden fixtures."""
    found = {}
    out = tmp_path_factory.mktemp("example")
    result = pipeline.build(settings.load(ROOT), out=out, cwd=ROOT)
    assert not result.check.failed
    found.update({f"example/{p.relative_to(out)}": p.read_text("utf-8") for p in out.rglob("*.md")})
    for name in FIXTURES:
        built = tmp_path_factory.mktemp(name)
        build_fixture(name, built)
        found.update(
            {f"{name}/{p.relative_to(built)}": p.read_text("utf-8") for p in built.rglob("*.md")}
        )
    return found


def _prose_lines(text: str) -> list[tuple[str, str]]:
    """Each line outside fenced code, with its inline code left out (a spec's own words
    in backticks stay as written), beside the line as it is."""
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    return [(re.sub(r"<code>.*?</code>|`[^`\n]*`", "", line), line) for line in text.splitlines()]


@pytest.mark.parametrize("what", list(UNWRITTEN))
def test_no_page_holds(pages: dict[str, str], what: str) -> None:
    pattern = UNWRITTEN[what]
    found = [
        f"{name}: {line.strip()}"
        for name, text in sorted(pages.items())
        for prose_only, line in _prose_lines(text)
        if pattern.search(prose_only)
    ]
    assert not found, f"{what} in generated Markdown:\n" + "\n".join(found)


def test_mermaid_labels_read_as_prose(pages: dict[str, str]) -> None:
    """Flowchart and Gantt labels are prose too (they sit in code fences, so the test
    above skips them)."""
    charts = [
        (name, line)
        for name, text in sorted(pages.items())
        for block in re.findall(r"```mermaid\n(.*?)```", text, flags=re.S)
        for line in block.splitlines()
    ]
    assert charts
    chosen = {k: v for k, v in UNWRITTEN.items() if "repr" not in k}
    bad = [f"{n}: {line}" for n, line in charts for p in chosen.values() if p.search(line)]
    assert not bad, "\n".join(bad)


PROSE_PAGES = (
    "budget/README.md",
    "calendar/README.md",
    "scoring/plain-scoring.md",
    "sequences/one-a-day.md",
    "test-plans/one-day-test.md",
)


@pytest.mark.parametrize("page", PROSE_PAGES)
def test_prose_fixture_golden_pages(pages: dict[str, str], page: str) -> None:
    """The edge cases (one of everything, no decay, a 36-hour wait, lists and booleans in
    tests) as committed pages; the emails it also builds belong to the email goldens."""
    expected = GOLDEN / "prose-repo" / "pages" / page
    actual = pages[f"prose-repo/{page}"]
    if "## Semantics" in actual:  # compiler/analysis/scoring.py's own text, held by its own tests
        actual, semantics = actual.split("## Semantics", 1)
        assert scoring.semantics() in semantics
    if UPDATE_GOLDENS:
        expected.parent.mkdir(parents=True, exist_ok=True)
        expected.write_text(actual, encoding="utf-8")
        return
    assert expected.is_file(), f"{expected} is missing: rerun with CAMPC_UPDATE_GOLDENS=1"
    assert actual == expected.read_text("utf-8"), (
        f"{page} differs from tests/golden/prose-repo/pages/{page}; if intended, rerun "
        "with CAMPC_UPDATE_GOLDENS=1 and review the diff"
    )


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (timedelta(days=1), "1 day"),
        (timedelta(hours=36), "1 day 12 hours"),
        (timedelta(weeks=6), "6 weeks"),
        (timedelta(days=9), "9 days"),
        (timedelta(minutes=90), "1 hour 30 minutes"),
        (timedelta(0), "no time"),
    ],
)
def test_durations_in_words(value: timedelta, shown: str) -> None:
    assert prose.duration(value) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("50"), "50"),
        (Decimal("249.50"), "249.5"),
        (Decimal("3.2E-2"), "0.032"),
        (1e-05, "0.00001"),
        (2000, "2,000"),
        (Decimal("-12345.5"), "-12,345.5"),
        (0.1, "0.1"),
    ],
)
def test_numbers_as_written_by_hand(value: Decimal | float, shown: str) -> None:
    assert prose.number(value) == shown


def test_counts_and_comparisons() -> None:
    assert prose.count(1, "email") == "1 email"
    assert prose.count(2, "path") == "2 paths"
    assert prose.count(1500, "visitor") == "1,500 visitors"
    assert prose.per(timedelta(days=7)) == "week"
    assert prose.per(timedelta(days=3)) == "3 days"
    assert prose.comparison("in", ["a", "b", "c"]) == "is one of a, b or c"
    assert prose.comparison("not_in", ["free"]) == "is not free"
    assert prose.comparison("between", ["50", "199"]) == "is between 50 and 199"
    assert prose.comparison("gte", ["50"], holds=False) == "is below 50"
    assert prose.comparison("exists", []) == "is set"
    assert prose.percent(0.5) == "50%"
    assert prose.percent(0.125, 1, column=True) == "12.5%"
    assert prose.percent(1, 1, column=True) == "100.0%"


def test_pages_are_found(pages: dict[str, str]) -> None:
    names = set(pages)
    assert {f"prose-repo/{page}" for page in PROSE_PAGES} <= names
    assert "example/scoring/b2b-lead-scoring.md" in names
    assert any(n.startswith("calendar-repo/") for n in names)
    assert all(Path(n).suffix == ".md" for n in names)


def test_dates_are_written_in_english_whatever_the_locale() -> None:
    from datetime import date

    from compiler.text import prose

    assert prose.month(date(2027, 4, 1)) == "April 2027"
    assert prose.weekday_date(date(2027, 4, 1)) == "Thu 2027-04-01"
    # strftime's names follow LC_TIME: generated text never asks for them
    named = re.compile(r"\{[^{}]*:[^{}]*%[aAbBcpx][^{}]*\}|strftime\([^)]*%[aAbBcpx]")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "compiler").rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if named.search(line)
    ]
    assert offenders == []
