"""The names the spec language is built on, in one place: the four marketing sub-domains
of the seed's routing table (in its order) and the four spec kinds. No imports, so the
command line and the settings can name them without loading a model; the models'
`Literal` types spell them for the type checker, and a test keeps the two equal."""

DOMAINS = ("campagnes", "acquisition", "automation", "performance")
"""The sub-domains, as `domain:` takes them."""

SPEC_KINDS = ("campaign", "sequence", "scoring_model", "experiment")
"""The spec kinds, as `kind:` takes them (the repository-wide files aside)."""

OWNER_EMAIL = r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$"
"""An owner written as an email address (META001, `campc new --owner`)."""
OWNER_HANDLE = r"^@[A-Za-z0-9](?:[A-Za-z0-9_.-]*)(?:/[A-Za-z0-9_.-]+)?$"
"""An owner written as a team handle, `@team` or `@org/team`."""
