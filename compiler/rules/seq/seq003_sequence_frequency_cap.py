"""A path through a sequence that sends more emails in some window than its frequency cap.

## What it does
For every path from entry to end (branch outcomes taken both ways), lays out when each
email arrives after entry and reports the first window of the sequence's
`frequency_cap.per` that holds more than `frequency_cap.max` sends.

## Why is this bad?
The cap is the team's promise to the audience (and what keeps unsubscribe and spam
complaint rates down). Email platforms usually drop the sends over the cap silently,
so the email the sequence was built around may be the one that never goes.

## Example
```yaml
frequency_cap: {max: 2, per: 7d}
steps:
  - {id: welcome, type: send, email: {...}}
  - {id: tips, type: send, email: {...}}
  - {id: wait-2d, type: wait, duration: 2d}
  - {id: offer, type: send, email: {...}}     # the third email in 2 days
```

## Use instead
Lengthen the waits (here, 7 days before `offer`), or raise the cap deliberately.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from compiler.analysis.sequences import paths
from compiler.diagnostics import Diagnostic, Rule, Severity
from compiler.model.sequence import Sequence

if TYPE_CHECKING:
    from compiler.project.repository import Repository


def check(repo: Repository) -> Iterator[Diagnostic]:
    """Yield one finding per sequence whose paths break its cap (the first such window)."""
    rule = RULE
    for spec in repo.specs:
        model = spec.model
        if not isinstance(model, Sequence) or model.frequency_cap is None:
            continue
        cap = model.frequency_cap
        reported: set[str] = set()
        found, _ = paths(model)
        for path in found:
            sends = path.sends
            for start, first in enumerate(sends):
                window = [h for h in sends[start:] if h.delay - first.delay < cap.per]
                if len(window) <= cap.max:
                    continue
                over = window[cap.max]
                if over.step.id in reported:
                    break
                reported.add(over.step.id)
                index = next(i for i, s in enumerate(model.steps) if s.id == over.step.id)
                line, col = spec.doc.value_at(("steps", index, "id"))
                names = ", ".join(f"`{h.step.id}` ({h.when()})" for h in window)
                yield rule.diagnostic(
                    spec.path,
                    line,
                    col,
                    f"a contact gets {len(window)} emails within {cap.per.days or cap.per}"
                    f"{' days' if cap.per.days else ''} on one path ({names}); "
                    f"the cap is {cap.max}",
                    "lengthen the waits before this email, or raise `frequency_cap` on purpose",
                )
                break


RULE = Rule(
    code="SEQ003",
    name="sequence-frequency-cap",
    severity=Severity.ERROR,
    doc=__doc__ or "",
    check=check,
    scope="spec",  # one sequence's own steps
)
