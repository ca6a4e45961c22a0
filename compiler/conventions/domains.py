"""The four marketing sub-domains of the seed's routing table, in its order (no imports, so
the settings can name them without loading the models)."""

DOMAINS = ("campagnes", "acquisition", "automation", "performance")
