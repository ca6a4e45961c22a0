"""An email without an unsubscribe link.

## What it does
Renders each send's template and looks for a link to the project's unsubscribe URL
(`[tool.campc.email] unsubscribe-url`, which templates read as `{{ unsubscribe_url }}`).
Reported on the template the send names (its first line), naming the sends.

## Why is this bad?
Every marketing email must let the reader leave in one click: CAN-SPAM and GDPR ask
for it, and Gmail and Yahoo's bulk-sender rules junk mail without it. The
`List-Unsubscribe` header campc adds does not replace the visible link.

## Example
```html
<p>Thanks for reading.</p>
```

## Use instead
```html
<p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p>
```
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from compiler.diagnostics import Diagnostic, Rule, Severity
from compiler.email.places import AtTemplates
from compiler.email.render import rendered

if TYPE_CHECKING:
    from compiler.project.repository import Repository


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding for each template whose emails have no unsubscribe link."""
    rule = RULE
    url = repo.policy.email.unsubscribe_url
    in_templates = AtTemplates(repo)
    for email in rendered(repo, full=False):
        if email.problems or not email.raw_html or url in email.links:
            continue
        in_templates.add(
            (email.send.email.template, 1, 1),
            "the email has no unsubscribe link",
            'add <a href="{{ unsubscribe_url }}">Unsubscribe</a>, for example in a shared footer',
            email.send,
        )
    yield from in_templates.diagnostics(rule)


RULE = Rule(
    code="EMAIL002",
    name="missing-unsubscribe",
    severity=Severity.ERROR,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # a send's render depends on its spec, the templates and the policy
)
