"""Two specs, or two audiences, share an id (or a spec takes an id the build uses).

## What it does
Reports every spec whose `id` is already used by another spec of the
repository (any kind), and every audience declared twice, pointing at the
second one and naming the first. Also reports a campaign with the id `all`:
`calendar/all.ics` is the calendar of every campaign, beside each campaign's
`calendar/<id>.ics`.

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

from compiler.conventions.outputs import RESERVED_IDS
from compiler.diagnostics import Diagnostic, Rule, Severity

if TYPE_CHECKING:
    from compiler.project.repository import DeclaredAudience, Repository, SpecFile


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding for each id seen before, and for each reserved id."""
    rule = RULE
    # positions are looked up only for duplicates: reading them costs a parse
    seen: dict[str, SpecFile] = {}
    for spec in repo.specs:
        spec_id = str(spec.doc.data["id"])
        reserved = RESERVED_IDS.get(spec.kind, {}).get(spec_id)
        if reserved is not None:
            line, col = spec.doc.value_at(("id",))
            yield rule.diagnostic(
                spec.path,
                line,
                col,
                f"id `{spec_id}` is reserved for {spec.kind}s: {reserved}",
                "choose another id (and rename the file to match)",
            )
        first = seen.setdefault(spec_id, spec)
        if first is spec:
            continue
        line, col = spec.doc.value_at(("id",))
        first_line, _ = first.doc.value_at(("id",))
        yield rule.diagnostic(
            spec.path,
            line,
            col,
            f"id `{spec_id}` is already used by {first.path}:{first_line}",
            "ids are unique across the repository: rename one (and its file)",
        )
    audiences: dict[str, DeclaredAudience] = {}
    for declared in repo.audiences():
        audience_id = declared.audience.id
        earlier = audiences.setdefault(audience_id, declared)
        if earlier is declared:
            continue
        line, col = declared.file.doc.value_at(("audiences", declared.index, "id"))
        earlier_line, _ = earlier.file.doc.value_at(("audiences", earlier.index, "id"))
        yield rule.diagnostic(
            declared.file.path,
            line,
            col,
            f"audience `{audience_id}` is already declared at {earlier.file.path}:{earlier_line}",
            "declare each audience once",
        )


RULE = Rule(
    code="REF001",
    name="duplicate-id",
    severity=Severity.ERROR,
    doc=__doc__ or "",
    check=check,
)
