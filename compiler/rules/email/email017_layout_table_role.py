"""A layout table that a screen reader reads as a data table.

## What it does
Renders each send and reports each `<table>` without `role="presentation"` that has
no `<th>` (a data table has headers), at the first such table its templates write.

## Why is this bad?
Emails are laid out with tables; without `role="presentation"` a screen reader
announces every one ("table, 3 rows, 1 column") and reads the email cell by cell.

## Example
```html
<table width="100%" cellpadding="0" cellspacing="0">
```

## Use instead
```html
<table role="presentation" width="100%" cellpadding="0" cellspacing="0">
```
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from compiler.diagnostics import Diagnostic, Rule, Severity
from compiler.email.accessibility import TABLE, diagnostics

if TYPE_CHECKING:
    from compiler.project.repository import Repository

HINT = 'add role="presentation" to the layout table (a data table gets `<th>` headers instead)'


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield one finding per place that writes the problem."""
    yield from diagnostics(repo, RULE, TABLE, HINT)


RULE = Rule(
    code="EMAIL017",
    name="layout-table-role",
    severity=Severity.WARNING,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # a send's render depends on its spec, the templates and the policy
)
