"""More than one routing, metrics or utm file in the repository.

## What it does
Reports every `kind: routing`, `kind: metrics` or `kind: utm` file after the first one
(in path order); only the first is used.

## Why is this bad?
Conventions are read from one place. With two files, one is silently ignored
and reviewers cannot tell which table is in force.

## Example
```
campaigns/conventions/metrics.yaml
campaigns/performance/metrics.yaml   # kind: metrics
```

## Use instead
Merge the second file into `campaigns/conventions/metrics.yaml`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from compiler.diagnostics import Diagnostic, Rule, Severity

if TYPE_CHECKING:
    from compiler.project.repository import Repository


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding for each conventions file after the first of its kind."""
    rule = RULE
    first: dict[str, str] = {}
    for file in repo.registries:
        if file.kind not in ("routing", "metrics", "utm"):
            continue
        if file.kind in first:
            line, col = file.doc.value_at(("kind",))
            yield rule.diagnostic(
                file.path,
                line,
                col,
                f"a second `{file.kind}` file; {first[file.kind]} is the one in force",
                "merge the two files into one",
            )
        else:
            first[file.kind] = file.path


RULE = Rule(
    code="REF003",
    name="duplicate-conventions",
    severity=Severity.ERROR,
    doc=__doc__ or "",
    check=check,
)
