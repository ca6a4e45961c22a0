"""A reference names an audience, sequence, experiment, template, step or catalog entry.

## What it does
Checks every reference a spec makes: a campaign's audiences, sends, sequences,
experiments and templates; a sequence's audience, templates and step jumps
(`next`, `then`, `else`); an experiment's audience and the email it splits (`send:
<campaign or sequence>/<send or step>`); a scoring model's rules
and examples against its catalog. Reports the reference where it is written,
with the closest existing name.

## Why is this bad?
A dangling reference compiles into a calendar without its sequence sends, an
email without its template, or a scoring model that reads an attribute nobody
collects.

## Example
```yaml
sequences: [spring-nurture]   # the sequence's id is spring-launch-nurture
```

## Use instead
```yaml
sequences: [spring-launch-nurture]
```
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from compiler.diagnostics import Diagnostic, Rule, Severity
from compiler.model.campaign import Campaign
from compiler.model.scoring import ScoringModel
from compiler.model.sequence import SendStep, Sequence

if TYPE_CHECKING:
    from compiler.project.repository import Repository, SpecFile


_WHERE = {
    "audience": "declared in the repository's `kind: audiences` file",
    "sequence": "of a sequence spec",
    "experiment": "of an experiment spec",
    "template": "of a file under templates/",
    "step": "of a step of this sequence",
    "send": "`<campaign or sequence id>/<its email send or send step id>`",
    "attribute": "in this model's `catalog.attributes`",
    "event": "in this model's `catalog.events`",
}


def collect(repo: Repository) -> dict[str, Any]:
    """The names each sequence or scoring model declares for its own references: its
    steps, its catalog's attributes and events."""
    found: dict[str, Any] = {}
    for spec in repo.specs:
        if spec.kind in ("sequence", "scoring_model", "campaign"):
            found[spec.path] = {k: sorted(v) for k, v in _local_names(spec).items()}
    return found


def combine(repo: Repository, collected: dict[str, Any]) -> Iterator[Diagnostic]:
    """Yield a finding for each reference that names nothing."""
    rule = RULE
    kinds = {spec_id: spec.kind for spec in repo.specs for spec_id in [str(spec.doc.data["id"])]}
    known: dict[str, set[str]] = {
        "audience": {d.audience.id for d in repo.audiences()},
        "sequence": set(repo.ids("sequence")),
        "experiment": set(repo.ids("experiment")),
        "template": set(repo.templates),
        "send": {
            f"{spec.doc.data['id']}/{send}"
            for spec in repo.specs
            for send in (collected.get(spec.path) or {}).get("email-send", [])
        },
    }
    for spec in repo.specs:
        local = {k: set(v) for k, v in (collected.get(spec.path) or {}).items()}
        for ref in spec.references():
            names = local.get(ref.target) or known.get(ref.target, set())
            if ref.value in names:
                continue
            if ref.target not in local and repo.maybe_declared(ref.target, ref.value):
                continue  # a file that did not load may declare it: its finding says why
            line, col = spec.doc.value_at(ref.loc)
            message = f"{ref.target} `{ref.value}` does not exist"
            other = kinds.get(ref.value)
            if ref.target in ("sequence", "experiment") and other is not None:
                message = f"`{ref.value}` is a {other}, not {_article(ref.target)}"
            close = difflib.get_close_matches(ref.value, _candidates(ref, names), n=1)
            hint = f"did you mean `{close[0]}`?" if close else f"use the id {_WHERE[ref.target]}"
            yield rule.diagnostic(spec.path, line, col, message, hint)


def _candidates(ref: Any, names: set[str]) -> list[str]:
    """The names a close match is looked for among: for a send, only the sends of the
    spec it names and the sends of that id in other specs (a repository has thousands)."""
    if ref.target != "send":
        return sorted(names)
    spec, _, send = ref.value.partition("/")
    return sorted(n for n in names if n.startswith(f"{spec}/") or n.endswith(f"/{send}"))


def _article(word: str) -> str:
    return f"{'an' if word[0] in 'aeiou' else 'a'} {word}"


def _local_names(spec: SpecFile) -> dict[str, set[str]]:
    model = spec.model
    if isinstance(model, Campaign):
        return {"email-send": {s.id for s in model.sends if s.email is not None}}
    if isinstance(model, Sequence):
        return {
            "step": {step.id for step in model.steps},
            "email-send": {step.id for step in model.steps if isinstance(step, SendStep)},
        }
    if isinstance(model, ScoringModel):
        return {
            "attribute": set(model.catalog.attributes),
            "event": set(model.catalog.events),
        }
    return {}


RULE = Rule(
    code="REF002",
    name="unresolved-reference",
    severity=Severity.ERROR,
    doc=__doc__ or "",
    collect=collect,
    combine=combine,
)
