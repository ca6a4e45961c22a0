"""Budget back-end: `budget/budget.xlsx`, `budget/budget.csv` and `budget/README.md`.

The README speaks the repository's `[tool.campc] locale` (its amounts and shares too); the
CSV and the workbook do not: finance imports them by their column and sheet names."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from compiler.analysis.budget import CONTINGENCY, Plan, minor_unit, plans, quarter, totals
from compiler.backends.artifacts import Artifact, BuildContext
from compiler.project.repository import Repository
from compiler.text import escape
from compiler.text.labels import Labels, _, labels

CSV_COLUMNS = ("campaign", "name", "domain", "owner", "currency", "channel", "month", "amount")
"""The CSV's columns; `cost_centre` and `purchase_order` follow `owner` when a budget
says one (a column nobody fills is never shown)."""
FINANCE = ("cost_centre", "purchase_order")
"""The optional finance fields of a budget, as columns."""
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def build(
    repo: Repository, context: BuildContext, *, cache_formulas: bool = True
) -> list[Artifact]:
    """The workbook, the tidy CSV and the Markdown summary of every campaign budget.

    `cache_formulas=False` leaves formula results uncached (tests use it to prove a
    spreadsheet application recalculated them).
    """
    budgets = plans(repo)
    if not budgets:
        return []
    sources = tuple(p.campaign.id for p in budgets)
    return [
        Artifact("budget/budget.xlsx", workbook(budgets, context, cache_formulas), sources),
        Artifact("budget/budget.csv", tidy_csv(budgets), sources),
        Artifact(
            "budget/README.md",
            overview(budgets, labels(repo.policy.locale)).encode("utf-8"),
            sources,
        ),
    ]


def inputs(repo: Repository) -> bytes:
    """Everything the budget artifacts are made from besides the build context: each
    plan's campaign id, name, domain and owner, its budget as validated and its lines
    month by month, and the locale (a build takes the sheets from its cache while these
    are the same: a campaign edit that moves no money rewrites none of them)."""
    parts = [repr(repo.policy.locale)]
    for plan in plans(repo):
        campaign = plan.campaign
        parts.append(repr((campaign.id, campaign.name, campaign.domain, campaign.owner)))
        parts.append(plan.budget.model_dump_json())
        parts.append(repr(plan.every_line))
    return "\n".join(parts).encode("utf-8")


def _safe(text: str) -> str:
    """Text a spreadsheet will not run as a formula (CSV injection)."""
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def _amount(value: Decimal, currency: str) -> str:
    return f"{value:.{minor_unit(currency)}f}"


def _finance(budgets: Sequence[Plan]) -> list[str]:
    """The finance fields some budget fills: the columns the views show."""
    return [name for name in FINANCE if any(getattr(p.budget, name) for p in budgets)]


def tidy_csv(budgets: Sequence[Plan]) -> bytes:
    """One row per campaign, channel and month (the contingency as a channel of its
    own, so the rows sum to the budgets' totals): the shape pivot tables and BI tools
    want."""
    finance = _finance(budgets)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*CSV_COLUMNS[:4], *finance, *CSV_COLUMNS[4:]])
    for plan in budgets:
        extra = [_safe(getattr(plan.budget, name) or "") for name in finance]
        for line in plan.every_line:
            writer.writerow(
                [
                    line.campaign,
                    _safe(line.name),
                    line.domain,
                    _safe(plan.campaign.owner),
                    *extra,
                    line.currency,
                    line.channel,
                    line.month,
                    _amount(line.amount, line.currency),
                ]
            )
    return out.getvalue().encode("utf-8")


def _currencies(budgets: Sequence[Plan]) -> list[str]:
    return sorted({p.budget.currency for p in budgets})


def workbook(budgets: Sequence[Plan], context: BuildContext, cache_formulas: bool = True) -> bytes:
    """The xlsx: per currency a summary (campaign x channel) and a monthly pacing sheet."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    created = (
        datetime.fromtimestamp(context.source_date_epoch, UTC).replace(tzinfo=None)
        if context.source_date_epoch is not None
        else datetime(2000, 1, 1)
    )
    book.set_properties({"title": "Campaign budgets", "creator": "campc", "created": created})
    header = book.add_format({"bold": True, "bottom": 1})
    bold = book.add_format({"bold": True})
    currencies = _currencies(budgets)
    for currency in currencies:
        chosen = [p for p in budgets if p.budget.currency == currency]
        suffix = f" {currency}" if len(currencies) > 1 else ""
        money = book.add_format({"num_format": _number_format(currency)})
        money_total = book.add_format(
            {"num_format": _number_format(currency), "bold": True, "top": 1}
        )
        formats = (header, bold, money, money_total)
        _summary(book, f"Summary{suffix}", chosen, formats, cache_formulas)
        _pacing(book, f"Pacing{suffix}", chosen, formats, cache_formulas)
    book.close()
    return buffer.getvalue()


def _number_format(currency: str) -> str:
    places = minor_unit(currency)
    decimals = "." + "0" * places if places else ""
    return f'#,##0{decimals} "{currency}"'


def _formula(
    sheet: Worksheet, row: int, col: int, formula: str, fmt: object, value: Decimal, cache: bool
) -> None:
    if cache:
        sheet.write_formula(row, col, formula, fmt, float(value))
    else:
        sheet.write_formula(row, col, formula, fmt)


def _fit(sheet: Worksheet, widths: list[int]) -> None:
    for col, width in enumerate(widths):
        sheet.set_column(col, col, min(max(width + 2, 8), 60))


def _summary(
    book: Workbook, title: str, chosen: Sequence[Plan], formats: tuple[object, ...], cache: bool
) -> None:
    header, bold, money, money_total = formats
    sheet = book.add_worksheet(title)
    channels = sorted({c for p in chosen for c in p.budget.channels})
    contingency = any(p.budget.contingency for p in chosen)
    finance = _finance(chosen)
    labels = {"cost_centre": "Cost centre", "purchase_order": "Purchase order"}
    columns = [
        "Campaign",
        "Name",
        "Domain",
        "Owner",
        *(labels[name] for name in finance),
        *channels,
        *(["Contingency"] if contingency else []),
        "Total",
    ]
    sheet.write_row(0, 0, columns, header)
    widths = [len(c) for c in columns]
    first_amount = 4 + len(finance)
    last_amount = first_amount + len(channels) + (1 if contingency else 0) - 1
    total_col = last_amount + 1
    column_sums = [Decimal(0)] * (total_col - first_amount + 1)
    for row, plan in enumerate(chosen, start=1):
        texts = [plan.campaign.id, plan.campaign.name, plan.campaign.domain, plan.campaign.owner]
        texts += [getattr(plan.budget, name) or "" for name in finance]
        for col, text in enumerate(texts):
            sheet.write_string(row, col, text)
            widths[col] = max(widths[col], len(text))
        values = [plan.budget.channels.get(c, Decimal(0)) for c in channels]
        if contingency:
            values.append(plan.budget.contingency or Decimal(0))
        for offset, value in enumerate(values):  # a zero, never a blank: it sums
            sheet.write_number(row, first_amount + offset, float(value), money)
            column_sums[offset] += value
            widths[first_amount + offset] = max(
                widths[first_amount + offset], len(f"{value:,}") + 4
            )
        row_total = sum(values, Decimal(0))
        column_sums[-1] += row_total
        span = f"{xl_rowcol_to_cell(row, first_amount)}:{xl_rowcol_to_cell(row, last_amount)}"
        _formula(sheet, row, total_col, f"=SUM({span})", money, row_total, cache)
        widths[total_col] = max(widths[total_col], len(f"{row_total:,}") + 4)
    total_row = len(chosen) + 1
    sheet.write_string(total_row, 0, "Total", bold)
    for offset, value in enumerate(column_sums):
        col = first_amount + offset
        span = f"{xl_rowcol_to_cell(1, col)}:{xl_rowcol_to_cell(total_row - 1, col)}"
        _formula(sheet, total_row, col, f"=SUM({span})", money_total, value, cache)
    sheet.freeze_panes(1, 1)
    _fit(sheet, widths)


def _pacing(
    book: Workbook, title: str, chosen: Sequence[Plan], formats: tuple[object, ...], cache: bool
) -> None:
    header, bold, money, money_total = formats
    sheet = book.add_worksheet(title)
    months = sorted({line.month for p in chosen for line in p.every_line})
    columns = ["Campaign", "Channel", *months, "Total"]
    sheet.write_row(0, 0, columns, header)
    widths = [len(c) for c in columns]
    rows: dict[tuple[str, str], dict[str, Decimal]] = {}
    for plan in chosen:
        for line in plan.every_line:  # the contingency too: the sheet sums to the total
            rows.setdefault((line.campaign, line.channel), {})[line.month] = line.amount
    total_col = 2 + len(months)
    column_sums = [Decimal(0)] * (len(months) + 1)
    for row, ((campaign, channel), by_month) in enumerate(sorted(rows.items()), start=1):
        sheet.write_string(row, 0, campaign)
        sheet.write_string(row, 1, channel)
        widths[0], widths[1] = max(widths[0], len(campaign)), max(widths[1], len(channel))
        for offset, month in enumerate(months):
            value = by_month.get(month, Decimal(0))  # a zero, never a blank
            sheet.write_number(row, 2 + offset, float(value), money)
            column_sums[offset] += value
            widths[2 + offset] = max(widths[2 + offset], len(f"{value:,}") + 4)
        row_total = sum(by_month.values(), Decimal(0))
        column_sums[-1] += row_total
        span = f"{xl_rowcol_to_cell(row, 2)}:{xl_rowcol_to_cell(row, total_col - 1)}"
        _formula(sheet, row, total_col, f"=SUM({span})", money, row_total, cache)
        widths[total_col] = max(widths[total_col], len(f"{row_total:,}") + 4)
    total_row = len(rows) + 1
    sheet.write_string(total_row, 0, "Total", bold)
    for offset, value in enumerate(column_sums):
        col = 2 + offset
        span = f"{xl_rowcol_to_cell(1, col)}:{xl_rowcol_to_cell(total_row - 1, col)}"
        _formula(sheet, total_row, col, f"=SUM({span})", money_total, value, cache)
    sheet.freeze_panes(1, 2)
    _fit(sheet, widths)


def _shown(value: Decimal, currency: str, words: Labels) -> str:
    """An amount in a column headed by its currency: `12,000.00`."""
    return words.amount(value, minor_unit(currency))


_HEADERS = {
    "domain": _("| domain | {currency} | share |"),
    "quarter": _("| quarter | {currency} | share |"),
    "channel": _("| channel | {currency} | share |"),
}
"""The header of each table, by what its rows are."""


def _table(by: str, rows: Sequence[tuple[str, Decimal]], currency: str, words: Labels) -> list[str]:
    total = sum((value for _name, value in rows), Decimal(0))
    lines = [words(_HEADERS[by], currency=escape.markdown(currency)), "|---|---:|---:|"]
    for key, value in rows:
        share = words.share(value / total, 1, column=True) if total else "-"
        lines.append(
            f"| {escape.markdown(_key(by, key, words))} | "
            f"{_shown(value, currency, words)} | {share} |"
        )
    lines += [words(_("| **total** | **{amount}** | |"), amount=_shown(total, currency, words))]
    return [*lines, ""]


def _key(by: str, key: str, words: Labels) -> str:
    """A row's name: the contingency, campc's channel rather than a spec's, in words."""
    return words(_("contingency")) if by == "channel" and key == CONTINGENCY else key


def overview(budgets: Sequence[Plan], words: Labels | None = None) -> str:
    """Totals per domain, quarter and channel, and a pie chart of the channel split."""
    words = words or labels()
    out = [
        words(_("# Budget")),
        "",
        words(_("Generated by `campc build` from the specs; do not edit.")),
        "",
    ]
    for currency in _currencies(budgets):
        chosen = [p for p in budgets if p.budget.currency == currency]
        lines = [line for p in chosen for line in p.every_line]  # the tables sum to the total
        total = sum((p.budget.total for p in chosen), Decimal(0))
        out += [f"## {escape.markdown(currency)}", ""]
        places = minor_unit(currency)
        shown = {
            "total": escape.markdown(words.money(currency, total, places)),
            "campaigns": words.count(len(chosen), _("{n} campaign"), _("{n} campaigns")),
        }
        contingency = sum((p.budget.contingency or Decimal(0) for p in chosen), Decimal(0))
        if contingency:
            held = escape.markdown(words.money(currency, contingency, places))
            stated = _(
                "Total budget {total} over {campaigns}, of which {held} is held as contingency."
            )
            out.append(words(stated, **shown, held=held))
        else:
            out.append(words(_("Total budget {total} over {campaigns}."), **shown))
        out += ["", words(_("### By domain")), ""]
        out += _table("domain", totals(lines, lambda line: line.domain), currency, words)
        out += [words(_("### By quarter")), ""]
        out += _table("quarter", totals(lines, lambda line: quarter(line.month)), currency, words)
        out += [words(_("### By channel")), ""]
        by_channel = totals(lines, lambda line: line.channel)
        out += _table("channel", by_channel, currency, words)
        title = words(_("Channel split ({currency})"), currency=escape.mermaid(currency))
        out += ["```mermaid", f"pie title {title}"]
        for channel, value in by_channel:
            name = escape.mermaid(_key("channel", channel, words))
            out.append(f'    "{name}" : {_amount(value, currency)}')
        out += ["```", ""]
    return "\n".join(out)
