"""An experiment's statistical plan: sample size per arm, duration and dates."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from compiler.analysis.stats import Design, sample_sizes
from compiler.model.experiment import Experiment


@dataclass(frozen=True)
class ExperimentPlan:
    """What an experiment needs and when it ends."""

    design: Design
    per_arm: tuple[int, ...]
    total: int
    daily_units: float
    days: int
    """Days of traffic the sample needs."""
    weeks: int
    """Whole weeks the sample needs (the run when the spec asks for whole weeks)."""
    start: date
    end: date
    """Last day of the planned run (inclusive): whole weeks, or just the days needed."""

    @property
    def run_days(self) -> int:
        """Days from the start to the planned end, both included."""
        return (self.end - self.start).days + 1

    readout: date
    """The first working day after the end."""


def design(experiment: Experiment) -> Design:
    """The statistical design a spec declares."""
    metric = experiment.primary_metric
    baseline = float(metric.baseline)
    mde = float(metric.mde)
    effect = baseline * mde if metric.mde_type == "relative" else mde
    if metric.direction == "decrease":
        effect = -effect
    return Design(
        baseline=baseline,
        effect=effect,
        weights=tuple(v.weight for v in experiment.variants),
        alpha=experiment.alpha,
        power=experiment.power,
        sides=experiment.sides,
        method=experiment.method,
        std_dev=float(metric.std_dev) if metric.type == "continuous" and metric.std_dev else None,
        correction=experiment.correction,
    )


def plan(experiment: Experiment) -> ExperimentPlan | None:
    """The plan, or None when the design cannot be computed (the EXP rules say why)."""
    chosen = design(experiment)
    if any(w <= 0 for w in chosen.weights):
        return None
    try:
        per_arm = sample_sizes(chosen)
    except (ValueError, ZeroDivisionError):
        return None
    total = sum(per_arm)
    daily = experiment.traffic.daily * experiment.traffic.share
    if daily <= 0:
        return None
    days = math.ceil(total / daily)
    weeks = math.ceil(days / 7)
    run = weeks * 7 if experiment.whole_weeks else days
    end = experiment.start + timedelta(days=run - 1)
    readout = end + timedelta(days=1)
    while readout.weekday() >= 5:
        readout += timedelta(days=1)
    return ExperimentPlan(
        chosen, per_arm, total, daily, days, weeks, experiment.start, end, readout
    )
