"""A campaign without a description.

## What it does
Reports campaigns with no `description` (or an empty one).

## Why is this bad?
The description is what reviewers, the calendar and the budget sheet show
for the campaign; routing also reads it. "Q2-LNCH-EU" tells nobody what is
being launched or why.

## Example
```yaml
kind: campaign
name: Q2-LNCH-EU
```

## Use instead
```yaml
kind: campaign
name: Q2-LNCH-EU
description: EU launch of Fjord Pulse with a webinar and paid social.
```
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from compiler.diagnostics import Diagnostic, Rule, Severity

if TYPE_CHECKING:
    from compiler.project.repository import Repository


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding for each campaign without a description."""
    rule = RULE
    for spec in repo.specs:
        if spec.kind != "campaign" or str(spec.doc.data.get("description") or "").strip():
            continue
        line, col = spec.doc.key_at(
            ("description",) if "description" in spec.doc.data else ("name",)
        )
        yield rule.diagnostic(
            spec.path,
            line,
            col,
            "campaign has no description",
            "add `description:` with what the campaign is and why it runs",
        )


RULE = Rule(
    code="META002",
    name="missing-description",
    severity=Severity.WARNING,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # findings depend on one spec (and conventions, policy) alone
)
