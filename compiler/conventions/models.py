"""Models of the conventions files: the routing table, the metric registry, the UTM vocabulary."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from compiler.model.common import Domain, Identifier, Partner, StrictModel

SpecKind = Literal["campaign", "sequence", "scoring_model", "experiment"]


class DomainRoute(StrictModel):
    """Keywords that send a spec to one sub-domain."""

    keywords: list[str] = Field(default_factory=list)
    """Words and phrases, French and English; matched case- and accent-insensitively."""
    channels: list[Identifier] = Field(default_factory=list)
    """Channels that count as evidence for this sub-domain."""


class PartnerRoute(StrictModel):
    """Keywords and channels that mean work belongs to a partner team."""

    keywords: list[str] = Field(default_factory=list)
    """Words and phrases that signal the partner's work."""
    channels: list[Identifier] = Field(default_factory=list)
    """Channels owned by the partner."""


class Routing(StrictModel):
    """The routing table (seed: Règles de Routage, Arbre de Décision)."""

    kind: Literal["routing"]
    """Always `routing`."""
    extend: bool = True
    """Merge with the built-in table (true) or replace it (false)."""
    order: list[Domain] = Field(default_factory=list)
    """Decision-tree order: the first sub-domain wins a tie."""
    kinds: dict[SpecKind, Domain] = Field(default_factory=dict)
    """Kinds whose sub-domain is fixed, whatever their text says."""
    domains: dict[Domain, DomainRoute] = Field(default_factory=dict)
    """Sub-domain -> keywords and channels."""
    partners: dict[Partner, PartnerRoute] = Field(default_factory=dict)
    """Partner team -> keywords and channels that need a hand-off."""


class Metric(StrictModel):
    """One metric: canonical id, aliases, definition, unit and direction."""

    id: Identifier
    """Canonical snake_case id."""
    name: str = Field(min_length=1)
    """Display name."""
    area: Domain | None = None
    """Sub-domain whose table lists it; none for general metrics."""
    aliases: list[str] = Field(default_factory=list)
    """Other names people use (ctr, cvr, taux d'ouverture...)."""
    definition: str = Field(min_length=1)
    """What it measures, in words."""
    numerator: str | None = None
    """For rates and ratios: what is counted."""
    denominator: str | None = None
    """For rates and ratios: out of what."""
    unit: Literal["rate", "count", "currency", "ratio", "duration"]
    """rate (fraction in [0, 1]), count, currency, ratio or duration."""
    direction: Literal["increase", "decrease"] | None = None
    """Which way is better."""


class Metrics(StrictModel):
    """The metric registry (seed: Métriques Clés)."""

    kind: Literal["metrics"]
    """Always `metrics`."""
    extend: bool = True
    """Merge with the built-in registry (true) or replace it (false)."""
    metrics: list[Metric] = Field(default_factory=list)
    """The metrics."""


UtmValue = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._+-]*$", max_length=100)]
"""A UTM value as analytics tools group it best: lower case, no spaces."""


class UtmDefaults(StrictModel):
    """The tags campc puts on an email's links when its spec sets none."""

    campaign_source: UtmValue = "email"
    """utm_source of a campaign's emails without `utm`."""
    sequence_source: UtmValue = "nurture"
    """utm_source of a sequence's emails."""
    medium: UtmValue = "email"
    """utm_medium of every email without `utm`."""


class UtmConventions(StrictModel):
    """The UTM vocabulary: which `utm_source` and `utm_medium` values links may carry."""

    kind: Literal["utm"]
    """Always `utm`."""
    extend: bool = True
    """Add to the built-in lists (true) or replace them (false)."""
    sources: list[UtmValue] = Field(default_factory=list)
    """Allowed utm_source values; none listed allows any."""
    mediums: list[UtmValue] = Field(default_factory=list)
    """Allowed utm_medium values on email links; none listed allows any."""
    defaults: UtmDefaults = Field(default_factory=UtmDefaults)
    """Tags of emails whose spec declares no `utm`."""
