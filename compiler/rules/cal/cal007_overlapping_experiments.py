"""Two experiments on the same audience and surface at overlapping dates.

## What it does
Plans every experiment (sample size, then whole weeks of its traffic from its
start) and reports pairs that test the same surface on the same audience
while both run.

## Why is this bad?
Units see both changes at once: each experiment's effect is mixed with the
other's, and neither readout can be trusted.

## Example
```yaml
# performance/cta-colour.yaml:  surface: pricing-page, audience: visitors, start: 2027-04-05
# performance/cta-copy.yaml:    surface: pricing-page, audience: visitors, start: 2027-04-12
```

## Use instead
Start the second after the first's planned end, split the audience between
them, or run one multi-arm experiment.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from compiler.analysis.schedule import events
from compiler.diagnostics import Diagnostic, Rule, Severity
from compiler.model.experiment import Experiment

if TYPE_CHECKING:
    from compiler.project.repository import Repository


def collect(repo: Repository) -> dict[str, Any]:
    """Each experiment's run: its id, audience, surface, first and last day."""
    found: dict[str, Any] = {}
    for event in events(repo):
        model = event.spec.model
        if event.kind == "experiment" and isinstance(model, Experiment):
            assert isinstance(event.start, date)
            assert isinstance(event.end, date)
            last = event.end - timedelta(days=1)
            found[event.spec.path] = [
                model.id,
                model.audience,
                model.surface,
                event.start.isoformat(),
                last.isoformat(),
            ]
    return found


def combine(repo: Repository, collected: dict[str, Any]) -> Iterator[Diagnostic]:
    """Yield a finding for each experiment overlapping an earlier one on audience and surface."""
    rule = RULE
    runs = [
        (path, name, audience, surface, date.fromisoformat(start), date.fromisoformat(end))
        for path, data in collected.items()
        if data
        for name, audience, surface, start, end in [data]
    ]
    runs.sort(key=lambda run: (run[4], run[1]))  # the schedule's order: start, then id
    docs = {spec.path: spec.doc for spec in repo.specs}
    for index, (path, name, audience, surface, start, end) in enumerate(runs):
        for _, other, other_audience, other_surface, other_start, other_end in runs[:index]:
            same = (audience, surface) == (other_audience, other_surface)
            if not same or start > other_end or other_start > end:
                continue
            line, col = docs[path].value_at(("start",))
            yield rule.diagnostic(
                path,
                line,
                col,
                f"`{name}` ({start} to {end}) runs on `{surface}` for "
                f"`{audience or 'everyone'}` while `{other}` does "
                f"({other_start} to {other_end})",
                f"start after {other_end}, or split the audience between the two",
            )


RULE = Rule(
    code="CAL007",
    name="overlapping-experiments",
    severity=Severity.ERROR,
    doc=__doc__ or "",
    collect=collect,
    combine=combine,
)
