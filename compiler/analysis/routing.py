"""Routing a spec to its sub-domain, and finding partner-team work, with the evidence for each.

The seed's decision tree: a kind the table fixes (sequences and scoring models
to automation, experiments to performance) decides first. Otherwise keywords
in the spec's text (name, description, tags) and its channels score each
sub-domain; the highest score wins and a tie goes to the sub-domain that comes
first in the tree (`order`). Keywords match whole words and phrases, case- and
accent-insensitively, with an optional plural `s`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from pydantic import BaseModel

from compiler.conventions.models import Routing
from compiler.conventions.registry import normalize
from compiler.diagnostics import Loc
from compiler.model.campaign import Campaign


@dataclass(frozen=True)
class Evidence:
    """One match: `keyword` (or a channel) found in `field`, pointing to `target`."""

    target: str
    keyword: str
    field: str
    loc: Loc

    def describe(self) -> str:
        """`'launch' in name` or `channel 'events'`."""
        if self.field.startswith("channels"):
            return f"channel '{self.keyword}'"
        return f"'{self.keyword}' in {self.field}"


@dataclass(frozen=True)
class Decision:
    """Where routing sends a spec, and why."""

    domain: str | None
    """The derived sub-domain; None when nothing in the spec points anywhere."""
    by_kind: str | None
    """The kind, when the kind alone decided."""
    evidence: tuple[Evidence, ...]
    scores: tuple[tuple[str, int], ...]
    """Sub-domains with their score, best first, in decision-tree order on ties."""
    tied: tuple[str, ...]
    """Sub-domains that shared the best score (the tree picked the first)."""

    def explain(self) -> str:
        """The evidence in one line."""
        if self.by_kind is not None:
            return f"kind `{self.by_kind}` routes to {self.domain}"
        parts = []
        for domain, score in self.scores:
            found = [e.describe() for e in self.evidence if e.target == domain]
            parts.append(f"{domain} {score} ({', '.join(found)})")
        text = "; ".join(parts)
        if len(self.tied) > 1:
            text += f"; tie between {', '.join(self.tied)} resolved by the decision tree"
        return text


def _words(text: str) -> str:
    plain = normalize(text)
    return " " + " ".join(re.sub(r"[^a-z0-9/]+", " ", plain).split()) + " "


@lru_cache(maxsize=4096)
def _pattern(keyword: str) -> re.Pattern[str]:
    words = _words(keyword).strip()
    return re.compile(r"(?<![a-z0-9])" + re.escape(words) + r"(?:e?s)?(?![a-z0-9])")


def texts(spec: BaseModel) -> Iterator[tuple[str, Loc, str]]:
    """The fields routing reads: name, description and tags."""
    yield "name", ("name",), str(getattr(spec, "name", ""))
    description = getattr(spec, "description", None)
    if description:
        yield "description", ("description",), description
    for index, tag in enumerate(getattr(spec, "tags", [])):
        yield f"tags[{index}]", ("tags", index), tag


def channels(spec: BaseModel) -> Iterator[tuple[str, Loc, str]]:
    """A campaign's channels, from `channels` and the budget's allocation."""
    if not isinstance(spec, Campaign):
        return
    seen = set()
    for index, channel in enumerate(spec.channels):
        seen.add(channel)
        yield f"channels[{index}]", ("channels", index), channel
    if spec.budget is not None:
        for channel in spec.budget.channels:
            if channel not in seen:
                yield f"channels.{channel}", ("budget", "channels", channel), channel


@lru_cache(maxsize=64)
def _keywords(table: tuple[tuple[str, tuple[str, ...]], ...]) -> list[tuple[str, str, str]]:
    """(normalized, keyword, target), longest first: computed once per routing table."""
    return sorted(
        {(_words(k).strip(), k, target) for target, words in table for k in words},
        key=lambda item: (-len(item[0]), item[0], item[2]),
    )


@dataclass
class _Text:
    field: str
    loc: Loc
    words: str


def _matches(spec: BaseModel, table: dict[str, tuple[list[str], list[str]]]) -> list[Evidence]:
    """Keyword and channel matches; longest phrases first, each stretch of text counted once."""
    fields = [_Text(field, loc, _words(text)) for field, loc, text in texts(spec)]
    keywords = _keywords(tuple((target, tuple(words)) for target, (words, _) in table.items()))
    found: list[Evidence] = []
    counted: set[tuple[str, str]] = set()
    for normalized, keyword, target in keywords:
        if not normalized or (target, normalized) in counted:
            continue
        pattern = _pattern(keyword)
        for entry in fields:
            if normalized not in entry.words:  # the pattern needs the words verbatim
                continue
            match = pattern.search(entry.words)
            if match is None:
                continue
            counted.add((target, normalized))
            found.append(Evidence(target, keyword, entry.field, entry.loc))
            start, end = match.span()
            entry.words = entry.words[:start] + " " * (end - start) + entry.words[end:]
            break
    for target, (_, channel_names) in table.items():
        for field, loc, channel in channels(spec):
            if channel in channel_names and (target, channel) not in counted:
                counted.add((target, channel))
                found.append(Evidence(target, channel, field, loc))
    order = list(table)
    return sorted(found, key=lambda e: (order.index(e.target), e.loc != ("name",), str(e.loc)))


def decide(spec: BaseModel, kind: str, routing: Routing) -> Decision:
    """The sub-domain routing derives for a spec, with its evidence."""
    fixed = routing.kinds.get(kind)  # type: ignore[call-overload]
    if fixed is not None:
        return Decision(fixed, kind, (), (), ())
    table = {str(d): (r.keywords, r.channels) for d, r in routing.domains.items()}
    evidence = _matches(spec, table)
    order = [*routing.order, *(d for d in routing.domains if d not in routing.order)]
    counts = {d: sum(e.target == d for e in evidence) for d in order}
    scores = sorted(
        ((d, n) for d, n in counts.items() if n), key=lambda item: (-item[1], order.index(item[0]))
    )
    if not scores:
        return Decision(None, None, (), (), ())
    best = scores[0][1]
    tied = tuple(d for d, n in scores if n == best)
    return Decision(scores[0][0], None, tuple(evidence), tuple(scores), tied)


def partner_work(spec: BaseModel, routing: Routing) -> list[Evidence]:
    """Evidence of work that belongs to a partner team, one per keyword or channel."""
    table = {str(team): (p.keywords, p.channels) for team, p in routing.partners.items()}
    return _matches(spec, table)


@dataclass(frozen=True)
class RouteReport:
    """One spec's routing: declared domain and folder, derived domain, partner work."""

    path: str
    kind: str
    declared: str
    folder: str | None
    decision: Decision
    partners: tuple[Evidence, ...]
    handoffs: tuple[str, ...]
