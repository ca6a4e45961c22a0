"""The failures the command line turns into exit 2: kept free of heavy imports, so that
`campc --help` and a cached `campc check` never load the models."""

from __future__ import annotations


class SettingsError(Exception):
    """The configuration itself is wrong (exit 2)."""


class UsageError(Exception):
    """The user asked for something that cannot be done (exit 2)."""


class InternalError(Exception):
    """A bug in campc itself (exit 2)."""
