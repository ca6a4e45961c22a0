"""A started experiment's design changed since the base revision, without an amendment.

## What it does
With `campc check --base REV` (the CI workflow passes the pull request's base),
compares each experiment that had started by the as-of date (`--as-of`, by
default the date of the commit checked) with its version at the base
revision, and reports every locked field that changed: the primary and
co-primary metrics, MDE, alpha, power, sides, method and correction, the
variants (ids, weights, subjects), looks and spending, the guardrails and their
margins, the unit, the audience, the population and the start. A change an
`amendments:` entry names is `EXP010` instead.

## Why is this bad?
A plan edited after the data started coming in is no longer a plan: a smaller
MDE after a weak first week, a guardrail dropped after it moved, a variant's
weight shifted to the winner. That is how p-hacking reaches a pull request,
one reasonable-looking line at a time.

## Example
```yaml
# at the base: mde: 0.03; started 2027-04-13
primary_metric: {metric: open_rate, baseline: 0.31, mde: 0.02}
```

## Use instead
Leave the design as registered, or record why it had to change:
```yaml
amendments:
  - date: 2027-04-20
    fields: [primary_metric.mde]
    reason: the baseline was measured on the wrong segment
    approver: "@growth-analytics"
```
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from compiler.analysis import lock
from compiler.diagnostics import Diagnostic, Rule, Severity
from compiler.model.experiment import Experiment

if TYPE_CHECKING:
    from compiler.project.repository import Repository, SpecFile


def locked_changes(repo: Repository) -> Iterator[tuple[SpecFile, Experiment, lock.LockedChange]]:
    """Each locked field a started experiment changes since the base revision. An
    experiment is matched by its id, else by its file: a new id in the same file is the
    same experiment renamed, and the rename is a change of its locked `id`."""
    if repo.base is None:
        return
    by_id: dict[str, Experiment] = {}
    by_file: dict[str, Experiment] = {}
    # the kind first: a cached spec's model is validated when asked for, and only the
    # experiments' are needed
    for spec in repo.base.repo.specs:
        if spec.kind == "experiment" and isinstance(spec.model, Experiment):
            by_id[spec.model.id] = spec.model
            by_file[spec.rel.as_posix()] = spec.model
    for spec in repo.specs:
        model = spec.model if spec.kind == "experiment" else None
        if not isinstance(model, Experiment):
            continue
        old = by_id.get(model.id) or by_file.get(spec.rel.as_posix())
        if old is None or not lock.started(old, repo.base.as_of):
            continue  # new, or not started as reviewed: free to change
        if old.id != model.id:
            covering = [
                a for a in model.amendments if lock.covers(a, "id") and a.date <= repo.base.as_of
            ]
            yield (
                spec,
                old,
                lock.LockedChange(
                    "id", ("id",), old.id, model.id, covering[-1] if covering else None
                ),
            )
        for change in lock.changes(old, model, repo.base.as_of):
            yield spec, old, change


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding for each locked field changed without an amendment."""
    rule = RULE
    for spec, old, change in locked_changes(repo):
        if change.amendment is not None:
            continue
        line, col = spec.doc.value_at(change.loc)
        assert repo.base is not None
        yield rule.diagnostic(
            spec.path,
            line,
            col,
            f"`{change.field}` is locked since the start on {old.start.isoformat()}: "
            f"{change.before} -> {change.after} (base {repo.base.revision})",
            f"keep it as registered, or add an `amendments:` entry naming `{change.field}` "
            "with the date, the reason and who approved it",
        )


RULE = Rule(
    code="EXP009",
    name="locked-design",
    severity=Severity.ERROR,
    doc=__doc__ or "",
    check=check,
    scope="repository",  # compares with the base revision, which no cache key holds
)
