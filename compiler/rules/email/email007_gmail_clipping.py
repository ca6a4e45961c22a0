"""An email whose HTML is over Gmail's clipping size (102 KB).

## What it does
Measures each email's HTML as it is sent (preheader added, CSS inlined into style
attributes) in bytes.

## Why is this bad?
Gmail shows only the first 102 KB of an HTML email, then a "[Message clipped] View
entire message" link. What is cut includes the footer, and with it the unsubscribe
link, and opens are not counted because the tracking pixel is at the end.

## Example
A newsletter that pastes every article in full, with a large `<style>` block inlined
onto each element.

## Use instead
Link to the articles; keep the email under about 90 KB.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from compiler.diagnostics import Diagnostic, Rule, Severity
from compiler.email.places import AtTemplates
from compiler.email.render import rendered

if TYPE_CHECKING:
    from compiler.project.repository import Repository


LIMIT = 102 * 1024


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding for each template whose emails are over the clipping size."""
    rule = RULE
    in_templates = AtTemplates(repo)
    for email in rendered(repo, full=False):
        if email.size <= LIMIT:
            continue
        in_templates.add(
            (email.send.email.template, 1, 1),
            f"the email is {email.size / 1024:,.0f} KB as sent; Gmail clips past 102 KB",
            "shorten it: link to long content instead of including it",
            email.send,
        )
    yield from in_templates.diagnostics(rule)


RULE = Rule(
    code="EMAIL007",
    name="gmail-clipping",
    severity=Severity.WARNING,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # a send's render depends on its spec, the templates and the policy
)
