"""A subject longer than the configured length (78 characters by default), or empty
once rendered.

## What it does
Renders each send's subject with the spec's sample variables and measures it in
characters.

## Why is this bad?
Inboxes show the first 40 to 70 characters of a subject; the rest is cut, often
mid-word, and long subjects read as promotional to filters. An empty subject is
treated as spam by most of them.

## Example
```yaml
subject: "Everything you need to know about Fjord Pulse, our observability product for data"
```

## Use instead
```yaml
subject: "Meet Fjord Pulse: know when your data breaks"
```

## Options
`[tool.campc.email] max-subject-length` (default 78).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from compiler.diagnostics import Diagnostic, Rule, Severity
from compiler.email.render import rendered

if TYPE_CHECKING:
    from compiler.project.repository import Repository


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding for each subject too long or empty."""
    rule = RULE
    limit = repo.policy.email.max_subject_length
    for email in rendered(repo, full=False):
        if email.problems or email.send.email.template not in repo.templates:
            continue  # nothing was rendered: EMAIL001 or REF002 says why
        send = email.send
        length = len(email.subject)
        if 0 < length <= limit and email.subject.strip():
            continue
        line, col = send.spec.doc.value_at((*send.loc, "subject"))
        message = (
            f"email `{send.key}` has an empty subject"
            if not email.subject.strip()
            else f"email `{send.key}` has a subject of {length} characters (limit {limit})"
        )
        yield rule.diagnostic(
            send.spec.path, line, col, message, "say it in fewer words; inboxes cut the rest"
        )


RULE = Rule(
    code="EMAIL005",
    name="subject-length",
    severity=Severity.WARNING,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # a send's render depends on its spec, the templates and the policy
)
