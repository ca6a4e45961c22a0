"""A proportion experiment whose baseline, or the treatment value its MDE implies, is not a rate.

## What it does
For `type: proportion` primary metrics, reports a baseline outside (0, 1),
and an MDE that would take the treatment's rate to 0 or beyond 1.

## Why is this bad?
A baseline of 3.2 is a percent written as a number; no sample size can be
computed from it, and the plan would silently be wrong.

## Example
```yaml
primary_metric: {metric: conversion_rate, baseline: 3.2, mde: 0.1}
```

## Use instead
```yaml
primary_metric: {metric: conversion_rate, baseline: 0.032, mde: 0.1}
```
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from compiler.analysis.experiments import design
from compiler.diagnostics import Diagnostic, Rule, Severity
from compiler.model.experiment import Experiment

if TYPE_CHECKING:
    from compiler.project.repository import Repository


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding for each proportion baseline or treatment rate outside (0, 1)."""
    rule = RULE
    for spec in repo.specs:
        model = spec.model
        if not isinstance(model, Experiment) or model.primary_metric.type != "proportion":
            continue
        chosen = design(model)
        treatment = chosen.baseline + chosen.effect
        if not 0 < chosen.baseline < 1:
            line, col = spec.doc.value_at(("primary_metric", "baseline"))
            hint = (
                f"rates are fractions: {chosen.baseline / 100:g}, not {chosen.baseline:g}"
                if 1 < chosen.baseline <= 100
                else "a proportion's baseline is a rate between 0 and 1"
            )
            yield rule.diagnostic(
                spec.path, line, col, f"baseline {chosen.baseline:g} is not a rate in (0, 1)", hint
            )
        elif not 0 < treatment < 1:
            line, col = spec.doc.value_at(("primary_metric", "mde"))
            yield rule.diagnostic(
                spec.path,
                line,
                col,
                f"the MDE takes the rate from {chosen.baseline:g} to {treatment:g}, outside (0, 1)",
                "check `mde` and `mde_type` (relative 0.1 is +10% of the baseline)",
            )


RULE = Rule(
    code="EXP005",
    name="baseline-range",
    severity=Severity.ERROR,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # findings depend on one spec (and conventions, policy) alone
)
