"""A template variable has no field in an ESP's field map.

## What it does
For each ESP in `[tool.campc.email] esp`, reports each variable a spec declares and its
emails read (templates, subjects, preheaders) that
`[tool.campc.email.fields.<esp>]` does not map to one of the ESP's fields.
`unsubscribe_url` and `preferences_url` need no mapping: they become the ESP's own
per-recipient links.

## Why is this bad?
campc cannot know which field of the ESP holds the value: `first_name` may be
`customer.first_name` in Customer.io, `contact.firstname` in HubSpot and `FNAME` in
Mailchimp. Guessing would send the wrong value, or none, to every recipient.

## Example
```toml
[tool.campc.email]
esp = ["customerio"]
```

## Use instead
```toml
[tool.campc.email.fields.customerio]
first_name = "customer.first_name"
```
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from compiler.diagnostics import Diagnostic, Loc, Rule, Severity
from compiler.email.esp import DIALECTS
from compiler.email.render import Send, sends_by_spec, variables_used
from compiler.email.sandbox import CAMPC_VARIABLES

if TYPE_CHECKING:
    from compiler.project.repository import Repository


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding for each variable an ESP's field map does not name."""
    rule = RULE
    policy = repo.policy.email
    if not policy.esp:
        return
    for spec_sends in sends_by_spec(repo):
        spec = spec_sends[0].spec
        used = variables_used(repo, spec_sends)
        if used is None:
            continue  # a template name is computed: EMAIL001 and the others say more
        for name, loc in _declared(spec_sends).items():
            if name not in used or name in CAMPC_VARIABLES:
                continue
            missing = [esp for esp in policy.esp if name not in policy.fields.get(esp, {})]
            if not missing:
                continue
            line, col = spec.doc.key_at(loc)
            labels = ", ".join(DIALECTS[esp].label for esp in missing)
            yield rule.diagnostic(
                spec.path,
                line,
                col,
                f"variable `{name}` has no field in the field map of {labels}",
                f'add `{name} = "..."` under [tool.campc.email.fields.{missing[0]}] in '
                "pyproject.toml: the ESP's field that holds it",
            )


def _declared(spec_sends: list[Send]) -> dict[str, Loc]:
    """Each variable the spec's sends declare, where: the spec's, then each send's own."""
    found: dict[str, Loc] = {}
    for send in spec_sends:
        for name in send.variables:
            found.setdefault(name, send.declared_at(name))
    return found


RULE = Rule(
    code="EMAIL015",
    name="esp-unmapped-field",
    severity=Severity.ERROR,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # reads the spec, the templates it uses and the policy
)
