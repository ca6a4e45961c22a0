"""A send whose email template cannot be rendered.

## What it does
Renders every send's template (campaign sends and sequence send steps) in Jinja2's
sandbox with the variables the spec declares, their sample values, and the ones campc
provides (`subject`, `preheader`, `unsubscribe_url`, `preferences_url`). Reports, at
the template's own file, line and column (naming the sends that use it), what
failed: a syntax error, a variable
the spec does not declare, an include outside `campaigns/templates/` or of a link, FIFO
or device, an attribute walk the sandbox refuses (`''.__class__`), a value too large to
build, a render that runs longer than two seconds or needs more than 512 MiB.

Every operation that builds a value is bounded before it runs: no value a template
builds may print as more than 2,000,000 characters (filters such as `center`, `indent`,
`wordwrap`, `replace`, `format`, `join`, `batch`, `slice`, `tojson`; `str` and `int`
methods such as `center`, `ljust`, `zfill`, `format` with width specs; the operators
`*`, `**`, `+`, `%`, `~`; the output of macros and `{% set %}` blocks); `*`, `batch` and
`slice` build at most 100,000 characters or items, integers at most 10,000 bits, and a
template file is at most 1 MB. Lists and dicts cannot be changed (`append`, `extend`...).

## Why is this bad?
A template that fails in review fails in the email platform, at send time, for every
contact. An undeclared variable is the classic one: `Hi {{ frist_name }}` renders
`Hi ` (or breaks) in most platforms; here it is an error before anything ships.

## Example
```yaml
variables:
  first_name: {type: string, sample: Alex}
steps:
  - id: welcome
    type: send
    email: {template: onboarding/welcome.html, subject: Welcome}
# onboarding/welcome.html: <p>Hi {{ frist_name }}</p>
```

## Use instead
```yaml
# onboarding/welcome.html: <p>Hi {{ first_name }}</p>
```
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from compiler.diagnostics import Diagnostic, Rule, Severity
from compiler.email.places import AtTemplates
from compiler.email.render import rendered

if TYPE_CHECKING:
    from compiler.project.repository import Repository


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding for each template that fails to render, at the template's own
    line (naming the sends that use it), and for each subject or preheader that fails,
    at the send."""
    rule = RULE
    in_templates = AtTemplates(repo)
    for email in rendered(repo, full=False):
        send = email.send
        for problem in email.problems:
            if problem.template != send.spec.path:
                place = (problem.template, problem.line, problem.column)
                message = f"template does not render: {problem.message}"
                in_templates.add(place, message, problem.hint, send)
                continue
            line, col = send.spec.doc.value_at((*send.loc, "subject"))
            yield rule.diagnostic(
                send.spec.path,
                line,
                col,
                f"email `{send.key}` does not render (its subject or preheader): {problem.message}",
                problem.hint,
            )
    yield from in_templates.diagnostics(rule)


RULE = Rule(
    code="EMAIL001",
    name="template-error",
    severity=Severity.ERROR,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # a send's render depends on its spec, the templates and the policy
)
