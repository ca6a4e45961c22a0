"""Two specs, or two audiences, share an id.

## What it does
Reports every spec whose `id` is already used by another spec of the
repository (any kind), and every audience declared twice, pointing at the
second one and naming the first.

## Why is this bad?
Ids are how specs refer to each other and the names of their output files:
two specs with one id would overwrite each other's artifacts, and a reference
to that id would be ambiguous.

## Example
```yaml
# campaigns/campagnes/spring-launch.yaml
id: spring-launch
# campaigns/acquisition/spring-launch-email.yaml
id: spring-launch
```

## Use instead
```yaml
# campaigns/acquisition/spring-launch-email.yaml
id: spring-launch-email
```
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from compiler.diagnostics import Diagnostic, Severity

if TYPE_CHECKING:
    from compiler.repository import Repository

CODE = "REF001"
NAME = "duplicate-id"
SEVERITY = Severity.ERROR


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding for each id seen before."""
    from compiler.rules import RULES

    rule = RULES[CODE]
    seen: dict[str, str] = {}
    for spec in repo.specs:
        spec_id = str(spec.doc.data["id"])
        line, col = spec.doc.value_at(("id",))
        if spec_id in seen:
            yield rule.diagnostic(
                spec.path,
                line,
                col,
                f"id `{spec_id}` is already used by {seen[spec_id]}",
                "ids are unique across the repository: rename one (and its file)",
            )
        else:
            seen[spec_id] = f"{spec.path}:{line}"
    audiences: dict[str, str] = {}
    for declared in repo.audiences():
        loc = ("audiences", declared.index, "id")
        line, col = declared.file.doc.value_at(loc)
        audience_id = declared.audience.id
        if audience_id in audiences:
            yield rule.diagnostic(
                declared.file.path,
                line,
                col,
                f"audience `{audience_id}` is already declared at {audiences[audience_id]}",
                "declare each audience once",
            )
        else:
            audiences[audience_id] = f"{declared.file.path}:{line}"
