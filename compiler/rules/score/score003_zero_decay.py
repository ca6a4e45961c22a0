"""A decay, expiry or time window of zero length.

## What it does
Reports `half_life`, `expire_after` (model or rule decay) and a behaviour
rule's `within` written as a zero duration (`0d`, `0m`).

## Why is this bad?
A zero half-life or expiry wipes every event's points; a zero window counts
nothing. The rule looks active in review but never scores.

## Example
```yaml
decay: {half_life: 0d}
```

## Use instead
```yaml
decay: {half_life: 30d}
```
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import TYPE_CHECKING

from compiler.diagnostics import Diagnostic, Loc, Rule, Severity
from compiler.model.scoring import Decay, ScoringModel

if TYPE_CHECKING:
    from compiler.project.repository import Repository


def _decay(decay: Decay | None, where: Loc) -> Iterator[tuple[Loc, timedelta]]:
    if decay is None:
        return
    if decay.half_life is not None:
        yield (*where, "half_life"), decay.half_life
    if decay.expire_after is not None:
        yield (*where, "expire_after"), decay.expire_after


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield a finding for each zero-length decay, expiry or window."""
    rule = RULE
    for spec in repo.specs:
        model = spec.model
        if not isinstance(model, ScoringModel):
            continue
        lengths = list(_decay(model.decay, ("decay",)))
        for index, behaviour in enumerate(model.behaviour):
            lengths += _decay(behaviour.decay, ("behaviour", index, "decay"))
            if behaviour.within is not None:
                lengths.append((("behaviour", index, "within"), behaviour.within))
        for loc, length in lengths:
            if length > timedelta(0):
                continue
            line, col = spec.doc.value_at(loc)
            yield rule.diagnostic(
                spec.path,
                line,
                col,
                f"`{loc[-1]}` is zero: the rule never scores",
                "give it a length (for example 30d), or remove it",
            )


RULE = Rule(
    code="SCORE003",
    name="zero-decay",
    severity=Severity.ERROR,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # findings depend on one spec (and conventions, policy) alone
)
