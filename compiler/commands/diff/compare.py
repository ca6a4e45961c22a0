"""The comparison by meaning: specs by kind and id (renames found), budget lines,
calendar events, sends per audience and week, steps, scoring rules, experiment plans
with their causes, findings without line numbers."""

from __future__ import annotations

import difflib
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from compiler.analysis import budget, history, lock
from compiler.analysis.experiments import list_size
from compiler.analysis.experiments import planned as planned_for
from compiler.analysis.personas import Landing, Persona, entry, personas
from compiler.analysis.schedule import Event, events, occurrences
from compiler.commands.diff import radius
from compiler.commands.diff.change import Change, Money, Side
from compiler.diagnostics import Diagnostic
from compiler.load.kinds import SPEC_KINDS
from compiler.model.experiment import Experiment
from compiler.model.scoring import ScoringModel
from compiler.model.sequence import Sequence
from compiler.project import repository as project
from compiler.project.facts import Facts
from compiler.text import prose

if TYPE_CHECKING:
    from compiler.backends.scoring.backtest import Backtest


def compare(before: Side, after: Side, as_of: date | None = None) -> Change:
    """The meaning of the change from `before` to `after`; with `as_of`, the locked
    designs of experiments started by then that it changes, first."""
    change = Change(before.label, after.label)
    if as_of is not None:
        change.locked = list(_locked(before.repo, after.repo, as_of))
    change.specs = list(_specs(before.repo, after.repo, after.moves))
    # a renamed spec is compared under its new id, so its budget and events read as the
    # same lines and dates rather than all removed and all added
    renamed = {
        row["id"].split(" -> ")[0]: row["id"].split(" -> ")[1]
        for row in change.specs
        if row["change"] == "renamed"
    }
    change.budget, change.budget_totals = _budget(before.repo, after.repo, renamed)
    change.calendar = list(_calendar(before.repo, after.repo, renamed))
    change.sends = list(_sends(before.repo, after.repo))
    change.sequences = list(_sequences(before.repo, after.repo, renamed))
    change.personas = list(_personas(before.repo, after.repo, renamed))
    change.experiments = list(_experiments(before.repo, after.repo, renamed))
    change.scoring = list(_scoring(before.repo, after.repo, renamed))
    change.findings_new, change.findings_resolved = _findings(before.findings, after.findings)
    radius.summarise(change, before.repo, after.repo)
    return change


def _by_id(repo: project.Repository) -> dict[tuple[str, str], project.SpecFile]:
    return {(kind, i): spec for kind in SPEC_KINDS for i, spec in repo.ids(kind).items()}


def _without_id(spec: project.SpecFile) -> str:
    """The spec's text without its `id:` line (what a rename leaves alone)."""
    return re.sub(r"(?m)^id:.*\n?", "", spec.doc.text)


_SIMILAR = 0.7
"""How alike two spec texts (id lines aside, line by line) must be to read as one renamed
spec when git saw no move: unrelated specs of one kind, written from one template, share
up to half their lines; a renamed spec keeps most of its own."""


def _similarity(old: str, new: str) -> float:
    """The share of lines the two texts have in common (difflib's ratio), 0 where its
    cheap upper bound is already too low."""
    matcher = difflib.SequenceMatcher(None, old.splitlines(), new.splitlines(), autojunk=False)
    if matcher.real_quick_ratio() < _SIMILAR or matcher.quick_ratio() < _SIMILAR:
        return 0.0
    return matcher.ratio()


def _renames(
    removed: dict[tuple[str, str], project.SpecFile],
    added: dict[tuple[str, str], project.SpecFile],
    moved: dict[str, str],
) -> dict[tuple[str, str], tuple[str, str]]:
    """New key -> old key of each spec whose id changed: in a file that stayed put, in a
    file git saw moved (`git diff -M`: half the content kept), or else in the most similar
    removed file of its kind (the id line aside, 70% of the lines the same)."""
    found: dict[tuple[str, str], tuple[str, str]] = {}
    for key, spec in sorted(added.items()):
        for gone_key, gone in sorted(removed.items()):
            same_file = gone.path == spec.path or moved.get(spec.path) == gone.path
            if same_file and gone_key[0] == key[0] and gone_key not in found.values():
                found[key] = gone_key
                break
    candidates = sorted(
        (_similarity(_without_id(gone), _without_id(spec)), key, gone_key)
        for key, spec in added.items()
        if key not in found
        for gone_key, gone in removed.items()
        if gone_key[0] == key[0] and gone_key not in found.values()
    )
    for ratio, key, gone_key in reversed(candidates):
        if ratio >= _SIMILAR and key not in found and gone_key not in found.values():
            found[key] = gone_key
    return found


def _specs(
    before: project.Repository,
    after: project.Repository,
    moved: dict[str, str] | None = None,
) -> Iterator[dict[str, str]]:
    old, new = _by_id(before), _by_id(after)
    removed = {k: v for k, v in old.items() if k not in new}
    added = {k: v for k, v in new.items() if k not in old}
    renamed = _renames(removed, added, moved or {})
    for key, spec in sorted(added.items()):
        if key in renamed:
            was = removed[renamed[key]]
            path = spec.path if was.path == spec.path else f"{was.path} -> {spec.path}"
            yield {
                "change": "renamed",
                "kind": key[0],
                "id": f"{renamed[key][1]} -> {key[1]}",
                "path": path,
            }
        else:
            yield {"change": "added", "kind": key[0], "id": key[1], "path": spec.path}
    gone_keys = set(renamed.values())
    for key, spec in sorted(removed.items()):
        if key not in gone_keys:
            yield {"change": "removed", "kind": key[0], "id": key[1], "path": spec.path}
    for key in sorted(old.keys() & new.keys()):
        if old[key].path != new[key].path:
            yield {
                "change": "moved",
                "kind": key[0],
                "id": key[1],
                "path": f"{old[key].path} -> {new[key].path}",
            }


def _budget(
    before: project.Repository, after: project.Repository, renamed: dict[str, str]
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    def lines(
        planned: list[budget.Plan], ids: dict[str, str]
    ) -> tuple[dict[Any, Decimal], dict[Any, Decimal]]:
        channels: dict[Any, Decimal] = defaultdict(Decimal)
        totals: dict[Any, Decimal] = defaultdict(Decimal)
        for found in planned:
            # the declared total and contingency are compared too: raising a total
            # without touching a channel is a change a reviewer must see
            campaign = ids.get(found.campaign.id, found.campaign.id)
            declared = found.budget
            channels[(campaign, _DECLARED_TOTAL, declared.currency)] += declared.total
            if declared.contingency is not None:
                channels[(campaign, _CONTINGENCY, declared.currency)] += declared.contingency
            for line in found.lines:
                campaign = ids.get(line.campaign, line.campaign)
                channels[(campaign, line.channel, line.currency)] += line.amount
                quarter = budget.quarter(line.month)
                totals[(line.domain, quarter, line.currency)] += line.amount
        return channels, totals

    now = budget.plans(after)
    old_channels, old_totals = lines(budget.plans(before, alongside=now), renamed)
    new_channels, new_totals = lines(now, {})

    def rows(
        old: dict[Any, Decimal], new: dict[Any, Decimal], names: tuple[str, str]
    ) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        # channels first, then the declared total and contingency of the campaign
        order = {_DECLARED_TOTAL: 1, _CONTINGENCY: 2}
        for key in sorted(old.keys() | new.keys(), key=lambda k: (k[0], order.get(k[1], 0), k)):
            first, second, currency = key
            was, now = old.get(key, Decimal(0)), new.get(key, Decimal(0))
            if was == now:
                continue
            found.append(
                {
                    names[0]: first,
                    names[1]: second,
                    "before": Money(was, currency) if key in old else "-",
                    "after": Money(now, currency) if key in new else "-",
                    "delta": Money(now - was, currency, signed=True),
                }
            )
        return found

    return (
        rows(old_channels, new_channels, ("campaign", "channel")),
        rows(old_totals, new_totals, ("domain", "quarter")),
    )


_DECLARED_TOTAL = "(total)"
_CONTINGENCY = "(contingency)"
"""Rows of the campaign table beside the channels (a channel is a snake_case name, so
neither can be one)."""


def _when(moment: date | datetime, zone: str | None = None) -> str:
    if isinstance(moment, datetime):
        local = moment.astimezone(ZoneInfo(zone)) if zone else moment
        return local.strftime("%Y-%m-%d %H:%M")
    return moment.isoformat()


def _event_map(
    repo: project.Repository, ids: dict[str, str], alongside: project.Repository | None = None
) -> dict[tuple[str, str], Event]:
    return {(ids.get(e.spec_id, e.spec_id), e.key): e for e in events(repo, alongside)}


def _local_dates(event: Event) -> list[str]:
    """Each occurrence as the calendar shows it: local to the event's timezone."""
    return [_when(o, event.timezone) for o in occurrences(event)]


def _calendar(
    before: project.Repository, after: project.Repository, renamed: dict[str, str]
) -> Iterator[dict[str, str]]:
    new = _event_map(after, {})
    old = _event_map(before, renamed, alongside=after)  # unchanged specs: the same events
    for key in sorted(old.keys() | new.keys()):
        spec_id, _ = key
        if key not in old:
            yield _event_row("added", spec_id, new[key], "-", _dates(_local_dates(new[key])))
        elif key not in new:
            yield _event_row("removed", spec_id, old[key], _dates(_local_dates(old[key])), "-")
        else:
            was, now = old[key], new[key]
            if (was.start, was.repeat, was.timezone) == (now.start, now.repeat, now.timezone):
                continue  # the dates are a function of these three: the same dates
            dates = _local_dates(was), _local_dates(now)
            if dates[0] != dates[1]:
                yield _event_row("moved", spec_id, now, _dates(dates[0]), _dates(dates[1]))


def _dates(dates: list[str]) -> str:
    if len(dates) <= 1:
        return dates[0] if dates else "-"
    return f"{dates[0]} (+{len(dates) - 1} more, to {dates[-1]})"


def _event_row(change: str, spec_id: str, event: Event, was: str, now: str) -> dict[str, str]:
    return {"change": change, "spec": spec_id, "event": event.summary, "before": was, "after": now}


def _week_counts(repo: project.Repository) -> Counter[tuple[str, str]]:
    counts: Counter[tuple[str, str]] = Counter()
    for event in events(repo):
        if event.kind not in ("send", "sequence-send") or not event.audience:
            continue
        for moment in occurrences(event):
            local = moment
            if isinstance(moment, datetime) and event.timezone:
                local = moment.astimezone(ZoneInfo(event.timezone))
            year, week, _ = local.isocalendar()
            counts[(event.audience, f"{year}-W{week:02d}")] += 1
    return counts


def _sends(before: project.Repository, after: project.Repository) -> Iterator[dict[str, str | int]]:
    old, new = _week_counts(before), _week_counts(after)
    for key in sorted(old.keys() | new.keys()):
        if old[key] != new[key]:
            yield {
                "audience": key[0],
                "week": key[1],
                "before": old[key],
                "after": new[key],
                "delta": f"{new[key] - old[key]:+d}",
            }


def flatten(value: Any, prefix: str = "") -> dict[str, str]:
    """Nested YAML data as `dotted.path -> text`, for field-by-field comparison."""
    if isinstance(value, dict):
        found: dict[str, str] = {}
        for key, item in value.items():
            found.update(flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return found
    if isinstance(value, list):
        if all(not isinstance(item, dict | list) for item in value):
            return {prefix: "[" + ", ".join(_text(item) for item in value) + "]"}
        found = {}
        for index, item in enumerate(value):
            found.update(flatten(item, f"{prefix}[{index}]"))
        return found
    return {prefix: _text(value)}


def _text(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _field_changes(old: Any, new: Any, skip: tuple[str, ...] = ()) -> list[str]:
    """`field: old -> new` for every field that differs (added and removed ones too)."""
    was, now = flatten(old), flatten(new)
    changes = []
    for name in sorted(was.keys() | now.keys()):
        if name.split(".")[0].split("[")[0] in skip or was.get(name) == now.get(name):
            continue
        changes.append(f"{name}: {was.get(name, '(none)')} -> {now.get(name, '(none)')}")
    return changes


def _items(data: Any) -> dict[str, dict[str, Any]]:
    """A list of mappings with ids, by id (order kept)."""
    if not isinstance(data, list):
        return {}
    return {str(i["id"]): i for i in data if isinstance(i, dict) and "id" in i}


def _by_id_items(label: str, old: Any, new: Any) -> Iterator[tuple[str, str]]:
    was, now = _items(old), _items(new)
    for key in [*was, *(k for k in now if k not in was)]:
        if key not in now:
            yield f"{label} `{key}`", "removed"
        elif key not in was:
            kind = now[key].get("type")
            yield f"{label} `{key}`", f"added{f' ({kind})' if kind else ''}"
        else:
            for text in _field_changes(was[key], now[key], skip=("id",)):
                yield f"{label} `{key}`", text


def _pairs(
    before: project.Repository,
    after: project.Repository,
    kind: type,
    renamed: dict[str, str] | None = None,
) -> Iterator[tuple[str, project.SpecFile, project.SpecFile]]:
    """Each spec of `kind` on both sides, by its id after the change (a renamed spec is
    paired with its old self)."""
    old = {(k, (renamed or {}).get(i, i)): v for (k, i), v in _by_id(before).items()}
    new = _by_id(after)
    for key in sorted(old.keys() & new.keys()):
        if isinstance(old[key].model, kind) and isinstance(new[key].model, kind):
            yield key[1], old[key], new[key]


def _sequences(
    before: project.Repository, after: project.Repository, renamed: dict[str, str]
) -> Iterator[dict[str, str]]:
    for spec_id, old, new in _pairs(before, after, Sequence, renamed):
        if old.digest and old.digest == new.digest:
            continue  # the same bytes: the same steps and settings
        for where, text in _by_id_items(
            "step", old.doc.data.get("steps"), new.doc.data.get("steps")
        ):
            yield {"sequence": spec_id, "where": where, "change": text}
        old_order = [s.get("id") for s in old.doc.data.get("steps", []) if isinstance(s, dict)]
        new_order = [s.get("id") for s in new.doc.data.get("steps", []) if isinstance(s, dict)]
        common = [s for s in new_order if s in old_order]
        if common != [s for s in old_order if s in new_order]:
            yield {
                "sequence": spec_id,
                "where": "steps",
                "change": f"order {', '.join(map(str, old_order))} -> "
                f"{', '.join(map(str, new_order))}",
            }
        for name in ("trigger", "audience", "entry", "exit", "quiet_hours", "frequency_cap"):
            for text in _field_changes(
                {name: old.doc.data.get(name)}, {name: new.doc.data.get(name)}
            ):
                yield {"sequence": spec_id, "where": name, "change": text}


_PLAN_INPUTS = (
    "primary_metric",
    "co_primary_metrics",
    "guardrails",
    "variants",
    "alpha",
    "power",
    "sides",
    "method",
    "correction",
    "looks",
    "spending",
    "traffic",
    "population",
    "audience",
    "start",
    "max_duration",
    "whole_weeks",
)


@dataclass(frozen=True)
class _Planned:
    """What a reviewer reads of an experiment's plan."""

    total: int
    run_days: int
    start: date
    end: date


def _planned(repo: project.Repository, experiment: Experiment) -> _Planned | None:
    planned = planned_for(repo, experiment, list_size(repo, experiment))
    if planned is None:
        return None
    return _Planned(planned.total, planned.run_days, planned.start, planned.end)


def _plan_change(was: _Planned | None, now: _Planned | None) -> str:
    """`duration 14 -> 21 days, ends 2027-04-27 -> 2027-05-04`: what moved in the plan."""
    if was is None or now is None:
        shown = [
            "no plan" if p is None else f"{p.total:,} units over {prose.count(p.run_days, 'day')}"
            for p in (was, now)
        ]
        return f"{shown[0]} -> {shown[1]}"
    parts = []
    if was.total != now.total:
        parts.append(f"sample size {was.total:,} -> {now.total:,}")
    if was.run_days != now.run_days:
        parts.append(f"duration {was.run_days} -> {prose.count(now.run_days, 'day')}")
    if was.start != now.start:
        parts.append(f"starts {was.start.isoformat()} -> {now.start.isoformat()}")
    if was.end != now.end:
        parts.append(f"ends {was.end.isoformat()} -> {now.end.isoformat()}")
    return ", ".join(parts)


def _causes(old: Experiment, new: Experiment, was: Any, now: Any) -> list[str]:
    """The inputs of the plan that changed, the traffic and dates in words."""
    found = []
    if old.traffic and new.traffic and old.traffic.daily != new.traffic.daily:
        found.append(
            f"traffic {prose.number(old.traffic.daily)} -> {prose.number(new.traffic.daily)}/day"
        )
    if old.traffic and new.traffic and old.traffic.share != new.traffic.share:
        found.append(
            f"enrolled share {prose.percent(old.traffic.share)} -> "
            f"{prose.percent(new.traffic.share)}"
        )
    if (old.traffic is None) != (new.traffic is None):
        found.append(
            "a send to a list -> traffic over days"
            if new.traffic
            else "traffic over days -> a send to a list"
        )
    if old.start != new.start:
        found.append(f"start {old.start.isoformat()} -> {new.start.isoformat()}")
    if old.whole_weeks != new.whole_weeks:
        found.append("whole weeks " + ("on -> off" if old.whole_weeks else "off -> on"))
    found += _field_changes(
        {k: was.get(k) for k in _PLAN_INPUTS},
        {k: now.get(k) for k in _PLAN_INPUTS},
        skip=("traffic", "start", "whole_weeks"),
    )
    return found


def _first_landings(persona: Persona) -> dict[str, Landing]:
    found: dict[str, Landing] = {}
    for landing in persona.emails:
        found.setdefault(landing.step, landing)
    return found


def _persona_changes(was: Persona, now: Persona) -> Iterator[str]:
    """What one persona receives differently: days, emails gained and lost, bursts,
    how its walk ends."""
    old, new = _first_landings(was), _first_landings(now)
    for step in [*old, *(s for s in new if s not in old)]:
        if step not in new:
            yield f"no longer receives `{step}`"
        elif step not in old:
            yield f"now receives `{step}` (day {new[step].day(now.entered)})"
        else:
            a, b = old[step].day(was.entered), new[step].day(now.entered)
            if a != b:
                yield f"now receives `{step}` on day {b} instead of day {a}"
            elif old[step].at.time() != new[step].at.time():
                yield (
                    f"now receives `{step}` at {new[step].at:%H:%M} instead of "
                    f"{old[step].at:%H:%M} (day {b})"
                )
    day = timedelta(hours=24)
    if now.within(day) > max(was.within(day), 1):
        yield f"now receives {now.within(day)} emails within 24 hours"
    if was.ending != now.ending:
        yield f"now ends: {now.ending} (was: {was.ending})"


def _personas(
    before: project.Repository, after: project.Repository, renamed: dict[str, str]
) -> Iterator[dict[str, str]]:
    """Each sequence's persona traces on both sides, compared persona by persona."""
    for spec_id, old, new in _pairs(before, after, Sequence, renamed):
        assert isinstance(old.model, Sequence)
        assert isinstance(new.model, Sequence)
        unchanged = (
            old.model == new.model
            and entry(before, old.model) == entry(after, new.model)
            and before.audience(old.model.audience or "")
            == after.audience(new.model.audience or "")
        )
        if unchanged:
            continue  # the same walk on the same clock: the same personas
        was = {p.name: p for p in personas(before, old.model)}
        now = {p.name: p for p in personas(after, new.model)}
        for name in [*was, *(n for n in now if n not in was)]:
            if name not in now:
                yield {"sequence": spec_id, "persona": name, "change": "no longer a path"}
                continue
            if name not in was:
                emails = ", ".join(f"`{e.step}`" for e in now[name].emails) or "no email"
                yield {
                    "sequence": spec_id,
                    "persona": name,
                    "change": f"new: receives {emails}; {now[name].ending}",
                }
                continue
            for text in _persona_changes(was[name], now[name]):
                yield {"sequence": spec_id, "persona": name, "change": text}


def _locked(
    before: project.Repository, after: project.Repository, as_of: date
) -> Iterator[dict[str, str]]:
    """Each locked field a started experiment changes (matched as `campc check --base`
    matches it: by id, else by file), whether an amendment covers it, and each started
    experiment the change removes."""
    from compiler.rules.exp.exp009_locked_design import locked_changes

    compared = replace(after, base=project.Baseline("base", before, as_of), facts=Facts())
    seen: set[str] = set()
    for _spec, old, item in locked_changes(compared):
        seen.add(old.id)
        amendment = item.amendment
        yield {
            "experiment": str(old.id),
            "field": item.field,
            "change": f"{item.before} -> {item.after}",
            "status": (
                f"amended {amendment.date.isoformat()} by {amendment.approver}"
                if amendment
                else f"locked since {old.start.isoformat()} (EXP009)"
            ),
        }
    kept = {
        s.model.id
        for s in after.specs
        if s.kind == "experiment" and isinstance(s.model, Experiment)
    }
    files = {s.rel.as_posix() for s in after.specs if s.kind == "experiment"}
    for spec in before.specs:
        gone = spec.model if spec.kind == "experiment" else None
        if not isinstance(gone, Experiment) or not lock.started(gone, as_of):
            continue
        if gone.id in kept or spec.rel.as_posix() in files or gone.id in seen:
            continue
        yield {
            "experiment": str(gone.id),
            "field": "(the experiment)",
            "change": "removed",
            "status": f"started {gone.start.isoformat()}: its registered plan is gone",
        }


def _experiments(
    before: project.Repository, after: project.Repository, renamed: dict[str, str]
) -> Iterator[dict[str, str]]:
    for spec_id, old, new in _pairs(before, after, Experiment, renamed):
        assert isinstance(old.model, Experiment)
        assert isinstance(new.model, Experiment)
        if old.model == new.model and list_size(before, old.model) == list_size(after, new.model):
            continue  # the plan is a function of the two: the same plan
        was, now = _planned(before, old.model), _planned(after, new.model)
        if was == now:
            continue
        why = _causes(old.model, new.model, old.doc.data, new.doc.data)
        yield {
            "experiment": spec_id,
            "plan": _plan_change(was, now),
            "because": "; ".join(why) or "defaults changed",
        }


def _scoring(
    before: project.Repository, after: project.Repository, renamed: dict[str, str]
) -> Iterator[dict[str, str]]:
    for spec_id, old, new in _pairs(before, after, ScoringModel, renamed):
        a, b = old.doc.data, new.doc.data
        for name in ("thresholds", "grades", "caps", "decay"):
            for text in _field_changes({name: a.get(name)}, {name: b.get(name)}):
                yield {"model": spec_id, "where": name, "change": text}
        for section, label in (
            ("fit", "fit rule"),
            ("behaviour", "behaviour rule"),
            ("disqualifiers", "disqualifier"),
        ):
            for where, text in _by_id_items(label, a.get(section), b.get(section)):
                yield {"model": spec_id, "where": where, "change": text}
        assert isinstance(old.model, ScoringModel)
        assert isinstance(new.model, ScoringModel)
        if _same_inputs(before, old.model, after, new.model):
            continue  # the same model on the same history: nothing to score twice
        effect = _backtest_change(_tested(before, old.model), _tested(after, new.model))
        if effect:
            yield {"model": spec_id, "where": "backtest", "change": effect}


def _same_inputs(
    before: project.Repository, old: ScoringModel, after: project.Repository, new: ScoringModel
) -> bool:
    """Whether both sides would backtest the same model on the same bytes."""
    if old != new:
        return False
    if new.history is None:
        return True
    names = [new.history.leads, *([new.history.events] if new.history.events else [])]
    return all(
        isinstance(before.data_files.get(n), bytes)
        and before.data_files.get(n) == after.data_files.get(n)
        for n in names
    )


def _tested(repo: project.Repository, model: ScoringModel) -> Backtest | None:
    """The model's backtest on its history, as the build computes it (None without one)."""
    if model.history is None:
        return None
    found, problems = history.read(model, repo.data_files)
    if found is None or problems or not found.leads:
        return None
    from compiler.backends.scoring.backtest import backtest  # sqlglot: only when scored

    return backtest(model, found)


def _backtest_change(was: Backtest | None, now: Backtest | None) -> str:
    """`AUC 0.749 -> 0.760; MQLs per month 16.3 -> 20.7 (+27%)`: the effect of a scoring
    change on its history (nothing when neither side has one, or nothing moved)."""
    if was is None and now is None:
        return ""
    if was is None or now is None:
        return "backtest added" if was is None else "backtest removed"

    def auc(value: float | None) -> str:
        return "-" if value is None else f"{value:.3f}"

    parts = []
    if auc(was.auc) != auc(now.auc):
        parts.append(f"AUC {auc(was.auc)} -> {auc(now.auc)}")
    for label, a, b in (
        ("MQLs", was.mqls_per_month, now.mqls_per_month),
        ("SQLs", was.sqls_per_month, now.sqls_per_month),
    ):
        if f"{a:.1f}" != f"{b:.1f}":
            change = f" ({(b - a) / a:+.0%})" if a else ""
            parts.append(f"{label} per month {a:.1f} -> {b:.1f}{change}")
    return "; ".join(parts)


def _findings(
    before: list[Diagnostic], after: list[Diagnostic]
) -> tuple[list[dict[str, str | int]], list[dict[str, str | int]]]:
    def key(d: Diagnostic) -> tuple[str, str, str]:
        return d.path, d.code, d.message

    old = Counter(key(d) for d in before)
    new = Counter(key(d) for d in after)

    def row(d: Diagnostic) -> dict[str, str | int]:
        return {
            "path": d.path,
            "line": d.line,
            "col": d.col,
            "code": d.code,
            "severity": d.severity.value,
            "message": d.message,
        }

    added = [row(d) for d in after if new[key(d)] > old.get(key(d), 0)]
    resolved = [row(d) for d in before if old[key(d)] > new.get(key(d), 0)]
    return added, resolved
