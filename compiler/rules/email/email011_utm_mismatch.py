"""A link whose own UTM tag contradicts the email's.

## What it does
campc tags every link of an email with `utm_source`, `utm_medium`, `utm_campaign`
(the campaign or sequence id) and `utm_content` (the send's id), keeping any tag a
link already has. This rule reports a link whose own `utm_source`, `utm_medium` or
`utm_campaign` differs from the email's, usually one copied from another campaign.

## Why is this bad?
The link's tag wins, so its clicks and conversions are credited to the other
campaign (or to "social") in analytics, and this email's results look worse than
they are.

## Example
```html
<a href="https://fjord.example/pulse?utm_campaign=spring-webinar">See Pulse</a>
```

## Use instead
```html
<a href="https://fjord.example/pulse">See Pulse</a>
```
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlsplit

from compiler.diagnostics import Diagnostic, Rule, Severity
from compiler.email.places import AtTemplates, attribute_needles, sample_at, written_at
from compiler.email.render import rendered

if TYPE_CHECKING:
    from compiler.project.repository import Repository


CHECKED = ("utm_source", "utm_medium", "utm_campaign")


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield one finding per link tag that contradicts its email's, where it is written."""
    rule = RULE
    in_templates = AtTemplates(repo)
    for email in rendered(repo, full=False):
        send = email.send
        for link in dict.fromkeys(email.links):
            if not link.startswith(("http://", "https://")):
                continue
            for key, value in parse_qsl(urlsplit(link).query, keep_blank_values=True):
                expected = send.utm.get(key)
                if key not in CHECKED or expected is None or value == expected:
                    continue
                hint = f"remove `{key}` from the link: campc tags every link"
                needles = attribute_needles(link)
                place = written_at(repo, send, needles)
                if place is not None:
                    in_templates.add(
                        place,
                        f"a link sets `{key}={value}`, but the email's {key} is `{expected}`",
                        hint,
                        send,
                    )
                    continue
                line, col = sample_at(send, needles) or send.spec.doc.value_at(
                    (*send.loc, "template")
                )
                yield rule.diagnostic(
                    send.spec.path,
                    line,
                    col,
                    f"email `{send.key}` links with `{key}={value}`, but its {key} is `{expected}`",
                    hint,
                )
    yield from in_templates.diagnostics(rule)


RULE = Rule(
    code="EMAIL011",
    name="utm-mismatch",
    severity=Severity.WARNING,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # a send's render depends on its spec, the templates and the policy
)
