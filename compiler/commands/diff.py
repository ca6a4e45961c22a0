"""`campc diff BASE [HEAD]`: what a change means, not which lines moved.

Both sides are campaigns folders loaded as `campc check` loads them: a git revision is
exported with `git archive` into a temporary folder (so a shallow clone works as long
as the revision itself was fetched, and a revision without the folder is an empty
repository), the working tree is read in place. Both are read with the working tree's
configuration. The comparison is by meaning: specs by kind and id, budget lines by
campaign and channel, calendar events by spec and key, sends by audience and ISO week,
sequence steps and scoring rules by id, experiment plans by id, findings by path, code
and message (line numbers move with every edit, so they are not compared). A spec whose id
changed is one rename, not a removal and an addition: when it stayed in its file, when git
saw the file moved (`git diff -M`), or when its lines, the id line aside, are mostly the
same (a file moved without git, or not yet added).

In `--format json`, money is `{"amount": 30000.0, "currency": "EUR"}`: a JSON number in
the currency's units, exact to its minor unit, and the ISO 4217 code.
"""

from __future__ import annotations

import difflib
import os
import re
import subprocess
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Any
from zoneinfo import ZoneInfo

from compiler.analysis import budget
from compiler.analysis.experiments import plan
from compiler.analysis.schedule import Event, events, occurrences
from compiler.diagnostics import Diagnostic
from compiler.errors import UsageError
from compiler.load import repository
from compiler.load.kinds import SPEC_KINDS
from compiler.model.experiment import Experiment
from compiler.model.scoring import ScoringModel
from compiler.model.sequence import Sequence
from compiler.project import repository as project
from compiler.text import escape, prose

WORKING_TREE = "working tree"


@dataclass
class Side:
    """One version of the repository: its label, loaded specs and findings."""

    label: str
    repo: project.Repository
    findings: list[Diagnostic]
    moves: dict[str, str] = field(default_factory=dict)
    """Path here -> path on the other side, for the files git saw moved between them."""


@dataclass(frozen=True)
class Money:
    """An amount in a currency: `EUR 30,000.00` in Markdown, `{"amount": 30000.0,
    "currency": "EUR"}` in JSON."""

    amount: Decimal
    currency: str
    signed: bool = False

    def __str__(self) -> str:
        return money(self.currency, self.amount, self.signed)

    def as_json(self) -> dict[str, float | str]:
        """The amount as a JSON number (exact to the minor unit) and its currency."""
        return {"amount": float(self.amount), "currency": self.currency}


@dataclass
class Change:
    """Everything `campc diff` reports, section by section (rows are plain data)."""

    base: str
    head: str
    specs: list[dict[str, str]] = field(default_factory=list)
    budget: list[dict[str, Any]] = field(default_factory=list)
    """Per campaign and channel (and its declared total and contingency): Money or `-`."""
    budget_totals: list[dict[str, Any]] = field(default_factory=list)
    calendar: list[dict[str, str]] = field(default_factory=list)
    sends: list[dict[str, str | int]] = field(default_factory=list)
    """Per audience and ISO week: sends before, after, and the signed delta."""
    sequences: list[dict[str, str]] = field(default_factory=list)
    experiments: list[dict[str, str]] = field(default_factory=list)
    scoring: list[dict[str, str]] = field(default_factory=list)
    findings_new: list[dict[str, str | int]] = field(default_factory=list)
    findings_resolved: list[dict[str, str | int]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Whether nothing the summary reports changed."""
        return not any(
            getattr(self, name)
            for name in self.__dataclass_fields__
            if name not in ("base", "head")
        )


# -- git -------------------------------------------------------------------------------


def _git(top: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=top, capture_output=True, check=False)
    except FileNotFoundError:
        raise UsageError("campc diff needs git on PATH") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        command = next((a for a in args if not a.startswith("-")), "")
        raise UsageError(f"git {command} failed: {message[-1] if message else done.returncode}")
    return done.stdout


def toplevel(cwd: Path) -> Path:
    """The root of the git work tree holding `cwd`."""
    try:
        return Path(_git(cwd, "rev-parse", "--show-toplevel").decode().strip())
    except UsageError:
        raise UsageError(f"{cwd} is not inside a git repository") from None


def commit(top: Path, revision: str) -> str:
    """The commit a revision names; a clear error when it is not in this clone."""
    if revision.startswith("-"):
        raise UsageError(f"`{revision}` is not a revision")
    try:
        return (
            _git(top, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}").decode().strip()
        )
    except UsageError:
        raise UsageError(
            f"unknown revision `{revision}`: on a shallow clone fetch it first "
            f"(git fetch --depth=1 origin {revision})"
        ) from None


def export(top: Path, sha: str, folder: PurePosixPath, into: Path) -> list[Diagnostic] | None:
    """Write the regular files of `folder` as it was at `sha` under `into`; None if it
    did not exist then, else a FILE001 finding for each symbolic link it held.

    The tree is read with `ls-tree` and its blobs with `cat-file`, not `git archive`:
    the file modes come straight from git, so a link (to `/proc/self/environ`, to
    `../../secret`) is reported and never written, let alone followed, and the
    revision's own `.gitattributes` cannot leave files out (`export-ignore`) or rewrite
    them (`export-subst`). Submodules have no files here and are skipped.
    """
    listed = _git(
        top,
        "--literal-pathspecs",
        "ls-tree",
        "-r",
        "-z",
        "--full-tree",
        sha,
        "--",
        folder.as_posix(),
    )
    records = [record for record in listed.split(b"\0") if record]
    if not records:
        return None
    found = []
    blobs: list[tuple[str, str]] = []
    for record in records:
        meta, _, raw = record.partition(b"\t")
        mode, kind, object_id = meta.decode("ascii").split(" ")
        name = os.fsdecode(raw)
        if mode == "120000":
            found.append(repository.refusal(name, "a symbolic link"))
        elif kind != "blob":
            continue
        elif not _inside(name, folder):
            found.append(repository.refusal(name, "outside the campaigns folder"))
        else:
            blobs.append((name, object_id))
    for (name, _), content in zip(blobs, _blobs(top, [i for _, i in blobs]), strict=True):
        target = into / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    return found


def _inside(name: str, folder: PurePosixPath) -> bool:
    """Whether a tree entry's path is a plain relative path below `folder` (git refuses
    others, but a crafted tree object could still hold `..` or an absolute path)."""
    path = PurePosixPath(name)
    parts = name.split("/")
    below = folder == PurePosixPath(".") or path.is_relative_to(folder)
    return below and not path.is_absolute() and all(p not in ("", ".", "..") for p in parts)


def _blobs(top: Path, object_ids: list[str]) -> list[bytes]:
    """The contents of these blobs, in order, from one `git cat-file --batch`."""
    if not object_ids:
        return []
    try:
        done = subprocess.run(
            ["git", "cat-file", "--batch"],
            cwd=top,
            input="".join(f"{i}\n" for i in object_ids).encode("ascii"),
            capture_output=True,
            check=False,
        )
    except FileNotFoundError:
        raise UsageError("campc diff needs git on PATH") from None
    if done.returncode != 0:
        raise UsageError("git cat-file failed: the revision's files could not be read")
    output, position, contents = done.stdout, 0, []
    for _ in object_ids:
        end = output.index(b"\n", position)
        header = output[position:end].split(b" ")
        if len(header) != 3 or header[1] != b"blob":
            raise UsageError(f"git cat-file failed: {header[0].decode('ascii', 'replace')}")
        size = int(header[2])
        contents.append(output[end + 1 : end + 1 + size])
        position = end + 1 + size + 1
    return contents


# -- loading ---------------------------------------------------------------------------


Loader = Callable[[Path, Callable[[Path], str]], tuple[project.Repository, list[Diagnostic]]]


def sides(
    cwd: Path, campaigns: Path, base: str, head: str | None, load: Loader
) -> tuple[Side, Side]:
    """Load the base revision and the head (a revision, or the working tree)."""
    top = toplevel(cwd)
    try:
        folder = PurePosixPath(campaigns.resolve().relative_to(top.resolve()).as_posix())
    except ValueError:
        raise UsageError(
            f"the campaigns folder {campaigns} is outside the git repository"
        ) from None
    base_sha = commit(top, base)
    head_sha = commit(top, head) if head is not None else None
    with tempfile.TemporaryDirectory(prefix="campc-diff-") as scratch:

        def at(revision: str, sha: str) -> Side:
            into = Path(scratch) / sha
            into.mkdir()
            root = into / folder
            links = export(top, sha, folder, into) or []
            root.mkdir(parents=True, exist_ok=True)
            repo, found = load(root, lambda p: (folder / p.relative_to(root)).as_posix())
            return Side(revision, repo, sorted([*found, *links], key=Diagnostic.sort_key))

        before = at(base, base_sha)
        if head is None or head_sha is None:
            root = campaigns.resolve()
            repo, found = load(root, lambda p: (folder / p.relative_to(root)).as_posix())
            after = Side(WORKING_TREE, repo, found)
        else:
            after = at(head, head_sha)
    after.moves = moves(top, folder, base_sha, head_sha)
    return before, after


def moves(top: Path, folder: PurePosixPath, base: str, head: str | None) -> dict[str, str]:
    """New path -> old path of every file git sees renamed under `folder` from `base` to
    `head` (or to the working tree's tracked files: a `git mv` counts, staged or not)."""
    revisions = [base, head] if head else [base]
    listed = _git(
        top,
        "--literal-pathspecs",
        "diff",
        "-M",
        "--name-status",
        "-z",
        "--no-color",
        "--no-ext-diff",
        *revisions,
        "--",
        folder.as_posix(),
    )
    fields = [os.fsdecode(f) for f in listed.split(b"\0")]
    found, index = {}, 0
    while index < len(fields) and fields[index]:
        status = fields[index]
        if status.startswith(("R", "C")):
            old, new = fields[index + 1], fields[index + 2]
            if status.startswith("R"):
                found[new] = old
            index += 3
        else:
            index += 2
    return found


# -- comparison ------------------------------------------------------------------------


def compare(before: Side, after: Side) -> Change:
    """The meaning of the change from `before` to `after`."""
    change = Change(before.label, after.label)
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
    change.experiments = list(_experiments(before.repo, after.repo, renamed))
    change.scoring = list(_scoring(before.repo, after.repo, renamed))
    change.findings_new, change.findings_resolved = _findings(before.findings, after.findings)
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


def money(currency: str, amount: Decimal, signed: bool = False) -> str:
    """`EUR 12,000.00` (`+EUR 5.00`, `-EUR 5.00` for deltas); independent of locale."""
    return prose.money(currency, amount, budget.minor_unit(currency), signed)


def _budget(
    before: project.Repository, after: project.Repository, renamed: dict[str, str]
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    def lines(
        repo: project.Repository, ids: dict[str, str]
    ) -> tuple[dict[Any, Decimal], dict[Any, Decimal]]:
        channels: dict[Any, Decimal] = defaultdict(Decimal)
        totals: dict[Any, Decimal] = defaultdict(Decimal)
        for found in budget.plans(repo):
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

    old_channels, old_totals = lines(before, renamed)
    new_channels, new_totals = lines(after, {})

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
    repo: project.Repository, ids: dict[str, str]
) -> dict[tuple[str, str], tuple[Event, list[str]]]:
    found = {}
    for event in events(repo):
        dates = [_when(o, event.timezone) for o in occurrences(event)]
        found[(ids.get(event.spec_id, event.spec_id), event.key)] = (event, dates)
    return found


def _calendar(
    before: project.Repository, after: project.Repository, renamed: dict[str, str]
) -> Iterator[dict[str, str]]:
    old, new = _event_map(before, renamed), _event_map(after, {})
    for key in sorted(old.keys() | new.keys()):
        spec_id, _ = key
        if key not in old:
            event, dates = new[key]
            yield _event_row("added", spec_id, event, "-", _dates(dates))
        elif key not in new:
            event, dates = old[key]
            yield _event_row("removed", spec_id, event, _dates(dates), "-")
        elif old[key][1] != new[key][1]:
            yield _event_row(
                "moved", spec_id, new[key][0], _dates(old[key][1]), _dates(new[key][1])
            )


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
    "variants",
    "alpha",
    "power",
    "sides",
    "method",
    "correction",
    "traffic",
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


def _planned(experiment: Experiment) -> _Planned | None:
    planned = plan(experiment)
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
    if old.traffic.daily != new.traffic.daily:
        found.append(
            f"traffic {prose.number(old.traffic.daily)} -> {prose.number(new.traffic.daily)}/day"
        )
    if old.traffic.share != new.traffic.share:
        found.append(
            f"enrolled share {prose.percent(old.traffic.share)} -> "
            f"{prose.percent(new.traffic.share)}"
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


def _experiments(
    before: project.Repository, after: project.Repository, renamed: dict[str, str]
) -> Iterator[dict[str, str]]:
    for spec_id, old, new in _pairs(before, after, Experiment, renamed):
        assert isinstance(old.model, Experiment)
        assert isinstance(new.model, Experiment)
        was, now = _planned(old.model), _planned(new.model)
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


# -- output ----------------------------------------------------------------------------


def _table(rows: list[dict[str, Any]]) -> list[str]:
    columns = list(rows[0])
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(escape.markdown(str(r[c])) for c in columns) + " |" for r in rows]
    return lines


def _count(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"


def markdown(change: Change) -> str:
    """The change as a pull request reviewer reads it."""
    kinds = Counter(row["change"] for row in change.specs)
    base, head_label = escape.markdown_code(change.base), escape.markdown_code(change.head)
    head = [f"## campc diff: {base} -> {head_label}", ""]
    if change.empty:
        return "\n".join(
            [
                *head,
                "No change in meaning: specs, budget, calendar, sequences, "
                "experiments, scoring and findings are the same.",
                "",
            ]
        )
    parts = [f"{n} {k}" for k, n in sorted(kinds.items())]
    head.append(
        f"**Specs**: {', '.join(parts) or 'none added or removed'} · "
        f"**Findings**: {len(change.findings_new)} new, "
        f"{len(change.findings_resolved)} resolved"
    )
    head.append("")
    sections: list[tuple[str, list[dict[str, Any]]]] = [
        ("Specs", change.specs),
        ("Budget by campaign and channel", change.budget),
        ("Budget by domain and quarter", change.budget_totals),
        ("Calendar", change.calendar),
        ("Sends per audience and week", change.sends),
        ("Sequences", change.sequences),
        ("Experiments", change.experiments),
        ("Scoring models", change.scoring),
    ]
    lines = head
    for title, rows in sections:
        if rows:
            lines += [f"### {title}", "", *_table(rows), ""]
    for title, rows in (
        ("New findings", change.findings_new),
        ("Resolved findings", change.findings_resolved),
    ):
        if rows:
            lines += [f"### {title}", ""]
            for r in rows:
                where = escape.markdown_code(f"{r['path']}:{r['line']}:{r['col']}")
                message = escape.markdown(str(r["message"]))
                lines.append(f"- {where} {r['code']} ({r['severity']}): {message}")
            lines.append("")
    return "\n".join(lines)


def as_json(change: Change) -> str:
    """The change as data (the same sections, keyed by name)."""
    document = {name: getattr(change, name) for name in change.__dataclass_fields__}
    return escape.json_document(_plain(document))


def _plain(value: Any) -> Any:
    """The document with every Money as its JSON object."""
    if isinstance(value, Money):
        return value.as_json()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
