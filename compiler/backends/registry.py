"""The back-ends, listed by hand: each `build(repo, context)` returns its artifacts.
Imported by `campc build` alone (icalendar, XlsxWriter, css-inline come with it)."""

from __future__ import annotations

from collections.abc import Callable

from compiler.backends import budget, calendar, emails, sequences, testplan
from compiler.backends.artifacts import Artifact, BuildContext
from compiler.backends.scoring import markdown as scoring
from compiler.project.repository import Repository

Backend = Callable[[Repository, BuildContext], list[Artifact]]

BACKENDS: dict[str, Backend] = {
    "calendar": calendar.build,
    "budget": budget.build,
    "test-plans": testplan.build,
    "scoring": scoring.build,
    "emails": emails.build,
    "sequences": sequences.build,
}
"""Back-end name -> build function, run in this order."""
