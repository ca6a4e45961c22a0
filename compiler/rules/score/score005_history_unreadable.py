"""A scoring model's labelled history that cannot be read.

## What it does
Reads the files a model's `history` names (below the campaigns folder) as the
backtest does, and reports the first problem in each: a file that does not
exist or cannot be read (a link, a FIFO: `FILE001` says which), text that is
not UTF-8 CSV, a missing `lead_id`, `scored_on` or `outcome` column, a column
the catalog does not declare, a value that is not of its column's type, an
outcome other than `won`, `lost` or `open`, a lead listed twice. The finding is
in the CSV at the line that holds the mistake.

## Why is this bad?
The build skips the backtest of a history it cannot read, and `campc diff`
cannot say what a scoring change does to AUC or the MQLs per month: the change
is reviewed blind.

## Example
```csv
lead_id,scored_on,outcome,company_size
h-001,2027-01-29,converted,850
```

## Use instead
```csv
lead_id,scored_on,outcome,company_size
h-001,2027-01-29,won,850
```
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from compiler.analysis import history
from compiler.diagnostics import Diagnostic, Rule, Severity
from compiler.model.scoring import ScoringModel

if TYPE_CHECKING:
    from compiler.project.repository import Repository


def collect(repo: Repository) -> dict[str, Any]:
    """Each scoring spec's history problems: `[file, line, col, message, hint]`, a line
    0 meaning the spec's own `history` entry (kept per spec and the data files' bytes,
    so a check after another file changed reads no history again)."""
    found: dict[str, Any] = {}
    for spec in repo.specs:
        if spec.kind != "scoring_model" or "history" not in spec.doc.data:
            continue  # the others' models stay unbuilt (a cached check builds none)
        model = spec.model
        if not isinstance(model, ScoringModel) or model.history is None:
            continue
        _found, problems = history.read(model, repo.data_files)
        listed = []
        for problem in problems:
            if problem.line == 0:  # missing or unreadable: at the spec's reference
                which = "events" if problem.file == model.history.events else "leads"
                line, col = spec.doc.value_at(("history", which))
                listed.append(
                    [
                        spec.path,
                        line,
                        col,
                        f"history file `{problem.file}` {problem.message}",
                        "name a CSV file below the campaigns folder (`samples/outcomes.csv`)",
                    ]
                )
            else:
                listed.append(
                    [
                        repo.display(repo.root / problem.file),
                        problem.line,
                        1,
                        f"history {problem.message}",
                        "fix the row: see `campc explain SCORE005` for the columns and values",
                    ]
                )
        found[spec.path] = listed
    return found


def combine(repo: Repository, collected: dict[str, Any]) -> Iterator[Diagnostic]:
    """Yield a finding for each history that cannot be read."""
    rule = RULE
    for _spec, listed in sorted(collected.items()):
        for path, line, col, message, hint in listed or ():
            yield rule.diagnostic(path, line, col, message, hint)


RULE = Rule(
    code="SCORE005",
    name="history-unreadable",
    severity=Severity.ERROR,
    doc=__doc__ or "",
    collect=collect,
    combine=combine,
)
