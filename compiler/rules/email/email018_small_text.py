"""Text smaller than the project's minimum font size.

## What it does
Renders each send, inlines its CSS, and reports text whose `font-size` (px, or pt
as 4/3 px) is below `[tool.campc.email] min-font-size` (12 px by default), where the
templates write that size.

## Why is this bad?
Small text is hard to read on a phone and for anyone with low vision; iOS Mail
enlarges text under 13 px on its own, breaking the layout.

## Example
```html
<td style="font-size: 10px">You receive this email because...</td>
```

## Use instead
```html
<td style="font-size: 12px">You receive this email because...</td>
```
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from compiler.diagnostics import Diagnostic, Rule, Severity
from compiler.email.accessibility import FONT, diagnostics

if TYPE_CHECKING:
    from compiler.project.repository import Repository

HINT = "make the text at least the minimum (`[tool.campc.email] min-font-size`)"


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield one finding per place that writes the problem."""
    yield from diagnostics(repo, RULE, FONT, HINT)


RULE = Rule(
    code="EMAIL018",
    name="small-text",
    severity=Severity.WARNING,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # a send's render depends on its spec, the templates and the policy
)
