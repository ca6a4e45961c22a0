"""What back-ends return and read: artifacts (bytes plus the specs they came from), and
the build context. Outside the back-ends package so that checking never imports them."""

from __future__ import annotations

from dataclasses import dataclass

ALL_CAMPAIGNS = "all"
"""The name of the calendar of every campaign (`calendar/all.ics`), beside each campaign's
own `calendar/<id>.ics`."""
RESERVED_IDS = {
    "campaign": {ALL_CAMPAIGNS: f"calendar/{ALL_CAMPAIGNS}.ics is the calendar of every campaign"}
}
"""Per kind, the ids whose artifacts would land on a file the build writes for the whole
repository (REF001 reports them at check time, so a build never meets two at one path)."""


@dataclass(frozen=True)
class Artifact:
    """One output file, relative to the outputs folder, and the spec ids it is built from."""

    path: str
    content: bytes
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class BuildContext:
    """Settings the back-ends read; no clock, no environment beyond what is declared here."""

    uid_domain: str = "campc.invalid"
    """The domain part of calendar UIDs (`<spec id>/<event>@<uid_domain>`)."""
    source_date_epoch: int | None = None
    """SOURCE_DATE_EPOCH, the one clock a reproducible build may read."""
