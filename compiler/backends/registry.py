"""The back-ends, listed by hand: each `build(repo, context)` returns its artifacts.
Imported by `campc build` alone (icalendar, XlsxWriter, css-inline come with it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from compiler.backends import budget, calendar, emails, esp, mautic, sequences, testplan
from compiler.backends.artifacts import Artifact, BuildContext
from compiler.project.repository import Repository

Backend = Callable[[Repository, BuildContext], list[Artifact]]


def _scoring(part: str) -> Backend:
    """`markdown.build` or `markdown.project`, importing sqlglot only when the repository
    holds a scoring model (a build that takes them all from its cache never needs it);
    without one, either makes nothing."""

    def run(repo: Repository, context: BuildContext) -> list[Artifact]:
        if not any(spec.kind == "scoring_model" for spec in repo.specs):
            return []
        from compiler.backends.scoring import markdown

        made: list[Artifact] = getattr(markdown, part)(repo, context)
        return made

    return run


@dataclass(frozen=True)
class Staged:
    """A back-end in two steps: text fragments compiled spec by spec (the costly part,
    which a build caches per spec), then its artifacts assembled from them and the whole
    repository. `assemble(repo, context, fragments(repo, context))` is `build`."""

    fragments: Callable[[Repository, BuildContext], dict[str, list[str]]]
    assemble: Callable[[Repository, BuildContext, dict[str, list[str]]], list[Artifact]]


BACKENDS: dict[str, Backend] = {
    "calendar": calendar.build,
    "budget": budget.build,
    "test-plans": testplan.build,
    "scoring": _scoring("build"),
    "dbt": _scoring("project"),
    "emails": emails.build,
    "esp": esp.build,
    "sequences": sequences.build,
    "mautic": mautic.build,
}
"""Back-end name -> build function, run in this order."""

STAGED = {"calendar": Staged(calendar.vevents, calendar.assemble)}
"""The back-ends that read every spec but compile most of their text spec by spec: the
calendar's events (`all.ics` holds every campaign's)."""

PER_SPEC = frozenset({"test-plans", "scoring", "emails", "esp", "sequences", "mautic"})
"""The back-ends whose every artifact is compiled from one spec (and the specs it links
to or is linked from): a build runs them only on the specs whose artifacts the cache
does not hold. The budget sheet, the calendars and the manifest read every spec."""

INPUTS: dict[str, Callable[[Repository], bytes]] = {"budget": budget.inputs}
"""The back-ends that read every spec but only some of what each says: a build reruns
one only when what the function gives (everything its artifacts are made from) changed;
otherwise its artifacts come from the cache whole. The budget sheet reads the budgets."""

KINDS = {"dbt": frozenset({"scoring_model"})}
"""The back-ends that read every spec of some kinds and nothing of the others: a build
reruns one only when a spec of its kinds (or what they link to) changed; otherwise its
artifacts come from the cache whole. The dbt project lists every scoring model."""
