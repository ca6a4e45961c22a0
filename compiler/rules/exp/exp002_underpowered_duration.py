"""An experiment whose planned run is longer than its maximum duration: it is underpowered.

## What it does
Plans the experiment (sample size per arm, then days of its enrolled
traffic) and compares the run with the spec's `max_duration`, or the
project's `[tool.campc.experiments] max-duration` (8 weeks by default).
Reports the run it needs and the MDE the maximum duration would reach instead.

## Why is this bad?
An experiment stopped at its maximum duration before it has its sample can
only detect a larger effect than planned: a "no difference" readout then
means nothing.

## Example
```yaml
primary_metric: {metric: conversion_rate, baseline: 0.02, mde: 0.05}
traffic: {daily: 500}
max_duration: 4w
```

## Use instead
Raise the MDE to what four weeks can detect, enrol more traffic, or accept a
longer run.

## Options
`[tool.campc.experiments] max-duration = "8w"`
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from compiler.analysis.experiments import planned as planned_for
from compiler.analysis.stats import minimum_effect
from compiler.diagnostics import Diagnostic, Rule, Severity
from compiler.model.experiment import Experiment

if TYPE_CHECKING:
    from compiler.project.repository import Repository


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding for each experiment that needs longer than it may run."""
    rule = RULE
    for spec in repo.specs:
        model = spec.model
        if not isinstance(model, Experiment) or (planned := planned_for(repo, model)) is None:
            continue
        limit = (model.max_duration or repo.policy.experiments.max_duration).days
        if planned.run_days <= limit:
            continue
        units = planned.daily_units * limit * planned.design.weights[0]
        reachable = minimum_effect(planned.design, units) if units >= 2 else float("inf")
        baseline = planned.design.baseline
        instead = (
            "no effect at all"
            if reachable == float("inf")
            else f"an effect of {reachable:.4g} ({reachable / baseline:.1%} relative)"
        )
        loc = ("max_duration",) if model.max_duration is not None else ("traffic",)
        line, col = spec.doc.value_at(loc)
        yield rule.diagnostic(
            spec.path,
            line,
            col,
            f"needs {planned.run_days} days ({planned.total:,} units) but may run {limit}: "
            f"in {limit} days it can detect only {instead}",
            "raise the MDE, enrol more traffic (`traffic.share`), or allow a longer run",
        )


RULE = Rule(
    code="EXP002",
    name="underpowered-duration",
    severity=Severity.ERROR,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # findings depend on one spec (and conventions, policy) alone
)
