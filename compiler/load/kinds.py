"""Every document kind by its `kind` value: the four specs and the repository-wide files."""

from __future__ import annotations

from pydantic import BaseModel

from compiler.conventions.models import Metrics, Routing, UtmConventions
from compiler.model.audience import Audiences
from compiler.model.blackouts import Blackouts
from compiler.model.campaign import Campaign
from compiler.model.experiment import Experiment
from compiler.model.scoring import ScoringModel
from compiler.model.sequence import Sequence

Spec = Campaign | Sequence | ScoringModel | Experiment

SPEC_KINDS: dict[str, type[BaseModel]] = {
    "campaign": Campaign,
    "sequence": Sequence,
    "scoring_model": ScoringModel,
    "experiment": Experiment,
}
"""The four spec kinds, each compiled into artifacts."""

REGISTRY_KINDS: dict[str, type[BaseModel]] = {
    "audiences": Audiences,
    "blackouts": Blackouts,
    "routing": Routing,
    "metrics": Metrics,
    "utm": UtmConventions,
}
"""Repository-wide files: declared once, read by every spec."""

KINDS: dict[str, type[BaseModel]] = {**SPEC_KINDS, **REGISTRY_KINDS}

__all__ = [
    "KINDS",
    "REGISTRY_KINDS",
    "SPEC_KINDS",
    "Audiences",
    "Blackouts",
    "Campaign",
    "Experiment",
    "Metrics",
    "Routing",
    "ScoringModel",
    "Sequence",
    "Spec",
    "UtmConventions",
]
