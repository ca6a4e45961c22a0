"""`campc route`'s report: each spec's routing decision with its evidence."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import IO, TYPE_CHECKING

from compiler.text import escape

if TYPE_CHECKING:
    from compiler.analysis.routing import RouteReport


def route_text(reports: Sequence[RouteReport], out: IO[str]) -> None:
    """Each spec's routing decision and its evidence, for a reviewer."""
    shown = escape.log
    for r in reports:
        decision = r.decision
        verdict = "agrees" if decision.domain in (None, r.declared) else "DISAGREES"
        out.write(f"{shown(r.path)} ({shown(r.kind)})\n")
        out.write(f"  declared: {shown(str(r.declared))}, folder: {shown(r.folder or '(none)')}\n")
        if decision.domain is None:
            out.write("  derived:  nothing in the spec points to a sub-domain\n")
        else:
            out.write(f"  derived:  {shown(decision.domain)} ({verdict})\n")
            out.write(f"  because:  {shown(decision.explain())}\n")
        for evidence in r.partners:
            status = "handed off" if evidence.target in r.handoffs else "NO HAND-OFF"
            out.write(
                f"  partner:  {shown(evidence.target)} ({shown(evidence.describe())}): {status}\n"
            )
        out.write("\n")


def route_json(reports: Sequence[RouteReport], out: IO[str]) -> None:
    """The same as a JSON list."""
    document = [
        {
            "path": r.path,
            "kind": r.kind,
            "declared": r.declared,
            "folder": r.folder,
            "derived": r.decision.domain,
            "by_kind": r.decision.by_kind is not None,
            "scores": dict(r.decision.scores),
            "tied": list(r.decision.tied),
            "evidence": [
                {"domain": e.target, "keyword": e.keyword, "field": e.field}
                for e in r.decision.evidence
            ],
            "partners": [
                {
                    "team": e.target,
                    "keyword": e.keyword,
                    "field": e.field,
                    "handed_off": e.target in r.handoffs,
                }
                for e in r.partners
            ],
        }
        for r in reports
    ]
    out.write(escape.json_document(document))


ROUTE_FORMATTERS: dict[str, Callable[[Sequence[RouteReport], IO[str]], None]] = {
    "text": route_text,
    "json": route_json,
}
