"""A hand-written plain-text part that lacks a link the HTML part has.

## What it does
For an email with a `text_template`, collects the http(s) and mailto links the HTML
part writes (before campc adds UTM tags) and the URLs the text part spells out, and
reports each HTML link the text does not carry. Emails without a `text_template` get a
text part derived from the HTML, which keeps every link, so the rule has nothing to
check there.

## Why is this bad?
Some readers see only the text part: plain-text mail clients, many screen-reader
setups, smart watches and "view as plain text" in Gmail and Apple Mail. A link missing
there is a call to action they never get, and a missing unsubscribe link is a
compliance problem (CAN-SPAM, the bulk-sender rules).

## Example
```yaml
email:
  template: launch/announcement.html      # links to /pulse and to unsubscribe
  text_template: launch/announcement.txt  # mentions Pulse, no URL
```

## Use instead
```text
See Pulse: https://fjord.example/pulse
Unsubscribe: {{ unsubscribe_url }}
```
Or drop `text_template` and let campc derive the text part from the HTML.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from compiler.diagnostics import Diagnostic, Rule, Severity
from compiler.email.links import text_links
from compiler.email.places import AtTemplates
from compiler.email.render import rendered

if TYPE_CHECKING:
    from compiler.project.repository import Repository


SHOWN = 3
"""Missing links named in one finding; more are counted."""


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield one finding per email whose text part misses links of its HTML part."""
    rule = RULE
    in_templates = AtTemplates(repo)
    for email in rendered(repo, full=False):
        if email.problems or email.raw_text is None:
            continue
        in_text = set(text_links(email.raw_text))
        lowered = email.raw_text.lower()
        missing = [
            link
            for link in dict.fromkeys(email.links)
            if (link.startswith(("http://", "https://")) and link not in in_text)
            or (link.startswith("mailto:") and link[7:].split("?")[0].lower() not in lowered)
        ]
        if not missing:
            continue
        send = email.send
        shown = ", ".join(f"`{link}`" for link in missing[:SHOWN])
        more = f" and {len(missing) - SHOWN} more" if len(missing) > SHOWN else ""
        in_templates.add(
            (str(send.email.text_template), 1, 1),
            f"the text part lacks {'a link' if len(missing) == 1 else 'links'} of the HTML "
            f"part ({send.email.template}): {shown}{more}",
            "write each URL out in the text template (`{{ unsubscribe_url }}` for the "
            "unsubscribe link), or drop `text_template` to derive the text from the HTML",
            send,
        )
    yield from in_templates.diagnostics(rule)


RULE = Rule(
    code="EMAIL013",
    name="text-part-lost-link",
    severity=Severity.WARNING,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # a send's render depends on its spec, the templates and the policy
)
