"""The blast radius of a change, first in every review: one verdict line and a short
table of what the change does to spend, recipients, frequency caps, experiments, scoring
and findings (the sections below it hold the details).

- spend: the declared budgets' totals per currency, before and after;
- recipients affected: for each audience and ISO week whose sends changed, the sends
  added or removed times the audience's `size` (sends to an audience without a size are
  counted as sends);
- frequency caps: for each audience cap, the most sends one contact can get in a cap
  window, before and after (`CAL001`'s timeline);
- calendar events added, removed and moved, and the sequences whose steps changed;
- experiments whose plan changed, and locked fields changed (`EXP009`, `EXP010`);
- scoring models changed, and new errors and warnings.

The verdict is `blocks` (a new error, or a locked field changed without an amendment),
`review` (money, recipients, caps, the calendar, sequences, experiments or scoring move)
or `quiet`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timedelta
from decimal import Decimal

from compiler.analysis import budget
from compiler.analysis.schedule import moment
from compiler.analysis.timing import most_within
from compiler.commands.diff.change import Change, money
from compiler.model.common import format_duration
from compiler.project import repository as project
from compiler.rules.cal.cal001_frequency_cap import collect as sends_by_spec
from compiler.text import prose


def _spend(repo: project.Repository) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for found in budget.plans(repo):
        totals[found.budget.currency] += found.budget.total
    return totals


def _sizes(*repos: project.Repository) -> dict[str, int | None]:
    sizes: dict[str, int | None] = {}
    for repo in repos:
        for declared in repo.audiences():
            sizes.setdefault(declared.audience.id, declared.audience.size)
    return sizes


def _busiest(repo: project.Repository) -> dict[tuple[str, int, timedelta], int]:
    """(audience, cap max, cap window) -> the most sends one contact gets in a window."""
    caps = {d.audience.id: d.audience.frequency_cap for d in repo.audiences()}
    timelines: dict[str, list[datetime]] = defaultdict(list)
    for listed in sends_by_spec(repo).values():
        for audience, start, *_ in listed or ():
            timelines[audience].append(moment(start))
    found: dict[tuple[str, int, timedelta], int] = {}
    for audience, cap_list in caps.items():
        timeline = sorted(timelines.get(audience, []))
        for cap in cap_list:
            found[(audience, cap.max, cap.per)] = most_within(timeline, cap.per)
    return found


def summarise(change: Change, before: project.Repository, after: project.Repository) -> None:
    """Fill `change.verdict` and `change.summary` from the sections already compared."""
    rows: list[dict[str, str]] = []
    reasons_block: list[str] = []
    reasons_review: list[str] = []
    old_spend, new_spend = _spend(before), _spend(after)
    for currency in sorted(old_spend.keys() | new_spend.keys()):
        was, now = old_spend.get(currency, Decimal(0)), new_spend.get(currency, Decimal(0))
        if was == now:
            continue
        delta = money(currency, now - was, signed=True)
        rows.append(
            {
                "what": f"spend ({currency})",
                "before": money(currency, was),
                "after": money(currency, now),
                "change": delta,
            }
        )
        reasons_review.append(f"spend {delta}")
    sizes = _sizes(after, before)
    affected: Counter[str] = Counter()
    unsized: Counter[str] = Counter()
    for row in change.sends:
        moved = abs(int(row["after"]) - int(row["before"]))
        size = sizes.get(str(row["audience"]))
        if size is None:
            unsized[str(row["week"])] += moved
        else:
            affected[str(row["week"])] += moved * size
    if affected or unsized:
        total = sum(affected.values())
        worst = max(affected, key=lambda w: (affected[w], w)) if affected else None
        text = f"{total:,}" + (f" (worst week {worst}: {affected[worst]:,})" if worst else "")
        if unsized:
            text += f"; {prose.count(sum(unsized.values()), 'send')} to audiences without a size"
        rows.append({"what": "recipients affected", "before": "", "after": "", "change": text})
        reasons_review.append(f"{total:,} recipients affected")
    old_busy, new_busy = _busiest(before), _busiest(after)
    for key in sorted(old_busy.keys() | new_busy.keys()):
        busy_was, busy_now = old_busy.get(key, 0), new_busy.get(key, 0)
        if busy_was == busy_now:
            continue
        audience, most, per = key
        over = busy_now > most
        rows.append(
            {
                "what": f"sends per contact, {audience}, busiest {format_duration(per)}",
                "before": f"{busy_was} (cap {most})",
                "after": f"{busy_now} (cap {most})",
                "change": f"{busy_now - busy_was:+d}" + (", over the cap" if over else ""),
            }
        )
        if over:
            reasons_review.append(f"{audience} over its cap")
    if change.calendar:
        kinds = Counter(row["change"] for row in change.calendar)
        rows.append(
            {
                "what": "calendar events",
                "before": "",
                "after": "",
                "change": ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items())),
            }
        )
        reasons_review.append(prose.count(len(change.calendar), "calendar event") + " changed")
    if change.sequences:
        names = sorted({row["sequence"] for row in change.sequences})
        rows.append(
            {
                "what": "sequences changed",
                "before": "",
                "after": "",
                "change": ", ".join(names),
            }
        )
        reasons_review.append(prose.count(len(names), "sequence") + " changed")
    if change.personas:
        rows.append(
            {
                "what": "persona traces changed",
                "before": "",
                "after": "",
                "change": "; ".join(f"{r['persona']} {r['change']}" for r in change.personas[:3])
                + ("; ..." if len(change.personas) > 3 else ""),
            }
        )
    if change.experiments:
        rows.append(
            {
                "what": "experiment plans changed",
                "before": "",
                "after": "",
                "change": ", ".join(r["experiment"] for r in change.experiments),
            }
        )
        reasons_review.append(prose.count(len(change.experiments), "experiment plan") + " changed")
    if change.locked:
        blocked = sum("EXP009" in row["status"] for row in change.locked)
        rows.append(
            {
                "what": "locked experiment fields changed",
                "before": "",
                "after": "",
                "change": f"{len(change.locked)}, {blocked} without an amendment",
            }
        )
        if blocked:
            reasons_block.append(prose.count(blocked, "locked field") + " changed")
    if change.scoring:
        models = sorted({row["model"] for row in change.scoring})
        effects = [
            f"{r['model']}: {r['change']}" for r in change.scoring if r["where"] == "backtest"
        ]
        rows.append(
            {
                "what": "scoring models changed",
                "before": "",
                "after": "",
                "change": "; ".join(effects) or ", ".join(models),
            }
        )
        reasons_review.append(prose.count(len(models), "scoring model") + " changed")
    errors = sum(row["severity"] == "error" for row in change.findings_new)
    warnings = sum(row["severity"] == "warning" for row in change.findings_new)
    resolved = len(change.findings_resolved)
    if errors or warnings or resolved:
        rows.append(
            {
                "what": "findings",
                "before": "",
                "after": "",
                "change": f"{errors} new errors, {warnings} new warnings, {resolved} resolved",
            }
        )
    if errors:
        reasons_block.append(prose.count(errors, "new error"))
    if warnings:
        reasons_review.append(prose.count(warnings, "new warning"))
    change.summary = rows
    if reasons_block:
        change.verdict = "blocks: " + ", ".join(reasons_block + reasons_review)
    elif reasons_review:
        change.verdict = "review: " + ", ".join(reasons_review)
    else:
        change.verdict = "quiet: no change in spend, sends, caps, experiments, scoring or findings"
