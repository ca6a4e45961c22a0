"""The `blackouts` file: dates when nothing is sent or launched (freezes, company events)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from compiler.model.common import IsoDate, Slug, StrictModel


class Blackout(StrictModel):
    """A window of days closed to sends and launches."""

    id: Slug
    """Id of the blackout."""
    name: str = Field(min_length=1)
    """Why (e.g. `Year-end freeze`)."""
    start: IsoDate
    """First closed day."""
    end: IsoDate
    """Last closed day, included."""
    markets: list[str] = Field(default_factory=list)
    """Countries it applies to (ISO 3166-1 alpha-2); empty means everywhere."""

    @model_validator(mode="after")
    def _ordered(self) -> Blackout:
        if self.end < self.start:
            raise ValueError("`end` is before `start`")
        return self


class Blackouts(StrictModel):
    """The repository's blackout windows."""

    kind: Literal["blackouts"]
    """Always `blackouts`."""
    blackouts: list[Blackout] = Field(default_factory=list)
    """The windows."""
