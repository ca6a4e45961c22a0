"""Text whose colour does not stand out enough from its background.

## What it does
Renders each send, inlines its CSS, and works out each text's colour and the colour
behind it (`color`, `background-color`, `background` and `bgcolor`, inherited; black
on white where nothing says). It reports a contrast below WCAG 2.2 level AA: 4.5:1,
or 3:1 for large text (24 px, or 18.67 px bold), naming both colours and the ratio.

## Why is this bad?
Low-contrast text is unreadable for readers with low vision, on a phone in daylight,
and in dark mode clients that keep the text colour. Light grey footers are the usual
offender.

## Example
```html
<td style="color: #9ca3af; background: #ffffff">Unsubscribe at any time.</td>
```

## Use instead
```html
<td style="color: #4b5563; background: #ffffff">Unsubscribe at any time.</td>
```
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from compiler.diagnostics import Diagnostic, Rule, Severity
from compiler.email.accessibility import CONTRAST, diagnostics

if TYPE_CHECKING:
    from compiler.project.repository import Repository

HINT = "darken the text or lighten its background to a ratio of 4.5:1 (3:1 for large text)"


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield one finding per place that writes the problem."""
    yield from diagnostics(repo, RULE, CONTRAST, HINT)


RULE = Rule(
    code="EMAIL020",
    name="low-contrast",
    severity=Severity.WARNING,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # a send's render depends on its spec, the templates and the policy
)
