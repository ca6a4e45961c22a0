"""A link whose text does not say where it goes.

## What it does
Renders each send and reports links whose text is a stock phrase ("click here",
"read more", "ici", "en savoir plus", "hier klicken", "mehr", ...) or that have no
text at all (an image without alt text, an empty anchor), where the templates write
the text.

## Why is this bad?
Screen-reader users jump from link to link: a list of five "click here" says
nothing, and an empty link is read as its URL. Everyone else scans links too.

## Example
```html
To see the agenda, <a href="https://fjord.example/agenda">click here</a>.
```

## Use instead
```html
<a href="https://fjord.example/agenda">See the agenda</a>.
```
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from compiler.diagnostics import Diagnostic, Rule, Severity
from compiler.email.accessibility import LINK, diagnostics

if TYPE_CHECKING:
    from compiler.project.repository import Repository

HINT = 'write what the link opens, like "See the agenda" (an image link needs alt text)'


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield one finding per place that writes the problem."""
    yield from diagnostics(repo, RULE, LINK, HINT)


RULE = Rule(
    code="EMAIL019",
    name="vague-link-text",
    severity=Severity.WARNING,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # a send's render depends on its spec, the templates and the policy
)
