"""A sequence or experiment that no campaign references.

## What it does
Reports sequences and experiments that no campaign lists in its `sequences`
or `experiments`.

## Why is this bad?
An orphan sequence is either dead (and should be deleted) or running with no
campaign accountable for its budget, calendar and KPIs. Either way, nobody
sees it in the campaign's plan.

## Example
```yaml
# campaigns/automation/old-nurture.yaml, listed by no campaign
kind: sequence
id: old-nurture
```

## Use instead
```yaml
# campaigns/campagnes/spring-launch.yaml
sequences: [old-nurture]
```
or delete the spec.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from compiler.diagnostics import Diagnostic, Rule, Severity

if TYPE_CHECKING:
    from compiler.project.repository import Repository


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding for each sequence or experiment nobody references."""
    rule = RULE
    if any(file.data is None for file in repo.broken):
        return  # a file that did not read may link any spec: its finding comes first
    mentioned = {name for file in repo.broken for name in file.names()}
    used = {
        (ref.target, ref.value)
        for spec in repo.specs
        for ref in spec.references()
        if ref.target in ("sequence", "experiment")
    }
    for spec in repo.specs:
        if spec.kind not in ("sequence", "experiment"):
            continue
        spec_id = str(spec.doc.data["id"])
        if (spec.kind, spec_id) in used or spec_id in mentioned:
            continue
        line, col = spec.doc.value_at(("id",))
        yield rule.diagnostic(
            spec.path,
            line,
            col,
            f"{spec.kind} `{spec_id}` is not referenced by any campaign",
            f"list it in a campaign's `{spec.kind}s`, or delete it if it is retired",
        )


RULE = Rule(
    code="REF004",
    name="unused-spec",
    severity=Severity.WARNING,
    doc=__doc__ or "",
    check=check,
)
