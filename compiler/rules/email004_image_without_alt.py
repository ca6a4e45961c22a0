"""An image without an `alt` attribute.

## What it does
Renders each send's template and reports every `<img>` that has no `alt` attribute.
`alt=""` is accepted: it marks an image as decorative.

## Why is this bad?
Most email clients block images until the reader allows them; what shows instead is
the alt text. Screen readers read it too. Without it, the email is a grid of empty
boxes for a large share of readers.

## Example
```html
<img src="https://fjord.example/hero.png">
```

## Use instead
```html
<img src="https://fjord.example/hero.png" alt="A pipeline dashboard, all green">
```
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from compiler.diagnostics import Diagnostic, Severity
from compiler.emails import rendered

if TYPE_CHECKING:
    from compiler.repository import Repository

CODE = "EMAIL004"
NAME = "image-without-alt"
SEVERITY = Severity.WARNING
SCOPE = "spec"  # a send's render depends on its spec, the templates and the policy


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield one finding per email with images lacking alt text."""
    from compiler.rules import RULES

    rule = RULES[CODE]
    for email in rendered(repo, full=False):
        missing = [i.get("src") or "(no src)" for i in email.images if i.get("alt") is None]
        if not missing:
            continue
        send = email.send
        line, col = send.spec.doc.value_at((*send.loc, "template"))
        yield rule.diagnostic(
            send.spec.path,
            line,
            col,
            f"email `{send.key}` has {len(missing)} image(s) without alt text: "
            f"{', '.join(sorted(set(missing))[:3])}",
            'add alt="what the image shows" (alt="" for a purely decorative image)',
        )
