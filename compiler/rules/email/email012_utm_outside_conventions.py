"""An email's `utm_source` or `utm_medium` outside the repository's UTM vocabulary.

## What it does
campc tags every link of an email with the email's `utm_source` and `utm_medium`: a
campaign's `utm`, or the defaults of the UTM conventions (`kind: utm`, built in: source
`email` for campaigns and `nurture` for sequences, medium `email`). This rule checks
those values against the conventions' `sources` and `mediums` lists (an empty list
allows any value): on each campaign that sends email, and on the conventions file when
its own defaults are not in its lists.

## Why is this bad?
Analytics groups traffic by these values as written. Google Analytics 4 counts a visit
as "Email" only when the medium is `email`; `newsletter` or `Email` lands in
"Unassigned", and a source spelled three ways splits one channel's results into three
rows no dashboard adds up.

## Example
```yaml
# campaigns/conventions/utm.yaml
kind: utm
sources: [fjord, newsletter, nurture]
# campaigns/acquisition/monthly-newsletter.yaml
utm: {source: Newsletter, medium: newsletter}
```

## Use instead
```yaml
utm: {source: newsletter, medium: email}
```
Or add the value to the conventions' list, where reviewers of the vocabulary see it.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from compiler.conventions.models import UtmConventions
from compiler.diagnostics import Diagnostic, Rule, Severity
from compiler.model.campaign import Campaign
from compiler.model.sequence import SendStep, Sequence

if TYPE_CHECKING:
    from compiler.project.repository import Repository


def _hint(value: str, allowed: list[str], plural: str) -> str:
    close = difflib.get_close_matches(value.lower(), allowed, n=1, cutoff=0.6)
    if value.lower() in allowed:
        close = [value.lower()]
    if close:
        return f"did you mean `{close[0]}`? (or add `{value}` to the UTM conventions' `{plural}`)"
    return f"use one of {', '.join(f'`{v}`' for v in allowed)}, or add `{value}` to `{plural}`"


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding for each email tag value the UTM conventions do not list."""
    rule = RULE
    utm = repo.conventions.utm
    lists = {"source": ("sources", utm.sources), "medium": ("mediums", utm.mediums)}
    used: dict[str, set[str]] = {"source": set(), "medium": set()}
    defaults = utm.defaults
    for spec in repo.specs:
        model = spec.model
        if isinstance(model, Sequence):
            if any(isinstance(step, SendStep) for step in model.steps):
                used["source"].add(defaults.sequence_source)
                used["medium"].add(defaults.medium)
            continue
        if not isinstance(model, Campaign) or not any(s.email for s in model.sends):
            continue
        if model.utm is None:
            used["source"].add(defaults.campaign_source)
            used["medium"].add(defaults.medium)
            continue
        for field in ("source", "medium"):
            value = getattr(model.utm, field)
            plural, allowed = lists[field]
            if not allowed or value in allowed:
                continue
            line, col = spec.doc.value_at(("utm", field))
            yield rule.diagnostic(
                spec.path,
                line,
                col,
                f"utm_{field} `{value}` is not in the UTM conventions' `{plural}`",
                _hint(value, allowed, plural),
            )
    own = next((f for f in repo.registries if isinstance(f.model, UtmConventions)), None)
    if own is None:
        return
    for field in ("source", "medium"):
        plural, allowed = lists[field]
        for value in sorted(used[field]):
            if not allowed or value in allowed:
                continue
            key = plural if plural in own.doc.data else "kind"
            line, col = own.doc.value_at((key,))
            yield rule.diagnostic(
                own.path,
                line,
                col,
                f"the default utm_{field} `{value}`, used by emails without `utm`, is not in "
                f"`{plural}`",
                f"add `{value}` to `{plural}`, or set `defaults` to a value it lists",
            )


RULE = Rule(
    code="EMAIL012",
    name="utm-outside-conventions",
    severity=Severity.WARNING,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # a campaign's own `utm` against the conventions (a registry)
)
