"""The spec's `domain` is not the sub-domain the routing table derives from its kind and text.

## What it does
Derives the sub-domain of every spec as the seed's decision tree does: the
kind decides where the table fixes it (sequences and scoring models go to
automation, experiments to performance); otherwise keywords in the name,
description and tags, and the campaign's channels, score each sub-domain, the
highest score wins, and a tie goes to the sub-domain that comes first in the
tree (campagnes, acquisition, automation, performance). Reports a declared
`domain` that disagrees, with the evidence: which keyword matched in which
field for which sub-domain, and whether the tree resolved a tie.

## Why is this bad?
The domain decides which team reviews a spec, which metric table its KPIs are
held to and where its artifacts are filed. A newsletter filed under
campagnes is reviewed by the wrong people and judged on the wrong metrics.

## Example
```yaml
kind: campaign
name: Monthly newsletter
domain: campagnes
channels: [email]
```

## Use instead
```yaml
kind: campaign
name: Monthly newsletter
domain: acquisition
channels: [email]
```

## Options
The keywords are data: extend them in the repository's `kind: routing` file
(`campaigns/conventions/routing.yaml`). `campc route FILE` shows the decision
for a spec.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from compiler.analysis.routing import decide
from compiler.diagnostics import Diagnostic, Rule, Severity

if TYPE_CHECKING:
    from compiler.project.repository import Repository


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding for each spec whose declared domain routing disagrees with."""
    rule = RULE
    routing = repo.conventions.routing
    for spec in repo.specs:
        declared = str(spec.doc.data["domain"])
        decision = decide(spec.model, spec.kind, routing)
        if decision.domain is None or decision.domain == declared:
            continue
        line, col = spec.doc.value_at(("domain",))
        yield rule.diagnostic(
            spec.path,
            line,
            col,
            f"`domain: {declared}` but routing derives {decision.domain}: {decision.explain()}",
            f"set `domain: {decision.domain}` and move the file to {decision.domain}/, "
            "or extend the keywords in the repository's routing file",
        )


RULE = Rule(
    code="ROUTE001",
    name="domain-mismatch",
    severity=Severity.ERROR,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # findings depend on one spec (and conventions, policy) alone
)
