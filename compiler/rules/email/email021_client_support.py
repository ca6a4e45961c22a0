"""An HTML or CSS feature that email clients the repository targets do not render.

## What it does
Renders each send and looks up every element, attribute, CSS property, value,
function and at-rule its HTML uses in caniemail.com's data (the npm package
`caniemail`'s of 2026-05-13, vendored with campc), for the clients
`[tool.campc.email] clients` names (by default the twelve most opens come from:
Apple Mail, Gmail, Outlook, Yahoo and Samsung Email on their platforms). A feature
whose newest caniemail test in one of those clients says *not supported* is reported
where a template writes it, naming the clients and caniemail's page.

Rules inside `@media` blocks are not looked at (a client that does not run the
query skips them, which is what they are for), nor is the document's frame
(`<html>`, `<head>`, `<body>`, `<meta>`, `<style>`). A partly supported feature is
not reported.

## Why is this bad?
Outlook for Windows lays out with Word's engine: a `display: flex` row stacks into a
column, a `border-radius` button is square, a `background-image` is not there. The
email looks fine in the proof and broken in a fifth of the inboxes.

## Example
```html
<div style="display: flex; gap: 16px">...</div>
```

## Use instead
```html
<table role="presentation"><tr><td>...</td><td>...</td></tr></table>
```

## Options
`[tool.campc.email] clients = ["outlook.windows", "gmail.android", ...]` (caniemail's
`family.platform` names); `allow-unsupported = ["css-border-radius"]` for features the
team accepts where they are missing (caniemail's slugs, in each finding).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from compiler.diagnostics import Diagnostic, Rule, Severity

if TYPE_CHECKING:
    from compiler.email.support import Use
    from compiler.project.repository import Repository


def _finding(use: Use, clients: tuple[str, ...]) -> tuple[str, str] | None:
    """The message and hint for a feature some of `clients` lack, or None."""
    from compiler.conventions import caniemail
    from compiler.email import support

    missing = support.unsupported(use, clients)
    if not missing:
        return None
    names = caniemail.data().clients
    feature = caniemail.data().features[use.slug]
    shown = ", ".join(names.get(c, c) for c in missing)
    message = (
        f"`{use.shown}` is not supported in {shown} "
        f"(caniemail `{use.slug}`, tested {feature.tested})"
    )
    notes = support.notes(use, missing)
    hint = (
        f"{notes + '; ' if notes else ''}write it another way for those clients, or "
        f"list `{use.slug}` in `[tool.campc.email] allow-unsupported` if the email "
        f"reads fine without it: {feature.url}"
    )
    return message, hint


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield one finding per place a template writes an unsupported feature."""
    from compiler.email import support
    from compiler.email.places import AtTemplates
    from compiler.email.render import rendered
    from compiler.email.templates import matching

    policy = repo.policy.email
    clients = policy.clients
    allowed = set(policy.allow_unsupported)
    in_templates = AtTemplates(repo)
    said: dict[tuple[str, str], tuple[str, str] | None] = {}  # (message, hint), None: fine
    places: dict[tuple[str, str], tuple[str, int, int] | None] = {}
    for entry in rendered(repo, full=False):
        if entry.problems or not entry.raw_html:
            continue
        send = entry.send
        for use in support.features(entry.raw_html):
            seen = (use.slug, use.shown)
            if seen not in said:
                said[seen] = None if use.slug in allowed else _finding(use, clients)
            finding = said[seen]
            if finding is None:
                continue
            key = (send.email.template, use.pattern)
            if key not in places:
                places[key] = matching(repo, send.email.template, use.pattern)
            in_templates.add(places[key] or (send.email.template, 1, 1), *finding, send)
    yield from in_templates.diagnostics(RULE)


RULE = Rule(
    code="EMAIL021",
    name="client-support",
    severity=Severity.WARNING,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # a send's render depends on its spec, the templates and the policy
)
