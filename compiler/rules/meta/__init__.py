"""META: owners and descriptions."""

MODULES = (
    "meta001_owner_format",
    "meta002_missing_description",
)
"""The family's rule modules, in code order: each is imported when one of its rules
runs or is shown, never before."""
