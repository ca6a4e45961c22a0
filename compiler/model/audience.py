"""The `audiences` file: every audience declared once, referenced by id elsewhere."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from compiler.model.common import Slug, StrictModel, Timezone
from compiler.model.sequence import FrequencyCap


class Market(StrictModel):
    """A country (and optionally a subdivision) whose holidays apply."""

    country: str = Field(pattern=r"^[A-Z]{2}$")
    """ISO 3166-1 alpha-2 country code (FR, DE, US...)."""
    subdivision: str | None = Field(default=None, pattern=r"^[A-Z0-9]{1,3}$")
    """ISO 3166-2 subdivision code without the country (e.g. BY)."""


class Audience(StrictModel):
    """A group of contacts campaigns and sequences send to."""

    id: Slug
    """Audience id, referenced by campaigns, sends, sequences and experiments."""
    description: str = Field(min_length=1)
    """Who is in it."""
    markets: list[Market] = Field(min_length=1)
    """Markets the contacts are in."""
    timezone: Timezone
    """Timezone most contacts are in (quiet hours are checked there)."""
    frequency_cap: list[FrequencyCap] = Field(default_factory=list)
    """Upper bounds on sends to one contact (e.g. 1 per 1d, 3 per 7d)."""
    size: int | None = Field(default=None, ge=0)
    """Approximate number of contacts."""


class Audiences(StrictModel):
    """The repository's audiences."""

    kind: Literal["audiences"]
    """Always `audiences`."""
    audiences: list[Audience] = Field(min_length=1)
    """The audiences."""
