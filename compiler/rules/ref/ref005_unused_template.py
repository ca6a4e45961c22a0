"""A template file that no send uses, directly or through extends/include/import.

## What it does
Collects the templates every send and sequence step names, follows their
`{% extends %}`, `{% include %}` and `{% import %}` with Jinja2's parser, and
reports files under `templates/` that are never reached. (When a template
computes a name at run time, nothing is reported.)

## Why is this bad?
Stale templates get edited by mistake ("why did my change not ship?") and
make the folder harder to review.

## Example
```
templates/launch/announcement-v1.html   # no send uses it
```

## Use instead
Delete the file, or point the send at it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from compiler.diagnostics import Diagnostic, Rule, Severity
from compiler.email.templates import referenced

if TYPE_CHECKING:
    from compiler.project.repository import Repository


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding for each template nothing reaches."""
    rule = RULE
    if not repo.templates or any(file.data is None for file in repo.broken):
        return  # a file that did not read may use any template: its finding comes first
    named = {
        ref.value for spec in repo.specs for ref in spec.references() if ref.target == "template"
    }
    named |= {name for file in repo.broken for name in file.names()} & repo.templates
    reached = referenced(repo, named)
    if reached is None:
        return
    for name in sorted(repo.templates - reached):
        path = repo.display(repo.templates_dir / name)
        yield rule.diagnostic(
            path, 1, 1, f"template `{name}` is not used by any send", "delete it or use it"
        )


RULE = Rule(
    code="REF005",
    name="unused-template",
    severity=Severity.WARNING,
    doc=__doc__ or "",
    check=check,
)
