"""A spec is not filed in the folder of its domain.

## What it does
Checks that every spec lives under `campaigns/<domain>/` (sub-folders below
that are fine) and reports the `git mv` that files it correctly.

## Why is this bad?
Folders are how people browse the repository and how CODEOWNERS route
reviews; a spec in the wrong folder is reviewed by the wrong team.

## Example
```
campaigns/campagnes/monthly-newsletter.yaml   # domain: acquisition
```

## Use instead
```
campaigns/acquisition/monthly-newsletter.yaml
```
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from compiler.diagnostics import Diagnostic, Rule, Severity

if TYPE_CHECKING:
    from compiler.project.repository import Repository


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding for each spec outside its domain's folder."""
    rule = RULE
    for spec in repo.specs:
        domain = str(spec.doc.data["domain"])
        parts = spec.rel.parts
        folder = parts[0] if len(parts) > 1 else None
        if folder == domain:
            continue
        target = spec.path.removesuffix(spec.rel.as_posix()) + f"{domain}/{spec.rel.name}"
        where = f"in `{folder}/`" if folder else "at the top of the campaigns folder"
        line, col = spec.doc.value_at(("domain",))
        yield rule.diagnostic(
            spec.path,
            line,
            col,
            f"spec of domain `{domain}` is filed {where}",
            f"git mv {spec.path} {target}",
        )


RULE = Rule(
    code="ROUTE002",
    name="folder-mismatch",
    severity=Severity.ERROR,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # findings depend on one spec (and conventions, policy) alone
)
