"""What `campc diff` finds: both sides loaded, and the change between them."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from compiler.analysis import budget
from compiler.diagnostics import Diagnostic
from compiler.project import repository as project
from compiler.text import prose

WORKING_TREE = "working tree"


@dataclass
class Side:
    """One version of the repository: its label, loaded specs and findings."""

    label: str
    repo: project.Repository
    findings: list[Diagnostic]
    moves: dict[str, str] = field(default_factory=dict)
    """Path here -> path on the other side, for the files git saw moved between them."""


@dataclass(frozen=True)
class Money:
    """An amount in a currency: `EUR 30,000.00` in Markdown, `{"amount": 30000.0,
    "currency": "EUR"}` in JSON."""

    amount: Decimal
    currency: str
    signed: bool = False

    def __str__(self) -> str:
        return money(self.currency, self.amount, self.signed)

    def as_json(self) -> dict[str, float | str]:
        """The amount as a JSON number (exact to the minor unit) and its currency."""
        return {"amount": float(self.amount), "currency": self.currency}


@dataclass
class Change:
    """Everything `campc diff` reports, section by section (rows are plain data)."""

    base: str
    head: str
    verdict: str = ""
    """One line a reviewer reads first: `blocks`, `review` or `quiet`, and why."""
    summary: list[dict[str, str]] = field(default_factory=list)
    """The blast radius: spend, recipients, caps, experiments, scoring, findings."""
    locked: list[dict[str, str]] = field(default_factory=list)
    """Locked fields of started experiments that changed (EXP009, or EXP010 amended)."""
    specs: list[dict[str, str]] = field(default_factory=list)
    budget: list[dict[str, Any]] = field(default_factory=list)
    """Per campaign and channel (and its declared total and contingency): Money or `-`."""
    budget_totals: list[dict[str, Any]] = field(default_factory=list)
    calendar: list[dict[str, str]] = field(default_factory=list)
    sends: list[dict[str, str | int]] = field(default_factory=list)
    """Per audience and ISO week: sends before, after, and the signed delta."""
    sequences: list[dict[str, str]] = field(default_factory=list)
    personas: list[dict[str, str]] = field(default_factory=list)
    """What each sequence persona now receives differently, in words."""
    experiments: list[dict[str, str]] = field(default_factory=list)
    scoring: list[dict[str, str]] = field(default_factory=list)
    findings_new: list[dict[str, str | int]] = field(default_factory=list)
    findings_resolved: list[dict[str, str | int]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Whether nothing the summary reports changed."""
        return not any(
            getattr(self, name)
            for name in self.__dataclass_fields__
            if name not in ("base", "head", "verdict", "summary")
        )


def money(currency: str, amount: Decimal, signed: bool = False) -> str:
    """`EUR 12,000.00` (`+EUR 5.00`, `-EUR 5.00` for deltas); independent of locale."""
    return prose.money(currency, amount, budget.minor_unit(currency), signed)
