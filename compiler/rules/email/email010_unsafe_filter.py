"""A template that turns HTML escaping off: `|safe` or `{% autoescape false %}`.

## What it does
Parses every template under `campaigns/templates/` with Jinja2 and reports each use
of the `safe` filter and each `autoescape false` block, at its line, unless
`[tool.campc.email] allow-safe = true`.

## Why is this bad?
Variables come from contact data: a first name of `<a href="https://evil.example">`
is escaped and harmless, unless `|safe` tells the template to trust it. Escaping off
is how contact data becomes a phishing link in your brand's email.

## Example
```html
<p>Hi {{ first_name | safe }}</p>
```

## Use instead
```html
<p>Hi {{ first_name }}</p>
```

## Options
`[tool.campc.email] allow-safe = true` turns the rule off for a project that vets
every variable upstream.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from compiler.diagnostics import Diagnostic, Rule, Severity
from compiler.email.sandbox import unescaped_in
from compiler.email.templates import source

if TYPE_CHECKING:
    from compiler.project.repository import Repository


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding for each place a template turns escaping off."""
    rule = RULE
    if repo.policy.email.allow_safe:
        return
    for name in sorted(repo.templates):
        if not name.endswith((".html", ".htm")):
            continue
        text = source(repo, name)
        if text is None:
            continue  # EMAIL001 says why it cannot be read
        for line, what in unescaped_in(text, repo.templates_dir):
            yield rule.diagnostic(
                repo.display(repo.templates_dir / name),
                line,
                1,
                f"{what} turns HTML escaping off",
                "remove it; or set `allow-safe = true` under [tool.campc.email]",
            )


RULE = Rule(
    code="EMAIL010",
    name="unsafe-filter",
    severity=Severity.ERROR,
    doc=__doc__ or "",
    check=check,
)
