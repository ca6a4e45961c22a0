"""Routing table and metric registry: models, the seed's defaults, and repository overrides."""
