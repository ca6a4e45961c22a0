"""An `owner` that is neither an email address nor a team handle.

## What it does
Checks that `owner` is an email address (`marketing-ops@acme.example`) or a
team handle (`@growth-team`, `@acme/growth`).

## Why is this bad?
The owner is who gets asked when a send misfires at 6 a.m.; "Marie" or "the
growth team" cannot be paged, mentioned in a review or mailed by CI.

## Example
```yaml
owner: Marie (growth)
```

## Use instead
```yaml
owner: "@growth-team"
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from compiler.diagnostics import Diagnostic, Rule, Severity
from compiler.model.names import OWNER_EMAIL, OWNER_HANDLE

if TYPE_CHECKING:
    from compiler.project.repository import Repository


EMAIL = re.compile(OWNER_EMAIL)
HANDLE = re.compile(OWNER_HANDLE)


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding for each owner that is not an email or a handle."""
    rule = RULE
    for spec in repo.specs:
        owner = str(spec.doc.data["owner"])
        if EMAIL.fullmatch(owner) or HANDLE.fullmatch(owner):  # `$` lets a newline end it
            continue
        line, col = spec.doc.value_at(("owner",))
        yield rule.diagnostic(
            spec.path,
            line,
            col,
            f"owner `{owner}` is neither an email address nor a team handle",
            'write an address (ops@acme.example) or a quoted handle ("@growth-team")',
        )


RULE = Rule(
    code="META001",
    name="owner-format",
    severity=Severity.ERROR,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # findings depend on one spec (and conventions, policy) alone
)
