"""Team policies the rules enforce beyond the specs: markets, quiet hours, budget caps.

Declared in `[tool.campc.calendar]`, `[tool.campc.budget]`, `[tool.campc.experiments]`
and `[tool.campc.email]`; the defaults here apply when a project says nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time, timedelta
from decimal import Decimal


@dataclass(frozen=True)
class CalendarPolicy:
    """Calendar settings: UIDs, the company's markets, default quiet hours."""

    uid_domain: str = "campc.invalid"
    """The domain part of calendar UIDs."""
    markets: tuple[str, ...] = ()
    """Countries (ISO 3166, `DE` or `DE-BY`) whose holidays apply when an audience names none."""
    quiet_hours: tuple[time, time] | None = (time(21, 0), time(8, 0))
    """No campaign send between these local times of the audience (None: no default)."""


@dataclass(frozen=True)
class BudgetPolicy:
    """Budget limits across campaigns."""

    quarterly_caps: dict[str, Decimal] = field(default_factory=dict)
    """Currency -> most all campaigns may spend in one quarter."""
    domain_caps: dict[str, dict[str, Decimal]] = field(default_factory=dict)
    """Domain -> currency -> most its campaigns may spend in one quarter."""
    max_contingency_share: Decimal = Decimal("0.10")
    """Largest share of a budget held back as contingency."""


@dataclass(frozen=True)
class ExperimentPolicy:
    """Limits on experiments."""

    max_duration: timedelta = timedelta(weeks=8)
    """Longest run an experiment may plan when its spec sets no `max_duration`."""


@dataclass(frozen=True)
class EmailPolicy:
    """How emails are rendered and what they must carry."""

    sending_domains: tuple[str, ...] = ()
    """Domains a From address may use (empty: any)."""
    unsubscribe_url: str = "https://example.invalid/unsubscribe"
    """One-click unsubscribe link (the `unsubscribe_url` variable, List-Unsubscribe)."""
    preferences_url: str = "https://example.invalid/preferences"
    """Preference centre link (the `preferences_url` variable)."""
    unsubscribe_mailto: str | None = None
    """Address for the mailto: form of List-Unsubscribe (None: the URL only)."""
    max_subject_length: int = 78
    """Longest subject, in characters."""
    allow_safe: bool = False
    """Whether templates may use `|safe` (it bypasses escaping)."""


@dataclass(frozen=True)
class Policy:
    """Every policy of a project."""

    calendar: CalendarPolicy = field(default_factory=CalendarPolicy)
    budget: BudgetPolicy = field(default_factory=BudgetPolicy)
    experiments: ExperimentPolicy = field(default_factory=ExperimentPolicy)
    email: EmailPolicy = field(default_factory=EmailPolicy)
