"""A spec whose `id` is not its file name.

## What it does
Reports specs whose `id` differs from the file's name without `.yaml`.

## Why is this bad?
The id names the outputs (`outputs/test-plans/<id>.md`...); when it differs
from the file name, nobody finds the spec from its artifact or the artifact
from its spec, and renames drift apart.

## Example
```yaml
# campaigns/campagnes/spring.yaml
id: spring-launch-2027
```

## Use instead
```yaml
# campaigns/campagnes/spring-launch-2027.yaml
id: spring-launch-2027
```
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from compiler.diagnostics import Diagnostic, Rule, Severity

if TYPE_CHECKING:
    from compiler.project.repository import Repository


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding for each spec whose id is not its file name."""
    rule = RULE
    for spec in repo.specs:
        spec_id = str(spec.doc.data["id"])
        if spec.rel.stem == spec_id:
            continue
        line, col = spec.doc.value_at(("id",))
        target = spec.path.removesuffix(spec.rel.name) + f"{spec_id}{spec.rel.suffix}"
        yield rule.diagnostic(
            spec.path,
            line,
            col,
            f"id `{spec_id}` does not match the file name `{spec.rel.name}`",
            f"git mv {spec.path} {target}",
        )


RULE = Rule(
    code="REF006",
    name="id-file-mismatch",
    severity=Severity.WARNING,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # findings depend on one spec (and conventions, policy) alone
)
