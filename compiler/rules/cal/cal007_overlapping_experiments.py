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
from typing import TYPE_CHECKING

from compiler.analysis.schedule import events
from compiler.diagnostics import Diagnostic, Rule, Severity
from compiler.model.experiment import Experiment

if TYPE_CHECKING:
    from compiler.project.repository import Repository


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding for each experiment overlapping an earlier one on audience and surface."""

    rule = RULE
    runs = []
    for event in events(repo):
        model = event.spec.model
        if event.kind == "experiment" and isinstance(model, Experiment):
            assert isinstance(event.start, date)
            assert isinstance(event.end, date)
            runs.append((event, model, event.start, event.end - timedelta(days=1)))
    for index, (event, model, start, end) in enumerate(runs):
        for _other, other_model, other_start, other_end in runs[:index]:
            same = (model.audience, model.surface) == (other_model.audience, other_model.surface)
            if not same or start > other_end or other_start > end:
                continue
            line, col = event.spec.doc.value_at(("start",))
            yield rule.diagnostic(
                event.spec.path,
                line,
                col,
                f"`{model.id}` ({start} to {end}) runs on `{model.surface}` for "
                f"`{model.audience or 'everyone'}` while `{other_model.id}` does "
                f"({other_start} to {other_end})",
                f"start after {other_end}, or split the audience between the two",
            )


RULE = Rule(
    code="CAL007",
    name="overlapping-experiments",
    severity=Severity.ERROR,
    doc=__doc__ or "",
    check=check,
)
