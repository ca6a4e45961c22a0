"""An MDE smaller than the traffic could ever detect within the maximum duration.

## What it does
Computes the smallest effect detectable if the experiment enrolled all of
its surface's traffic (`traffic.share: 1`) for its whole maximum duration,
and reports an MDE below it: no share of traffic can make this design work.

## Why is this bad?
The design is impossible as written; `EXP002` would suggest more traffic,
but there is no more to enrol.

## Example
```yaml
primary_metric: {metric: conversion_rate, baseline: 0.01, mde: 0.01}
traffic: {daily: 200, share: 1}
max_duration: 4w
```

## Use instead
Test a bolder change (a larger MDE) on this surface, or move the test to a
surface with more traffic.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from compiler.analysis.experiments import design
from compiler.analysis.stats import minimum_effect
from compiler.diagnostics import Diagnostic, Rule, Severity
from compiler.model.experiment import Experiment

if TYPE_CHECKING:
    from compiler.project.repository import Repository


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding for each MDE below what all the traffic could detect in time."""
    rule = RULE
    for spec in repo.specs:
        model = spec.model
        if not isinstance(model, Experiment) or model.traffic is None:
            continue  # a send's list: EXP007
        chosen = design(model)
        if chosen.effect == 0 or any(w <= 0 for w in chosen.weights):
            continue
        if chosen.std_dev is None and not 0 < chosen.baseline < 1:
            continue  # EXP005
        limit = (model.max_duration or repo.policy.experiments.max_duration).days
        units = model.traffic.daily * limit * chosen.weights[0]
        try:
            floor = minimum_effect(chosen, units) if units >= 2 else float("inf")
        except (ValueError, ZeroDivisionError):
            continue
        if abs(chosen.effect) >= floor:
            continue
        line, col = spec.doc.value_at(("primary_metric", "mde"))
        reachable = "nothing" if floor == float("inf") else f"{floor:.4g} absolute"
        yield rule.diagnostic(
            spec.path,
            line,
            col,
            f"even all {model.traffic.daily:,} units a day for {limit} days detect only "
            f"{reachable}, more than this MDE ({abs(chosen.effect):.4g})",
            "test a bolder change, or run it on a surface with more traffic",
        )


RULE = Rule(
    code="EXP006",
    name="undetectable-mde",
    severity=Severity.ERROR,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # findings depend on one spec (and conventions, policy) alone
)
