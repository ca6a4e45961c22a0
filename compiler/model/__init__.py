"""Pydantic models of every document kind, one module per kind; no I/O here."""
