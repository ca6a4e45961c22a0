"""The conventions in force: the seed's built-in tables merged with the repository's files."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files

from pydantic import BaseModel

from compiler.conventions.models import (
    DomainRoute,
    Metric,
    Metrics,
    PartnerRoute,
    Routing,
    UtmConventions,
)


def normalize(text: str) -> str:
    """Case- and accent-insensitive form of a word or phrase (`Séquence` -> `sequence`)."""
    if text.isascii():  # nothing to decompose: the common case, ten times faster
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def metric_key(text: str) -> str:
    """The form metric names are compared in: `Taux d'ouverture` -> `taux_d_ouverture`."""
    plain = normalize(text)
    return "_".join("".join(c if c.isalnum() else " " for c in plain).split())


@dataclass(frozen=True)
class MetricRegistry:
    """Metrics by canonical id, with every alias resolvable to its metric."""

    metrics: tuple[Metric, ...]
    _by_id: dict[str, Metric] = field(init=False, repr=False, compare=False)
    _by_alias: dict[str, Metric] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_id = {m.id: m for m in self.metrics}
        by_alias: dict[str, Metric] = {}
        for metric in self.metrics:
            for alias in metric.aliases:
                by_alias.setdefault(metric_key(alias), metric)
        object.__setattr__(self, "_by_id", by_id)
        object.__setattr__(self, "_by_alias", by_alias)

    def get(self, metric_id: str) -> Metric | None:
        """The metric with this canonical id."""
        return self._by_id.get(metric_id)

    def by_alias(self, name: str) -> Metric | None:
        """The metric that `name` is an alias of (compared case- and accent-insensitively)."""
        key = metric_key(name)
        return self._by_alias.get(key) if key not in self._by_id else None

    def resolve(self, name: str) -> Metric | None:
        """The metric `name` is the id or an alias of."""
        return self.get(name) or self.by_alias(name)

    def names(self) -> list[str]:
        """Every canonical id and alias, for "did you mean"."""
        return sorted({*self._by_id, *(metric_key(a) for m in self.metrics for a in m.aliases)})


@dataclass(frozen=True)
class Conventions:
    """Routing table, metric registry and UTM vocabulary in force for a repository."""

    routing: Routing
    metrics: MetricRegistry
    utm: UtmConventions


def _load_default(name: str, model: type[BaseModel]) -> BaseModel:
    from ruamel.yaml import YAML  # only when a repository keeps a default

    # campc's own files, not the repository's: YAML 1.2's safe loader is enough
    data = YAML(typ="safe").load(files("compiler.conventions").joinpath(name).read_bytes())
    return model.model_validate(data)


@cache
def default_routing() -> Routing:
    """The seed's routing table."""
    routing = _load_default("routing.yaml", Routing)
    assert isinstance(routing, Routing)
    return routing


@cache
def default_metrics() -> Metrics:
    """The seed's metric table, plus general guardrail metrics."""
    metrics = _load_default("metrics.yaml", Metrics)
    assert isinstance(metrics, Metrics)
    return metrics


@cache
def default_utm() -> UtmConventions:
    """The built-in UTM vocabulary: email links carry utm_medium=email."""
    utm = _load_default("utm.yaml", UtmConventions)
    assert isinstance(utm, UtmConventions)
    return utm


def _merged_list(base: list[str], extra: list[str]) -> list[str]:
    return list(dict.fromkeys([*base, *extra]))


def merge_routing(base: Routing, override: Routing | None) -> Routing:
    """The repository's routing file on top of the built-in table."""
    if override is None:
        return base
    if not override.extend:
        return override
    domains = dict(base.domains)
    for name, route in override.domains.items():
        old = domains.get(name, DomainRoute())
        domains[name] = DomainRoute(
            keywords=_merged_list(old.keywords, route.keywords),
            channels=_merged_list(old.channels, route.channels),
        )
    partners = dict(base.partners)
    for team, partner in override.partners.items():
        old_partner = partners.get(team, PartnerRoute())
        partners[team] = PartnerRoute(
            keywords=_merged_list(old_partner.keywords, partner.keywords),
            channels=_merged_list(old_partner.channels, partner.channels),
        )
    return Routing(
        kind="routing",
        extend=False,
        order=override.order or base.order,
        kinds={**base.kinds, **override.kinds},
        domains=domains,
        partners=partners,
    )


def merge_metrics(base: Metrics, override: Metrics | None) -> MetricRegistry:
    """The repository's metric file on top of the built-in registry (same id replaces)."""
    if override is None:
        return MetricRegistry(tuple(base.metrics))
    if not override.extend:
        return MetricRegistry(tuple(override.metrics))
    merged = {m.id: m for m in base.metrics}
    merged.update({m.id: m for m in override.metrics})
    return MetricRegistry(tuple(merged.values()))


def merge_utm(base: UtmConventions, override: UtmConventions | None) -> UtmConventions:
    """The repository's UTM file on top of the built-in vocabulary (lists add up)."""
    if override is None or not override.extend:
        return override or base
    return UtmConventions(
        kind="utm",
        extend=False,
        sources=_merged_list(base.sources, override.sources),
        mediums=_merged_list(base.mediums, override.mediums),
        defaults=override.defaults if "defaults" in override.model_fields_set else base.defaults,
    )


def conventions(
    routing: Routing | None = None,
    metrics: Metrics | None = None,
    utm: UtmConventions | None = None,
) -> Conventions:
    """The conventions in force given a repository's own files (if any)."""
    return Conventions(
        routing=merge_routing(default_routing(), routing),
        metrics=merge_metrics(default_metrics(), metrics),
        utm=merge_utm(default_utm(), utm),
    )
