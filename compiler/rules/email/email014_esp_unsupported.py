"""A template uses a construct an ESP the repository compiles for cannot express.

## What it does
Compiles every send for each ESP in `[tool.campc.email] esp` (from the template's
syntax tree: a recipient's field becomes the ESP's merge tag, an `if` on one its
conditional) and reports, at the template's line (naming the sends that use it),
each construct on a recipient's value the ESP has no equivalent for: an expression
such as `{{ "=" * issue_title|length }}`, a filter the ESP lacks (`title` in Liquid)
or one with arguments the ESP's drops, a condition that mixes `and`, `or` and `not`
for Liquid, which has no parentheses, a loop over a recipient's value, `{% set %}`
inside a condition on one, a recipient's value that a macro or a `{% filter %}` block
does more with than print it; and the template's own text that is the ESP's syntax
(which the proof shows as it is and the ESP would run).

## Why is this bad?
The ESP would get a template it cannot fill: a broken email for every recipient, or
a tag printed as it is. campc never drops a construct silently, so the template is
fixed before anything ships.

## Example
```jinja
{{ issue_title }}
{{ "=" * issue_title|length }}
```

## Use instead
```jinja
{{ issue_title }}
--------------------
```
Compute what the ESP cannot (a length, a date format) in the ESP's own data.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from compiler.diagnostics import Diagnostic, Rule, Severity
from compiler.email.esp import compiled
from compiler.email.places import AtTemplates

if TYPE_CHECKING:
    from compiler.project.repository import Repository


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding for each construct an ESP cannot express, where it is written."""
    rule = RULE
    in_templates = AtTemplates(repo)
    for esp in repo.policy.email.esp:
        for send, result in compiled(repo, esp):
            for problem in result.problems:
                if problem.template != send.spec.path:
                    in_templates.add(
                        (problem.template, problem.line, 1), problem.message, problem.hint, send
                    )
                    continue
                line, col = send.spec.doc.value_at((*send.loc, "subject"))
                yield rule.diagnostic(
                    send.spec.path,
                    line,
                    col,
                    f"email `{send.key}`'s subject or preheader: {problem.message}",
                    problem.hint,
                )
    yield from in_templates.diagnostics(rule)


RULE = Rule(
    code="EMAIL014",
    name="esp-unsupported",
    severity=Severity.ERROR,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # a send's compile depends on its spec, the templates and the policy
)
