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

from compiler.diagnostics import Diagnostic, Rule, Severity
from compiler.email.places import AtTemplates, attribute_needles, sample_at, written_at
from compiler.email.render import rendered

if TYPE_CHECKING:
    from compiler.project.repository import Repository


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield one finding per image without alt text, where it is written."""
    rule = RULE
    hint = 'add alt="what the image shows" (alt="" for a purely decorative image)'
    in_templates = AtTemplates(repo)
    for email in rendered(repo, full=False):
        send = email.send
        for src in dict.fromkeys(i.get("src") or "" for i in email.images if i.get("alt") is None):
            shown = f"`{src}`" if src else "with no src"
            needles = attribute_needles(src) if src else []
            place = written_at(repo, send, needles) if src else None
            sample = sample_at(send, needles) if place is None else None
            if sample is not None:  # the image comes from a variable's sample
                yield rule.diagnostic(
                    send.spec.path,
                    *sample,
                    f"email `{send.key}` shows image {shown} without alt text",
                    hint,
                )
                continue
            in_templates.add(
                place or (send.email.template, 1, 1), f"image {shown} has no alt text", hint, send
            )
    yield from in_templates.diagnostics(rule)


RULE = Rule(
    code="EMAIL004",
    name="image-without-alt",
    severity=Severity.WARNING,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # a send's render depends on its spec, the templates and the policy
)
