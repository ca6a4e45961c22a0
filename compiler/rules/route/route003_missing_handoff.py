"""Work that belongs to a partner team is planned without a hand-off to that team.

## What it does
Looks for partner-team work in the spec's name, description, tags and
channels (the seed's "Composition avec les Autres Skills": paid media,
marketing analytics and attribution, SEO, content, customer success, landing
pages) and reports each team the spec needs but does not list in `handoffs`.

## Why is this bad?
Marketing ops orchestrates; the partner team executes. A paid-social budget
nobody handed to paid media, or a landing page nobody asked the front-end
team for, is discovered the week of the launch.

## Example
```yaml
name: Spring launch with a new landing page
channels: [email, paid_social]
```

## Use instead
```yaml
name: Spring launch with a new landing page
channels: [email, paid_social]
handoffs:
  - {team: paid-media, scope: LinkedIn and Meta flights}
  - {team: frontend-developer, scope: Spring landing page}
```

## Options
Partner keywords and channels are data in the repository's `kind: routing`
file, under `partners`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from compiler.analysis.routing import partner_work
from compiler.diagnostics import Diagnostic, Rule, Severity

if TYPE_CHECKING:
    from compiler.project.repository import Repository


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield one finding per partner team a spec needs but does not hand work to."""
    rule = RULE
    for spec in repo.specs:
        declared = {h.team for h in getattr(spec.model, "handoffs", [])}
        reported: set[str] = set()
        for evidence in partner_work(spec.model, repo.conventions.routing):
            if evidence.target in declared or evidence.target in reported:
                continue
            reported.add(evidence.target)
            line, col = spec.doc.value_at(evidence.loc)
            yield rule.diagnostic(
                spec.path,
                line,
                col,
                f"{evidence.describe()} is {evidence.target} work, but no hand-off to "
                f"{evidence.target} is declared",
                f"add `handoffs: [{{team: {evidence.target}, scope: ...}}]`",
            )


RULE = Rule(
    code="ROUTE003",
    name="missing-handoff",
    severity=Severity.WARNING,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # findings depend on one spec (and conventions, policy) alone
)
