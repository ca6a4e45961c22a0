"""Every reference a spec makes to something declared elsewhere, with where it is written."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal, get_args

from pydantic import BaseModel

from compiler.diagnostics import Loc
from compiler.model.campaign import Campaign
from compiler.model.experiment import Experiment
from compiler.model.scoring import ScoringModel
from compiler.model.sequence import BranchStep, SendStep, Sequence

Target = Literal[
    "audience", "sequence", "experiment", "template", "step", "attribute", "event", "send"
]
TARGETS: frozenset[str] = frozenset(get_args(Target))


@dataclass(frozen=True)
class Reference:
    """`value`, written at `loc`, must name an existing `target`."""

    target: Target
    value: str
    loc: Loc


def references(spec: BaseModel) -> Iterator[Reference]:
    """The references of one spec, in document order."""
    if isinstance(spec, Campaign):
        yield from _campaign(spec)
    elif isinstance(spec, Sequence):
        yield from _sequence(spec)
    elif isinstance(spec, Experiment):
        if spec.audience is not None:
            yield Reference("audience", spec.audience, ("audience",))
        if spec.send is not None:
            yield Reference("send", spec.send, ("send",))
    elif isinstance(spec, ScoringModel):
        yield from _scoring(spec)


def _campaign(spec: Campaign) -> Iterator[Reference]:
    for i, audience in enumerate(spec.audiences):
        yield Reference("audience", audience, ("audiences", i))
    for i, send in enumerate(spec.sends):
        yield Reference("audience", send.audience, ("sends", i, "audience"))
        if send.email is not None:
            yield Reference("template", send.email.template, ("sends", i, "email", "template"))
            if send.email.text_template is not None:
                loc = ("sends", i, "email", "text_template")
                yield Reference("template", send.email.text_template, loc)
    for i, link in enumerate(spec.sequences):
        yield Reference("sequence", link.id, ("sequences", i))
    for i, experiment in enumerate(spec.experiments):
        yield Reference("experiment", experiment, ("experiments", i))


def _sequence(spec: Sequence) -> Iterator[Reference]:
    if spec.audience is not None:
        yield Reference("audience", spec.audience, ("audience",))
    for i, step in enumerate(spec.steps):
        if isinstance(step, SendStep):
            yield Reference("template", step.email.template, ("steps", i, "email", "template"))
            if step.email.text_template is not None:
                loc = ("steps", i, "email", "text_template")
                yield Reference("template", step.email.text_template, loc)
        if isinstance(step, BranchStep):
            yield Reference("step", step.then, ("steps", i, "then"))
            if step.otherwise is not None:
                yield Reference("step", step.otherwise, ("steps", i, "else"))
        if step.next is not None:
            yield Reference("step", step.next, ("steps", i, "next"))


def _scoring(spec: ScoringModel) -> Iterator[Reference]:
    for i, fit in enumerate(spec.fit):
        yield Reference("attribute", fit.attribute, ("fit", i, "attribute"))
    for i, rule in enumerate(spec.behaviour):
        yield Reference("event", rule.event, ("behaviour", i, "event"))
    for i, example in enumerate(spec.examples):
        for name in example.attributes:
            yield Reference("attribute", name, ("examples", i, "attributes", name))
        for j, event in enumerate(example.events):
            yield Reference("event", event.event, ("examples", i, "events", j, "event"))


@dataclass(frozen=True)
class MetricUse:
    """A metric named at `loc`, as a KPI, an experiment's primary metric or a guardrail."""

    metric: str
    role: Literal["kpi", "primary_metric", "guardrail"]
    loc: Loc


def metric_uses(spec: BaseModel) -> Iterator[MetricUse]:
    """Every metric a spec names, in document order."""
    for i, kpi in enumerate(getattr(spec, "kpis", [])):
        yield MetricUse(kpi.metric, "kpi", ("kpis", i, "metric"))
    if isinstance(spec, Experiment):
        yield MetricUse(spec.primary_metric.metric, "primary_metric", ("primary_metric", "metric"))
        for i, guardrail in enumerate(spec.guardrails):
            yield MetricUse(guardrail.metric, "guardrail", ("guardrails", i, "metric"))
