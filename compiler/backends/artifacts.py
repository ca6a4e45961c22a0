"""What back-ends return and read: artifacts (bytes plus the specs they came from), and
the build context. Importing it imports no back-end (checking never needs them)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property

from compiler.diagnostics import Diagnostic


@dataclass(frozen=True)
class Artifact:
    """One output file, relative to the outputs folder, and the spec ids it is built from."""

    path: str
    content: bytes
    sources: tuple[str, ...] = ()
    revisions: tuple[tuple[str, Revision], ...] | None = field(
        default=None, compare=False, repr=False
    )
    """For a calendar the build assembled: each VEVENT's revision by UID, as
    `calendar.revisions_of(content)` reads them (the manifest records them)."""

    @cached_property
    def sha256(self) -> str:
        """The hex SHA-256 of `content`, worked out once for the manifest and for the
        record of the outputs folder (the CPU's SHA extensions make it three times
        faster than BLAKE2b here)."""
        return hashlib.sha256(self.content).hexdigest()


@dataclass(frozen=True)
class Revision:
    """A calendar event as a build wrote it: its SEQUENCE, the digest of its content
    (`calendar.content_digest`) and its LAST-MODIFIED (iCalendar UTC text, or "")."""

    sequence: int
    digest: str
    last_modified: str = ""


@dataclass(frozen=True)
class BuildContext:
    """Settings the back-ends read; no clock, no environment beyond what is declared here."""

    uid_domain: str = "campc.invalid"
    """The domain part of calendar UIDs (`<spec id>/<event>@<uid_domain>`)."""
    source_date_epoch: int | None = None
    """SOURCE_DATE_EPOCH, the one clock a reproducible build may read."""
    revisions: tuple[tuple[str, Revision], ...] = ()
    """Each calendar event's revision in the outputs the build replaces (UID, revision),
    from their manifest: a changed event's SEQUENCE goes up, an unchanged one keeps its."""
    findings: tuple[Diagnostic, ...] = ()
    """The check's findings, paths relative to the project root (the site lists the open
    ones: a clean build has no errors)."""
