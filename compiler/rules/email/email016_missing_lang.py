"""An email whose `<html>` does not say its language.

## What it does
Renders each send (CSS inlined) and reports an email whose root element has no
`lang` attribute, at the template that writes `<html>`.

## Why is this bad?
Screen readers pick their voice and pronunciation from `lang`; without it a French
email is read with English sounds. Some clients also use it to pick hyphenation and
fonts.

## Example
```html
<html>
```

## Use instead
```html
<html lang="fr">
```
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from compiler.diagnostics import Diagnostic, Rule, Severity
from compiler.email.accessibility import LANG, diagnostics

if TYPE_CHECKING:
    from compiler.project.repository import Repository

HINT = 'add `lang` to `<html>`, like `<html lang="en">` (or `lang="{{ lang }}"` from a variable)'


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield one finding per place that writes the problem."""
    yield from diagnostics(repo, RULE, LANG, HINT)


RULE = Rule(
    code="EMAIL016",
    name="missing-lang",
    severity=Severity.WARNING,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # a send's render depends on its spec, the templates and the policy
)
