"""ROUTE: specs in the domain and folder the routing table gives them."""

MODULES = (
    "route001_domain_mismatch",
    "route002_folder_mismatch",
    "route003_missing_handoff",
)
"""The family's rule modules, in code order: each is imported when one of its rules
runs or is shown, never before."""
