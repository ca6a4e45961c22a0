"""A link an email client cannot open safely: `http://`, `javascript:`, `data:`,
`vbscript:`, `file:` or a relative path.

## What it does
Renders each send's template and checks every `href`: web links must be `https://`;
script and data schemes are never allowed; a relative link (`/pricing`) has no site to
be relative to in an inbox. `mailto:`, `tel:` and `#anchors` are fine. The finding is
where the link is written: the template's line (naming the sends that render it), or the
spec's variable sample it came from.

## Why is this bad?
Plain `http://` links are flagged by mail filters and browsers and leak the reader's
click; `javascript:` links are an injection vector HTML validators let through;
relative links open nowhere.

## Example
```html
<a href="http://fjord.example/pricing">Pricing</a>
```

## Use instead
```html
<a href="https://fjord.example/pricing">Pricing</a>
```
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from compiler.diagnostics import Diagnostic, Rule, Severity
from compiler.email.places import AtTemplates, attribute_needles, sample_at, written_at
from compiler.email.render import rendered

if TYPE_CHECKING:
    from compiler.project.repository import Repository


_FORBIDDEN = {"javascript", "data", "vbscript", "file"}
_FINE = {"https", "mailto", "tel"}


def problem(link: str) -> str | None:
    """Why `link` must not be in an email, or None."""
    target = link.strip()
    scheme = urlsplit(target).scheme.lower()
    if scheme in _FINE or target.startswith("#"):
        return None
    if scheme == "http":
        return "uses http://, not https://"
    if scheme in _FORBIDDEN:
        return f"uses the `{scheme}:` scheme"
    if not scheme:
        return "is relative: an inbox has no site to resolve it against"
    return f"uses the unusual `{scheme}:` scheme"


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield one finding per unsafe link, where it is written."""
    rule = RULE
    hint = "link to an absolute https:// URL"
    in_templates = AtTemplates(repo)
    for email in rendered(repo, full=False):
        send = email.send
        for link in dict.fromkeys(email.links):
            reason = problem(link)
            if reason is None:
                continue
            shown = link if len(link) <= 80 else link[:77] + "..."
            needles = attribute_needles(link)
            place = written_at(repo, send, needles)
            if place is not None:
                in_templates.add(place, f"link to `{shown}`, which {reason}", hint, send)
                continue
            line, col = sample_at(send, needles) or send.spec.doc.value_at((*send.loc, "template"))
            yield rule.diagnostic(
                send.spec.path,
                line,
                col,
                f"email `{send.key}` links to `{shown}`, which {reason}",
                hint,
            )
    yield from in_templates.diagnostics(rule)


RULE = Rule(
    code="EMAIL003",
    name="unsafe-link",
    severity=Severity.ERROR,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # a send's render depends on its spec, the templates and the policy
)
