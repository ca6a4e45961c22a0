"""An experiment's statistical plan: sample size per arm, duration and dates.

Two kinds of experiment: one on a surface people visit, planned on its daily traffic
(the sample it needs, then the days and whole weeks that bring it), and a send to a
list (`send` or `population`), planned on the list: the units are its recipients, the
plan gives the power the list has for the MDE and the MDE it can detect, with no days
of traffic.

What the test needs is the most demanding of its tests: each primary metric (the
primary and co-primary ones share the alpha family with the treatment arms) and each
guardrail with a `margin` (a one-sided non-inferiority test at alpha, outside the
family); a group-sequential design (`looks`) inflates it to the maximum sample.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Literal

from compiler.analysis import plain, sequential
from compiler.analysis.stats import (
    Design,
    achieved_power,
    corrected_alpha,
    minimum_effect,
    noninferiority_power,
    noninferiority_size,
    ratio_metric,
    sample_sizes,
)
from compiler.model.campaign import Campaign
from compiler.model.experiment import Experiment, Guardrail, PrimaryMetric
from compiler.model.sequence import Sequence
from compiler.project.facts import Fact

if TYPE_CHECKING:
    from compiler.project.repository import Repository


@dataclass(frozen=True)
class Need:
    """What one of the experiment's tests needs."""

    metric: str
    role: Literal["primary", "guardrail"]
    per_arm: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.per_arm)


@dataclass(frozen=True)
class Batch:
    """A send to a list: what the list gives the test."""

    population: int
    """Recipients on the list."""
    enrolled: int
    """Recipients in the test: the list times its share, split by the weights (rounded
    down per arm)."""
    power: float
    """The primary metric's power for its MDE with the enrolled recipients."""
    mde: float
    """The smallest absolute effect the enrolled recipients detect at the planned power
    (infinite when none is)."""
    weakest: str
    """The test with the least power at this size (a primary metric or a guardrail)."""


@dataclass(frozen=True)
class Look:
    """One analysis of a group-sequential design."""

    number: int
    fraction: float
    day: date
    per_arm: tuple[int, ...]
    z: float
    nominal_p: float


@dataclass(frozen=True)
class ExperimentPlan:
    """What an experiment needs and when it ends."""

    design: Design
    """The primary metric's design."""
    per_arm: tuple[int, ...]
    """Units per arm the test enrols: what it needs (the maximum, with looks), or a
    list's split."""
    total: int
    daily_units: float
    """Units a day (0 for a send)."""
    days: int
    """Days of traffic the sample needs (1 for a send)."""
    weeks: int
    """Whole weeks the sample needs (the run when the spec asks for whole weeks)."""
    start: date
    end: date
    """Last day of the planned run (inclusive): whole weeks, or just the days needed."""
    readout: date
    """The first working day after the end."""
    needs: tuple[Need, ...] = ()
    """Each test's own need, fixed horizon (primary metrics, then guardrails)."""
    sequential: sequential.Design | None = None
    looks: tuple[Look, ...] = ()
    batch: Batch | None = None
    saved_by_cuped: int = 0
    """Units CUPED saves over the same plan without it."""

    @property
    def decides(self) -> Need | None:
        """The need the plan follows: the largest."""
        return max(self.needs, key=lambda n: n.total) if self.needs else None

    @property
    def run_days(self) -> int:
        """Days from the start to the planned end, both included."""
        return (self.end - self.start).days + 1


def metric_design(experiment: Experiment, metric: PrimaryMetric, cuped: bool = True) -> Design:
    """The design of one primary metric's test, corrected for the whole family."""
    if metric.type == "ratio":
        assert metric.numerator
        assert metric.denominator
        assert metric.correlation is not None
        baseline, deviation = ratio_metric(
            float(metric.numerator.mean),
            float(metric.numerator.std_dev),
            float(metric.denominator.mean),
            float(metric.denominator.std_dev),
            metric.correlation,
        )
        std_dev: float | None = deviation if deviation > 0 else None
    else:
        assert metric.baseline is not None
        baseline = float(metric.baseline)
        std_dev = float(metric.std_dev) if metric.type == "continuous" and metric.std_dev else None
    mde = float(metric.mde)
    effect = baseline * mde if metric.mde_type == "relative" else mde
    if metric.direction == "decrease":
        effect = -effect
    factor = 1 - metric.cuped.correlation**2 if metric.cuped and cuped else 1.0
    return Design(
        baseline=baseline,
        effect=effect,
        weights=tuple(v.weight for v in experiment.variants),
        alpha=experiment.alpha,
        power=experiment.power,
        sides=experiment.sides,
        method=experiment.method,
        std_dev=std_dev,
        correction=experiment.correction,
        family=(len(experiment.variants) - 1) * len(experiment.primary_metrics),
        variance_factor=factor,
    )


def design(experiment: Experiment) -> Design:
    """The statistical design of the primary metric a spec declares."""
    return metric_design(experiment, experiment.primary_metric)


def _guardrail_margin(guardrail: Guardrail) -> float:
    assert guardrail.margin is not None
    assert guardrail.baseline is not None
    return float(guardrail.baseline) * float(guardrail.margin)


def _guardrail_need(experiment: Experiment, guardrail: Guardrail) -> Need:
    assert guardrail.baseline is not None
    per_arm = noninferiority_size(
        float(guardrail.baseline),
        _guardrail_margin(guardrail),
        tuple(v.weight for v in experiment.variants),
        experiment.alpha,
        experiment.power,
        float(guardrail.std_dev) if guardrail.std_dev is not None else None,
    )
    return Need(guardrail.metric, "guardrail", per_arm)


def _needs(experiment: Experiment, cuped: bool = True) -> list[Need]:
    needs = [
        Need(m.metric, "primary", sample_sizes(metric_design(experiment, m, cuped)))
        for m in experiment.primary_metrics
    ]
    needs += [_guardrail_need(experiment, g) for g in experiment.guardrails if g.margin]
    return needs


def list_size(repo: Repository, experiment: Experiment) -> int | None:
    """The recipients a send experiment's list holds: `population.size`, else its
    audience's `size`, else the size of the audience its `send` goes to (a campaign
    send's, a sequence's); None when none says."""
    if experiment.population is not None and experiment.population.size is not None:
        return experiment.population.size
    audience = repo.audience(list_audience(repo, experiment) or "")
    return audience.size if audience is not None else None


def list_audience(repo: Repository, experiment: Experiment) -> str | None:
    """The audience whose size a send experiment's list is: its own, else the one its
    `send` goes to."""
    return experiment.audience or _send_audience(repo, experiment)


def _send_audience(repo: Repository, experiment: Experiment) -> str | None:
    """The audience of the send `experiment.send` names (`<campaign>/<send>`: the send's;
    `<sequence>/<step>`: the sequence's)."""
    if experiment.send is None:
        return None
    owner, _, send = experiment.send.partition("/")
    for kind in ("campaign", "sequence"):
        spec = repo.ids(kind).get(owner)
        if spec is None:
            continue
        model = spec.model
        if isinstance(model, Campaign):
            return next((s.audience for s in model.sends if s.id == send), None)
        if isinstance(model, Sequence):
            return model.audience
    return None


def split(units: int, weights: tuple[float, ...]) -> tuple[int, ...]:
    """`units` dealt to the arms by their weights, whole units summing to `units`: each
    arm's floor, then the rest one by one to the largest remainders (the first on a tie)."""
    total = sum(weights)
    exact = [units * w / total for w in weights]
    dealt = [math.floor(x + 1e-9) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - dealt[i]), i))
    for i in order[: max(units - sum(dealt), 0)]:
        dealt[i] += 1
    return tuple(dealt)


def _readout(end: date) -> date:
    readout = end + timedelta(days=1)
    while readout.weekday() >= 5:
        readout += timedelta(days=1)
    return readout


PLANS: Fact[dict[bytes, ExperimentPlan | None]] = Fact("plans")


def planned(
    repo: Repository, experiment: Experiment, population: int | None = None
) -> ExperimentPlan | None:
    """`plan(experiment, population)`, worked out once per run and kept across runs in the
    project's cache (`repo.kept`) under the model's JSON and the list size: a build
    or a diff plans every experiment, which took a tenth of a second at 250 of them."""
    key = experiment.model_dump_json().encode() + b"\0" + str(population).encode()
    found = repo.facts.get(PLANS, dict)
    if key in found:
        return found[key]

    def make() -> object:
        made = plan(experiment, population)
        return None if made is None else plain.to_plain(made)

    data = repo.kept("plans", key, make)
    try:
        result = None if data is None else plain.from_plain(ExperimentPlan, data)
    except (ValueError, TypeError):  # kept by another campc: worked out again
        result = plan(experiment, population)
    found[key] = result
    return result


def plan(experiment: Experiment, population: int | None = None) -> ExperimentPlan | None:
    """The plan, or None when the design cannot be computed (the EXP rules say why).
    A send experiment needs its list's size, `population` (`list_size`)."""
    chosen = design(experiment)
    if any(w <= 0 for w in chosen.weights):
        return None
    try:
        needs = _needs(experiment)
        if experiment.batch:
            return _batch(experiment, chosen, needs, population)
        return _traffic(experiment, chosen, needs)
    except (ValueError, ZeroDivisionError):
        return None


def _batch(
    experiment: Experiment,
    chosen: Design,
    needs: list[Need],
    population: int | None,
) -> ExperimentPlan | None:
    if population is None:
        return None
    share = experiment.population.share if experiment.population else 1.0
    enrolled = math.floor(population * share)
    per_arm = split(enrolled, chosen.weights)
    if min(per_arm) < 2:
        return None
    control = per_arm[0]
    power = achieved_power(chosen, control)
    weakest = experiment.primary_metric.metric
    for metric in experiment.co_primary_metrics:
        other = achieved_power(metric_design(experiment, metric), control)
        if other < power:
            power, weakest = other, metric.metric
    for guardrail in experiment.guardrails:
        if guardrail.margin and guardrail.baseline is not None:
            other = min(
                noninferiority_power(
                    float(guardrail.baseline),
                    _guardrail_margin(guardrail),
                    (control, n),
                    experiment.alpha,
                    float(guardrail.std_dev) if guardrail.std_dev is not None else None,
                )
                for n in per_arm[1:]
            )
            if other < power:
                power, weakest = other, guardrail.metric
    mde = minimum_effect(replace(chosen, effect=0.0), control)
    window = experiment.max_duration.days if experiment.max_duration else 1
    end = experiment.start + timedelta(days=max(window, 1) - 1)
    return ExperimentPlan(
        design=chosen,
        per_arm=per_arm,
        total=sum(per_arm),
        daily_units=0.0,
        days=1,
        weeks=1,
        start=experiment.start,
        end=end,
        readout=_readout(end),
        needs=tuple(needs),
        batch=Batch(population, sum(per_arm), power, mde, weakest),
    )


def _traffic(experiment: Experiment, chosen: Design, needs: list[Need]) -> ExperimentPlan | None:
    assert experiment.traffic is not None
    daily = experiment.traffic.daily * experiment.traffic.share
    if daily <= 0:
        return None
    looks = None
    if experiment.looks > 1:
        looks = sequential.design(
            experiment.looks,
            corrected_alpha(chosen.alpha, chosen.comparisons, chosen.correction),
            experiment.power,
            experiment.sides,
            experiment.spending,
        )
    per_arm = _inflated(max(needs, key=lambda n: n.total).per_arm, looks)
    total = sum(per_arm)
    days = math.ceil(total / daily)
    weeks = math.ceil(days / 7)
    run = weeks * 7 if experiment.whole_weeks else days
    end = experiment.start + timedelta(days=run - 1)
    saved = 0
    if any(m.cuped for m in experiment.primary_metrics):
        plain = max(_needs(experiment, cuped=False), key=lambda n: n.total)
        saved = max(sum(_inflated(plain.per_arm, looks)) - total, 0)
    return ExperimentPlan(
        design=chosen,
        per_arm=per_arm,
        total=total,
        daily_units=daily,
        days=days,
        weeks=weeks,
        start=experiment.start,
        end=end,
        readout=_readout(end),
        needs=tuple(needs),
        sequential=looks,
        looks=_looks(looks, experiment, daily, run) if looks else (),
        saved_by_cuped=saved,
    )


def _inflated(per_arm: tuple[int, ...], looks: sequential.Design | None) -> tuple[int, ...]:
    """A fixed design's units per arm, as the maximum of a sequential one."""
    if looks is None:
        return per_arm
    return tuple(math.ceil(n * looks.inflation - 1e-9) for n in per_arm)


def _looks(
    looks: sequential.Design, experiment: Experiment, daily: float, run: int
) -> tuple[Look, ...]:
    """The looks spread over the whole run (whole weeks and all): look k on the day its
    share of the run's days has passed, with the units enrolled by then, so the last is
    the planned end with every unit the run brings (at least the maximum sample)."""
    weights = tuple(v.weight for v in experiment.variants)
    found = []
    for k, (fraction, z, p) in enumerate(
        zip(looks.fractions, looks.bounds, looks.nominal, strict=True)
    ):
        days = run if k == looks.looks - 1 else max(math.ceil(run * fraction - 1e-9), 1)
        found.append(
            Look(
                number=k + 1,
                fraction=fraction,
                day=experiment.start + timedelta(days=days - 1),
                per_arm=split(round(daily * days), weights),
                z=z,
                nominal_p=p,
            )
        )
    return tuple(found)
