"""A template variable the spec declares but none of its emails uses.

## What it does
Reads, with Jinja2's parser, the templates of every send of the spec (and the layouts
and partials they extend, include or import) and their subjects and preheaders, and
reports each variable under `variables` that none of them reads. (A variable used but
not declared is `EMAIL001`: it stops the render.)

## Why is this bad?
A declared variable is a promise to the email platform's data team that it will be
filled for every contact. Unused ones are a mapping to maintain for nothing, and
usually a sign that a template lost the personalisation the spec was written for.

## Example
```yaml
variables:
  first_name: {type: string, sample: Alex}
  company: {type: string, sample: Acme}   # no template uses it
```

## Use instead
Remove `company`, or use `{{ company }}` where it was meant to appear.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from compiler.diagnostics import Diagnostic, Loc, Rule, Severity
from compiler.email.render import Send, sends_by_spec, variables_used
from compiler.email.sandbox import CAMPC_VARIABLES

if TYPE_CHECKING:
    from compiler.project.repository import Repository


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding for each declared variable no email of its spec reads."""
    rule = RULE
    for spec_sends in sends_by_spec(repo):
        spec = spec_sends[0].spec
        used = variables_used(repo, spec_sends)
        if used is None:
            continue  # a template name is computed: anything may be read
        for name, loc in _declared(spec_sends).items():
            if name in used or name in CAMPC_VARIABLES:
                continue
            line, col = spec.doc.key_at(loc)
            yield rule.diagnostic(
                spec.path,
                line,
                col,
                f"variable `{name}` is declared but no email of `{spec.doc.data['id']}` uses it",
                "remove it, or use it in a template",
            )


def _declared(spec_sends: list[Send]) -> dict[str, Loc]:
    """Each variable the spec's sends declare, where: the spec's, then each send's own."""
    found: dict[str, Loc] = {}
    for send in spec_sends:
        for name in send.variables:
            found.setdefault(name, send.declared_at(name))
    return found


RULE = Rule(
    code="EMAIL009",
    name="unused-variable",
    severity=Severity.WARNING,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # reads the spec and the templates it uses
)
