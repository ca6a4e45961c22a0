"""What back-ends return and read: artifacts (bytes plus the specs they came from), and
the build context. Outside the back-ends package so that checking never imports them."""

from __future__ import annotations

from dataclasses import dataclass


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
