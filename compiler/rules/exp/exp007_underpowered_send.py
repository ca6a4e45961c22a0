"""A send experiment whose list is too small for its MDE, or of unknown size.

## What it does
An experiment on a send (`send: <campaign>/<send>`, or a `population`) is one
batch to a list: its units are the recipients, split by the weights. The rule
takes the list's size (`population.size`, else the audience's `size`) times
`population.share`, and reports the power that many recipients give each test
(the primary and co-primary metrics, and every guardrail with a `margin`) when
it is below the experiment's `power`, with the smallest MDE the list can detect.
A send experiment whose list size nobody states is an error: it cannot be
planned.

## Why is this bad?
A list does not grow by waiting: planned on traffic a day, a subject-line test
on 31,000 subscribers asked for 260,400 units. With the list's real size, the
plan says what the send can show: if it detects only a 5-point lift, a
"no difference" on a 3-point hope means nothing.

## Example
```yaml
send: pulse-launch-2027/announcement-eu
population: {size: 3700}
primary_metric: {metric: open_rate, baseline: 0.31, mde: 0.02, mde_type: absolute}
```

## Use instead
Test a bolder change (an MDE the list can detect), put more of the list in
the test (`population.share`), or send to a larger audience.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from compiler.analysis.experiments import list_audience, list_size
from compiler.analysis.experiments import planned as planned_for
from compiler.diagnostics import Diagnostic, Rule, Severity
from compiler.model.experiment import Experiment

if TYPE_CHECKING:
    from compiler.project.repository import Repository


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding for each send experiment the list cannot power or size."""
    rule = RULE
    for spec in repo.specs:
        model = spec.model
        if not isinstance(model, Experiment) or not model.batch:
            continue
        size = list_size(repo, model)
        if size is None and _maybe_elsewhere(repo, model):
            continue  # the audience or the send may be in a file that did not load
        if size is None:
            loc = ("audience",) if model.audience else ("send",) if model.send else ("population",)
            line, col = spec.doc.value_at(loc)
            yield rule.diagnostic(
                spec.path,
                line,
                col,
                "a send experiment is planned on its list, whose size is unknown",
                "give the audience a `size` in audiences.yaml, or the experiment "
                "`population: {size: N}`",
            )
            continue
        planned = planned_for(repo, model, size)
        if planned is None or planned.batch is None:
            continue  # EXP001 and EXP005 say why the design cannot be computed
        batch = planned.batch
        if batch.power >= model.power - 1e-9:
            continue
        detectable = (
            "no effect at all"
            if batch.mde == float("inf")
            else f"{batch.mde:.4g} absolute"
            + (
                f" ({batch.mde / planned.design.baseline:.1%} relative)"
                if planned.design.baseline
                else ""
            )
        )
        weakest = (
            ""
            if batch.weakest == model.primary_metric.metric
            else f" (its weakest test, `{batch.weakest}`)"
        )
        line, col = spec.doc.value_at(("primary_metric", "mde"))
        yield rule.diagnostic(
            spec.path,
            line,
            col,
            f"{batch.enrolled:,} recipients give power {batch.power:.2f}{weakest}, below "
            f"{model.power:g}; at power {model.power:g} the list detects {detectable} on "
            f"`{model.primary_metric.metric}`",
            "test a bolder change, put more of the list in the test (`population.share`), "
            "or send to a larger audience",
        )


def _maybe_elsewhere(repo: Repository, model: Experiment) -> bool:
    """Whether the audience or the spec of the send could be in a file that did not
    load (its loader finding is the one to fix)."""
    if model.send and not model.audience:
        owner = model.send.split("/", 1)[0]
        if owner not in repo.ids("campaign") and owner not in repo.ids("sequence"):
            return repo.maybe_declared("campaign", owner) or repo.maybe_declared("sequence", owner)
    name = list_audience(repo, model)
    return (
        bool(name)
        and repo.audience(name or "") is None
        and repo.maybe_declared("audience", name or "")
    )


RULE = Rule(
    code="EXP007",
    name="underpowered-send",
    severity=Severity.ERROR,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # the spec, the audiences (a registry) and policy
)
