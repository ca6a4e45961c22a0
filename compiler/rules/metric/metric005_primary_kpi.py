"""A spec without exactly one primary KPI.

## What it does
Reports a spec with no KPIs, with KPIs none of which is `primary: true`, or
with more than one primary KPI (at the second one).

## Why is this bad?
The primary KPI is what the spec is judged by in reviews and reports; with
none, success is undefined, and with two, each reviewer picks the one that
looks better.

## Example
```yaml
kpis:
  - {metric: reach, target: 250000}
  - {metric: engagement_rate, target: 0.035}
```

## Use instead
```yaml
kpis:
  - {metric: reach, target: 250000, primary: true}
  - {metric: engagement_rate, target: 0.035}
```
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from compiler.diagnostics import Diagnostic, Rule, Severity

if TYPE_CHECKING:
    from compiler.project.repository import Repository


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding for each spec without exactly one primary KPI."""
    rule = RULE
    for spec in repo.specs:
        kpis = list(getattr(spec.model, "kpis", []))
        primaries = [i for i, kpi in enumerate(kpis) if kpi.primary]
        if not kpis:
            line, col = spec.doc.key_at(("kind",))
            yield rule.diagnostic(
                spec.path, line, col, "no KPIs", "add `kpis:` with one `primary: true` entry"
            )
        elif not primaries:
            line, col = spec.doc.key_at(("kpis",))
            yield rule.diagnostic(
                spec.path, line, col, "no primary KPI", "mark one KPI `primary: true`"
            )
        for index in primaries[1:]:
            line, col = spec.doc.value_at(("kpis", index, "primary"))
            yield rule.diagnostic(
                spec.path,
                line,
                col,
                f"more than one primary KPI (the first is kpis[{primaries[0]}])",
                "keep `primary: true` on one KPI only",
            )


RULE = Rule(
    code="METRIC005",
    name="primary-kpi",
    severity=Severity.ERROR,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # findings depend on one spec (and conventions, policy) alone
)
