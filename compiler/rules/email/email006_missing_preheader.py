"""An email without a preheader.

## What it does
Reports each campaign send and sequence send step whose `email` has no `preheader`.

## Why is this bad?
The preheader is the grey line after the subject in the inbox list. Without one,
clients fill it with the first text of the body: "View in browser", an address, or
the alt text of a logo.

## Example
```yaml
email: {template: launch/announcement.html, subject: "Meet Fjord Pulse"}
```

## Use instead
```yaml
email:
  template: launch/announcement.html
  subject: "Meet Fjord Pulse"
  preheader: Observability for every pipeline, live today.
```
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from compiler.diagnostics import Diagnostic, Rule, Severity
from compiler.email.render import sends

if TYPE_CHECKING:
    from compiler.project.repository import Repository


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding for each email without a preheader."""
    rule = RULE
    for send in sends(repo):
        if send.derived:
            continue  # an occurrence or a variant: the send's own email, reported once
        if send.email.preheader and send.email.preheader.strip():
            continue
        line, col = send.spec.doc.key_at(send.loc)
        yield rule.diagnostic(
            send.spec.path,
            line,
            col,
            f"email `{send.key}` has no preheader",
            "add `preheader:`, the line inboxes show after the subject",
        )


RULE = Rule(
    code="EMAIL006",
    name="missing-preheader",
    severity=Severity.WARNING,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # reads the send's own fields
)
