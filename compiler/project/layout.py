"""Where things are in a campaigns folder (light: the cached check reads it before any
model is imported)."""

from __future__ import annotations

TEMPLATES_DIR = "templates"
"""The email templates' folder, inside the campaigns folder."""
YAML_SUFFIXES = (".yaml", ".yml")
"""What a spec or registry file is called."""
MAX_TEMPLATE = 1_000_000
MAX_DATA = 16_000_000
"""The most bytes of a data file (a scoring model's labelled history) the loader reads."""
DATA_SUFFIXES = (".csv",)
"""Data files the loader lists (and fingerprints) beside the specs."""
"""Largest template file, in bytes."""
