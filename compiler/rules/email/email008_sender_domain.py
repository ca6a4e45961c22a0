"""A From address outside the project's sending domains, or no From at all.

## What it does
With `[tool.campc.email] sending-domains` set, checks the From address of every send
(the send's own `sender`, else its spec's) against those domains (subdomains
included). A send with no sender anywhere is reported too.

## Why is this bad?
Only the domains the team has set up with SPF, DKIM and DMARC deliver: mail "from"
any other domain fails authentication and lands in spam, or is rejected outright
under Gmail and Yahoo's bulk-sender rules.

## Example
```yaml
sender: {from: "Fjord <news@fjord-mail.com>"}
```

## Use instead
```yaml
sender: {from: "Fjord <news@fjord.example>"}
```

## Options
`[tool.campc.email] sending-domains`, for example `["fjord.example"]`.
"""

from __future__ import annotations

from collections.abc import Iterator
from email.utils import parseaddr
from typing import TYPE_CHECKING

from compiler.diagnostics import Diagnostic, Rule, Severity
from compiler.email.render import sends

if TYPE_CHECKING:
    from compiler.project.repository import Repository


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding for each send from outside the sending domains."""
    rule = RULE
    domains = repo.policy.email.sending_domains
    if not domains:
        return
    for send in sends(repo):
        if send.derived:
            continue  # an occurrence or a variant: the send's own email, reported once
        own = send.email.sender is not None
        if send.sender is None:
            line, col = send.spec.doc.key_at(send.loc)
            yield rule.diagnostic(
                send.spec.path,
                line,
                col,
                f"email `{send.key}` has no sender",
                "set `sender: {from: ...}` on the spec (or on this email)",
            )
            continue
        _, address = parseaddr(send.sender.from_)
        domain = address.rpartition("@")[2].lower()
        if any(domain == d or domain.endswith(f".{d}") for d in domains):
            continue
        loc = (*send.loc, "sender", "from") if own else ("sender", "from")
        line, col = send.spec.doc.value_at(loc)
        yield rule.diagnostic(
            send.spec.path,
            line,
            col,
            f"email `{send.key}` is sent from `{address or send.sender.from_}`, outside the "
            f"sending domains ({', '.join(domains)})",
            "send from an address of a configured domain",
        )


RULE = Rule(
    code="EMAIL008",
    name="sender-domain",
    severity=Severity.ERROR,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # reads the send's and its spec's sender
)
