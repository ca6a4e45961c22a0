"""Budget back-end: golden files, exact Decimal proration, and LibreOffice agreeing with the CSV."""

from __future__ import annotations

import csv
import io
import re
import subprocess
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from compiler.analysis.budget import dated_weights, month_weights, split
from compiler.backends import budget as budget_backend
from compiler.backends.artifacts import BuildContext
from compiler.load.repository import load
from compiler.model.campaign import Campaign
from tests.conftest import ROOT, real_client
from tests.golden_build import GOLDEN, assert_tree_matches_golden, build_fixture


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("budget") / "out"
    build_fixture("budget-repo", out)
    return out


def test_budget_golden_files(built: Path) -> None:
    assert_tree_matches_golden("budget-repo", built)


def _csv_sums(path: Path) -> dict[tuple[str, str], Decimal]:
    sums: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            sums[(row["currency"], row["campaign"])] += Decimal(row["amount"])
            sums[(row["currency"], "*")] += Decimal(row["amount"])
    return dict(sums)


def _pacing_totals(data: bytes) -> dict[tuple[str, str], Decimal]:
    """Campaign and grand totals as the workbook's formula cells hold them (cached values)."""
    book = load_workbook(io.BytesIO(data), data_only=True)
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for sheet in book.worksheets:
        if not sheet.title.startswith("Pacing"):
            continue
        currency = sheet.title.removeprefix("Pacing").strip() or "EUR"
        rows = list(sheet.iter_rows(values_only=True))
        for row in rows[1:-1]:
            totals[(currency, str(row[0]))] += Decimal(str(row[-1] or 0)).quantize(Decimal("0.01"))
        totals[(currency, "*")] = Decimal(str(rows[-1][-1] or 0)).quantize(Decimal("0.01"))
    return dict(totals)


def test_cached_formula_values_equal_the_csv_sums(built: Path) -> None:
    xlsx = (built / "budget" / "budget.xlsx").read_bytes()
    assert _pacing_totals(xlsx) == _csv_sums(built / "budget" / "budget.csv")


def test_csv_cells_cannot_run_as_formulas(built: Path) -> None:
    rows = list(csv.reader((built / "budget" / "budget.csv").open(encoding="utf-8")))
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert any(cell.startswith("'=HYPERLINK") for row in rows for cell in row)


def test_formula_text_in_names_stays_text_in_the_workbook(built: Path) -> None:
    book = load_workbook(built / "budget" / "budget.xlsx")
    names = [c.value for c in book["Summary USD"]["B"][1:2]]
    assert names == ['=HYPERLINK("http://evil.example") newsletter']
    assert book["Summary USD"]["B2"].data_type == "s"


def _recalculated_by_libreoffice(xlsx: Path, work: Path) -> bytes:
    soffice = real_client(
        "soffice",
        "libreoffice",
        install="apt-get install libreoffice-calc-nogui (or `nox -s tests`)",
    )
    profile = work / "profile"
    (profile / "user").mkdir(parents=True)
    # OOXMLRecalcMode 0 = always recalculate on load (the default trusts cached values)
    (profile / "user" / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        '<item oor:path="/org.openoffice.Office.Calc/Formula/Load">'
        '<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>\n'
        "</oor:items>\n"
    )
    out = work / "converted"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            str(xlsx),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return (out / xlsx.name).read_bytes()


def test_libreoffice_recalculates_the_formulas_to_the_csv_totals(tmp_path: Path) -> None:
    root = GOLDEN / "budget-repo"
    repo, problems = load(root / "campaigns", str)
    assert not problems
    # The canary: formulas written without cached results (XlsxWriter caches 0), so only
    # a real recalculation can produce the totals.
    artifacts = budget_backend.build(repo, BuildContext(), cache_formulas=False)
    files = {a.path: a.content for a in artifacts}
    uncached = tmp_path / "budget.xlsx"
    uncached.write_bytes(files["budget/budget.xlsx"])
    assert set(_pacing_totals(uncached.read_bytes()).values()) == {Decimal("0.00")}
    recalculated = _recalculated_by_libreoffice(uncached, tmp_path)
    (tmp_path / "budget.csv").write_bytes(files["budget/budget.csv"])
    assert _pacing_totals(recalculated) == _csv_sums(tmp_path / "budget.csv")


amounts = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)
weights = st.dictionaries(
    st.sampled_from([f"2027-{m:02d}" for m in range(1, 13)]),
    st.integers(min_value=1, max_value=10_000).map(Decimal),
    min_size=1,
)


@given(amounts, weights, st.sampled_from([0, 2, 3]))
def test_split_sums_exactly_and_stays_within_one_minor_unit(
    amount: Decimal, parts: dict[str, Decimal], places: int
) -> None:
    amount = amount.quantize(Decimal(1).scaleb(-places))
    result = split(amount, parts, places)
    assert sum(result.values()) == amount
    total = sum(parts.values())
    quantum = Decimal(1).scaleb(-places)
    for key, value in result.items():
        assert value >= 0
        assert abs(value - amount * parts[key] / total) < quantum


def test_pacing_weights_front_and_back_load() -> None:

    even = month_weights(date(2027, 1, 1), date(2027, 2, 28), "even")
    front = month_weights(date(2027, 1, 1), date(2027, 2, 28), "front_loaded")
    back = month_weights(date(2027, 1, 1), date(2027, 2, 28), "back_loaded")
    assert even == {"2027-01": 31, "2027-02": 28}
    assert front["2027-01"] > front["2027-02"]
    assert back["2027-01"] < back["2027-02"]


def _readme_totals(text: str) -> dict[str, tuple[Decimal, list[Decimal]]]:
    """Per currency: the total the README's first sentence states, and each table's."""
    found: dict[str, tuple[Decimal, list[Decimal]]] = {}
    for section in text.split("\n## ")[1:]:
        currency = section.split("\n", 1)[0].strip()
        stated = re.search(r"Total budget \S+ ([\d,.]+) over", section)
        assert stated is not None, section[:200]
        tables = [
            Decimal(m.replace(",", ""))
            for m in re.findall(r"\| \*\*total\*\* \| \*\*([\d,.]+)\*\*", section)
        ]
        found[currency] = (Decimal(stated.group(1).replace(",", "")), tables)
    return found


def test_every_view_sums_to_the_budgets_totals(built: Path) -> None:
    """The CSV, the summary and pacing sheets and the README each carry the contingency
    as a line of its own, so every one of them sums to the declared totals."""
    repo, problems = load(GOLDEN / "budget-repo" / "campaigns", str)
    assert not problems
    declared: dict[str, Decimal] = defaultdict(Decimal)
    for spec in repo.specs:
        budget = getattr(spec.model, "budget", None)
        if budget is not None:
            declared[budget.currency] += budget.total
    budgets = [getattr(s.model, "budget", None) for s in repo.specs]
    assert any(b is not None and b.contingency for b in budgets)  # the case this is about
    sums = _csv_sums(built / "budget" / "budget.csv")
    assert {c: v for (c, k), v in sums.items() if k == "*"} == declared
    book = load_workbook(built / "budget" / "budget.xlsx", data_only=True)
    for sheet in book.worksheets:
        currency = sheet.title.split(" ")[-1] if " " in sheet.title else "EUR"
        rows = list(sheet.iter_rows(values_only=True))
        assert Decimal(str(rows[-1][-1])).quantize(Decimal("0.01")) == declared[currency], sheet
        texts = ("Campaign", "Name", "Domain", "Owner", "Cost centre", "Purchase order", "Channel")
        first = sum(1 for name in rows[0] if name in texts)
        for row in rows[1:-1]:  # amounts are numbers: zeros, never blanks
            assert all(isinstance(v, int | float) for v in row[first:]), (sheet.title, row)
    readme = _readme_totals((built / "budget" / "README.md").read_text(encoding="utf-8"))
    for currency, (stated, tables) in readme.items():
        assert stated == declared[currency]
        assert tables, currency
        assert all(t == stated for t in tables), (currency, stated, tables)


def _campaign(**budget: object) -> Campaign:
    return Campaign.model_validate(
        {
            "kind": "campaign",
            "id": "fair",
            "name": "Fair",
            "domain": "campagnes",
            "owner": "ops@acme.example",
            "timezone": "Europe/Paris",
            "window": {"start": "2027-04-01", "end": "2027-06-30"},
            "milestones": [{"id": "fair", "name": "Trade fair", "at": "2027-05-18T09:00"}],
            "sends": [
                {
                    "id": "digest",
                    "name": "Digest",
                    "channel": "sms",
                    "audience": "all",
                    "at": "2027-04-20T10:00",
                    "repeat": {"frequency": "weekly", "count": 3},
                }
            ],
            "budget": {"currency": "EUR", "total": 9000, **budget},
        }
    )


def test_a_channel_tied_to_milestones_and_sends_is_spent_in_their_months() -> None:
    campaign = _campaign(channels={"events": 8000, "sms": 1000})
    # the fair in May, and the digest's three weekly sends: Apr 20 and 27, May 4
    weights = dated_weights(campaign, ["fair", "digest"])
    assert weights == {"2027-04": Decimal(2), "2027-05": Decimal(2)}
    assert dated_weights(campaign, ["nothing"]) == {}
    assert split(Decimal(8000), weights, 2) == {
        "2027-04": Decimal("4000.00"),
        "2027-05": Decimal("4000.00"),
    }


def test_the_example_s_events_budget_lands_in_the_launch_webinar_s_month() -> None:
    from compiler.analysis.budget import plans
    from compiler.config import settings
    from compiler.load import repository

    found = settings.load(ROOT)
    repo, _ = repository.load(found.campaigns, str, found.policy)
    [plan] = [p for p in plans(repo) if p.campaign.id == "pulse-launch-2027"]
    events = {line.month: line.amount for line in plan.lines if line.channel == "events"}
    assert events == {"2027-04": Decimal(15000)}
    paced = {line.month for line in plan.lines if line.channel == "paid_social"}
    assert paced == {"2027-04", "2027-05", "2027-06"}


def _weights_day_by_day(start: date, end: date, pacing: str) -> dict[str, Decimal]:
    """The oracle of `month_weights`: every day of the window weighed and added to its
    month, one by one (what the closed form must equal)."""
    count = (end - start).days + 1
    found: dict[str, Decimal] = {}
    for index in range(count):
        day = start + timedelta(days=index)
        weight = {"front_loaded": count - index, "back_loaded": index + 1}.get(pacing, 1)
        month = f"{day.year:04d}-{day.month:02d}"
        found[month] = found.get(month, Decimal(0)) + Decimal(weight)
    return found


@given(
    st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    st.integers(min_value=-3, max_value=800),
    st.sampled_from(["even", "front_loaded", "back_loaded"]),
)
def test_month_weights_sum_each_months_days_as_weighing_them_one_by_one_does(
    start: date, length: int, pacing: str
) -> None:
    end = start + timedelta(days=length)
    found = month_weights(start, end, pacing)
    expected = _weights_day_by_day(start, end, pacing)
    assert found == expected
    assert list(found) == list(expected)  # months in order
    assert [str(v) for v in found.values()] == [str(v) for v in expected.values()]
