"""Sequence back-end: `sequences/<id>.md`, the graph as a Mermaid flowchart, every step
with its earliest delay, and the QA test plan: each path from entry to end as a
checklist a tester follows with a seeded test contact."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from compiler.analysis import timing
from compiler.analysis.sequences import Path, following, paths
from compiler.backends.artifacts import Artifact, BuildContext
from compiler.model.sequence import (
    BranchStep,
    Condition,
    ExitStep,
    GoalStep,
    SendStep,
    Sequence,
    Step,
    WaitStep,
)
from compiler.project.repository import Repository
from compiler.text import escape, prose

_label = escape.mermaid


def _test(
    condition: Condition,
    name: Callable[[str], str],
    text: Callable[[str], str],
    holds: bool = True,
    whose: str = "",
) -> str:
    """A condition in words, names through `name` and values through `text` (the
    medium's escapers): `did `x` within 5 days`, `company_size` is at least 200; an
    attribute test after `whose` (`the contact's `).
    """
    if condition.event:
        within = f" within {prose.duration(condition.within)}" if condition.within else ""
        return f"{'did' if holds else 'did not do'} {name(condition.event)}{within}"
    items = condition.value if isinstance(condition.value, list) else [condition.value]
    shown = [text(prose.value(v)) for v in items]
    test = prose.comparison(condition.op, shown, holds)
    return f"{whose}{name(condition.attribute or '')} {test}"


def _mermaid_name(name: str) -> str:
    return _label(f"`{name}`")


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _node(index: int, step: Step) -> str:
    name = f"n{index}"
    if isinstance(step, SendStep):
        return f'{name}["send {_label(step.id)}<br/>{_label(step.email.subject)}"]'
    if isinstance(step, BranchStep):
        return f'{name}{{"{_test(step.condition, _mermaid_name, _label)}?"}}'
    if isinstance(step, GoalStep):
        test = _test(step.condition, _mermaid_name, _label)
        return f'{name}[["goal {_label(step.id)}: {test}"]]'
    if isinstance(step, ExitStep):
        return f'{name}(("exit {_label(step.id)}"))'
    return f'{name}(["{_label(timing.words(step))}"])'


_code = escape.markdown_code
_text = escape.markdown


def _condition(condition: Condition, holds: bool = True, subject: str = "") -> str:
    """A condition for a Markdown page, names as code and values escaped; with a subject
    (`the contact`, `it`) a whole clause: `it did `x``, `the contact's `plan` is pro`."""
    if not subject:
        return _test(condition, _code, _text, holds)
    if condition.event:
        return f"{subject} {_test(condition, _code, _text, holds)}"
    whose = "its " if subject == "it" else f"{subject}'s "
    return _test(condition, _code, _text, holds, whose)


def flowchart(sequence: Sequence) -> list[str]:
    """The graph as Mermaid lines."""
    index = {step.id: i for i, step in enumerate(sequence.steps)}
    lines = ["```mermaid", "flowchart TD", f'  start(("{_label(sequence.trigger.event)}"))']
    lines += [f"  {_node(i, step)}" for i, step in enumerate(sequence.steps)]
    lines.append("  start --> n0")
    for step_id, nexts in following(sequence).items():
        step = sequence.steps[index[step_id]]
        labels = ["yes", "no"] if isinstance(step, BranchStep) else [""]
        for label, target in zip(labels, nexts, strict=False):
            if target not in index:
                continue
            arrow = f" -- {label} -->" if label else " -->"
            lines.append(f"  n{index[step_id]}{arrow} n{index[target]}")
    lines.append("```")
    return lines


def _checklist(sequence: Sequence, number: int, path: Path) -> list[str]:
    contact = _code(f"qa+{sequence.id}-{number}@example.com")
    lines = [
        f"- [ ] Create the test contact {contact} (seed {number}) in the audience"
        + (f" {_code(sequence.audience)}" if sequence.audience else "")
        + f", then fire {_code(sequence.trigger.event)} for it (day 0).",
    ]
    for hop in path.hops:
        step = hop.step
        if isinstance(step, BranchStep) and hop.outcome:
            condition = _condition(step.condition, hop.outcome == "yes", "the contact")
            lines.append(
                f"- [ ] {_capital(hop.when())}: make sure {condition} "
                f"(branch {_code(step.id)} goes {hop.outcome})."
            )
        elif isinstance(step, SendStep):
            lines.append(
                f"- [ ] {_capital(hop.when())}: receives {_code(step.id)}, "
                f'subject "{_text(step.email.subject)}" '
                f"(template {_code(step.email.template)})."
            )
        elif isinstance(step, GoalStep):
            lines.append(
                f"- [ ] {_capital(hop.when())}: goal {_code(step.id)}: if "
                f"{_condition(step.condition, subject='the contact')}, it is counted as converted."
            )
    # the ending names a step id, a slug the model checked: campc's own Markdown
    lines.append(f"- [ ] Then: {path.ending}; no further email arrives.")
    return lines


def _quiet(sequence: Sequence, repo: Repository | None) -> str:
    """`; quiet hours 20:00-08:00 (a send inside them waits until 08:00)`, or nothing."""
    hours, action = timing.quiet_hours(repo, sequence)
    if hours is None:
        return ""
    whose = "" if sequence.quiet_hours else "the project's; "
    what = f"waits until {hours[1]:%H:%M}" if action == "defer" else "is skipped"
    return f"; quiet hours {hours[0]:%H:%M}-{hours[1]:%H:%M} ({whose}a send inside them {what})"


def _business(sequence: Sequence, repo: Repository | None) -> list[str]:
    """What a business day is, when a wait counts them."""
    if not any(isinstance(s, WaitStep) and s.business_days is not None for s in sequence.steps):
        return []
    markets = [
        m.country + (f"-{m.subdivision}" if m.subdivision else "")
        for m in timing.markets(repo, sequence)
    ]
    holidays = f"the public holidays of {', '.join(markets)}" if markets else "no public holiday"
    return ["", f"Business days are Monday to Friday, except {holidays}.", ""]


def document(sequence: Sequence, repo: Repository | None = None) -> str:
    """The sequence's Markdown page (quiet hours and markets from `repo` when the sequence
    leaves them to the project)."""
    found, cut = paths(sequence)
    earliest: dict[str, timedelta] = {}
    said: dict[str, str] = {}
    for path in found:
        for hop in path.hops:
            if hop.step.id not in earliest or hop.delay < earliest[hop.step.id]:
                earliest[hop.step.id] = hop.delay
                said[hop.step.id] = hop.when()
    lines = [
        f"# Sequence {_code(sequence.id)}: {_text(sequence.name)}",
        "",
        f"Entered on {_code(sequence.trigger.event)}"
        + (f" by {_code(sequence.audience)}" if sequence.audience else "")
        + _quiet(sequence, repo)
        + (
            f"; at most {prose.count(sequence.frequency_cap.max, 'email')} per "
            f"{prose.per(sequence.frequency_cap.per)}"
            if sequence.frequency_cap
            else ""
        )
        + ".",
        *(_business(sequence, repo) or [""]),
        "## Graph",
        "",
        *flowchart(sequence),
        "",
        "## Steps",
        "",
        "| step | type | what | earliest after entry |",
        "|---|---|---|---|",
    ]
    for step in sequence.steps:
        what = ""
        if isinstance(step, SendStep):
            what = f"{_code(step.email.template)}: {_text(step.email.subject)}"
        elif isinstance(step, BranchStep | GoalStep):
            what = _condition(step.condition)
        elif isinstance(step, WaitStep):
            what = timing.words(step)
        reached = said.get(step.id, "never reached")
        lines.append(f"| {_code(step.id)} | {step.type} | {what} | {reached} |")
    lines += ["", "## QA test plan", ""]
    lines.append(
        f"{prose.count(len(found), 'path')} from entry to end"
        + (f" (the first {len(found)}; there are more)" if cut else "")
        + ". Walk each with its own test contact; days count from the trigger."
    )
    for number, path in enumerate(found, start=1):
        emails = ", ".join(_code(h.step.id) for h in path.sends) or "no email"
        lines += ["", f"### Path {number}: {emails}; {path.ending}", ""]
        lines += _checklist(sequence, number, path)
    lines += _shortcuts(sequence, len(found), earliest)
    return "\n".join(lines) + "\n"


def _shortcuts(sequence: Sequence, number: int, earliest: dict[str, timedelta]) -> list[str]:
    """Checks for leaving early: each goal met before its step (goals reached on day 2 or
    later, so day 1 is before them), each exit condition."""
    goals = [
        s
        for s in sequence.steps
        if isinstance(s, GoalStep) and earliest.get(s.id, timedelta(0)) >= timedelta(days=2)
    ]
    if not goals and not sequence.exit:
        return []
    lines = ["", "### Goals met early and exit conditions", ""]
    start = f"and fire {_code(sequence.trigger.event)} (day 0)"
    for goal in goals:
        number += 1
        lines.append(
            f"- [ ] Create the test contact {_code(f'qa+{sequence.id}-{number}@example.com')} "
            f"(seed {number}) {start}; on day 1 make sure "
            f"{_condition(goal.condition, subject='it')}: it moves on to goal {_code(goal.id)} "
            "(counted as converted) and receives none of the emails before it from then on."
        )
    for condition in sequence.exit:
        number += 1
        lines.append(
            f"- [ ] Create the test contact {_code(f'qa+{sequence.id}-{number}@example.com')} "
            f"(seed {number}) {start}; on day 1 make sure "
            f"{_condition(condition, subject='it')}: it leaves the sequence and no further "
            "email arrives."
        )
    return lines


def build(repo: Repository, context: BuildContext) -> list[Artifact]:
    """`sequences/<id>.md` for every sequence."""
    artifacts = []
    for spec in repo.specs:
        if isinstance(spec.model, Sequence):
            text = document(spec.model, repo=repo)
            artifacts.append(
                Artifact(f"sequences/{spec.model.id}.md", text.encode("utf-8"), (spec.model.id,))
            )
    return artifacts
