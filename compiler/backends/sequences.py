"""Sequence back-end: `sequences/<id>.md`, the graph as a Mermaid flowchart, every step
with its earliest delay, and the QA test plan: each path from entry to end as a
checklist a tester follows with a seeded test contact. The page follows `[tool.campc]
locale` (`text/labels.py`; its messages are in `text/locale/<locale>/sequences.po`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Literal

from compiler.analysis import timing
from compiler.analysis.personas import personas, trace_data
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
from compiler.text import escape
from compiler.text.labels import Labels, _, labels

_label = escape.mermaid

Subject = Literal["", "the contact", "it"]
"""Who a condition is said of: nobody (a table cell, a graph node: the condition as it
stands), the test contact of a checklist (either arm of a branch), or `it`, the contact
a met-early check just named (the condition as it stands)."""

_EVENTS: dict[tuple[Subject, bool], tuple[str, str]] = {
    ("", True): (_("did {event}"), _("did {event} within {duration}")),
    ("the contact", True): (
        _("the contact did {event}"),
        _("the contact did {event} within {duration}"),
    ),
    ("the contact", False): (
        _("the contact did not do {event}"),
        _("the contact did not do {event} within {duration}"),
    ),
    ("it", True): (_("it did {event}"), _("it did {event} within {duration}")),
}
"""A test on an event, by subject and whether it holds: without a window, with one."""

_ATTRIBUTES: dict[Subject, str] = {
    "the contact": _("the contact's {attribute} {test}"),
    "it": _("its {attribute} {test}"),
}
"""A test on an attribute said of a subject (without one: the attribute and the test)."""


def _test(
    condition: Condition,
    name: Callable[[str], str],
    text: Callable[[str], str],
    words: Labels,
    holds: bool = True,
    subject: Subject = "",
) -> str:
    """A condition in words, names through `name` and values through `text` (the
    medium's escapers): `did `x` within 5 days`, `company_size` is at least 200; with a
    subject a whole clause: `the contact did `x``, `its `plan` is pro`.
    """
    if condition.event:
        bare, windowed = _EVENTS[subject, holds]
        if condition.within:
            duration = words.duration(condition.within)
            return words(windowed, event=name(condition.event), duration=duration)
        return words(bare, event=name(condition.event))
    items = condition.value if isinstance(condition.value, list) else [condition.value]
    shown = [text(words.value(v)) for v in items]
    test = words.comparison(condition.op, shown, holds)
    attribute = name(condition.attribute or "")
    if not subject:
        return f"{attribute} {test}"
    return words(_ATTRIBUTES[subject], attribute=attribute, test=test)


def _mermaid_name(name: str) -> str:
    return _label(f"`{name}`")


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _node(index: int, step: Step, words: Labels) -> str:
    name = f"n{index}"
    if isinstance(step, SendStep):
        send = words(_("send {step}"), step=_label(step.id))
        return f'{name}["{send}<br/>{_label(step.email.subject)}"]'
    if isinstance(step, BranchStep):
        question = words(_("{test}?"), test=_test(step.condition, _mermaid_name, _label, words))
        return f'{name}{{"{question}"}}'
    if isinstance(step, GoalStep):
        test = _test(step.condition, _mermaid_name, _label, words)
        goal = words(_("goal {step}: {test}"), step=_label(step.id), test=test)
        return f'{name}[["{goal}"]]'
    if isinstance(step, ExitStep):
        ending = words(_("exit {step}"), step=_label(step.id))
        return f'{name}(("{ending}"))'
    return f'{name}(["{_label(timing.words(step, words))}"])'


_code = escape.markdown_code
_text = escape.markdown


def _condition(
    condition: Condition, words: Labels, holds: bool = True, subject: Subject = ""
) -> str:
    """A condition for a Markdown page, names as code and values escaped; with a subject
    (`the contact`, `it`) a whole clause: `it did `x``, `the contact's `plan` is pro`."""
    return _test(condition, _code, _text, words, holds, subject)


def flowchart(sequence: Sequence, words: Labels | None = None) -> list[str]:
    """The graph as Mermaid lines (its labels in `words`' locale, English by default)."""
    words = words or labels()
    index = {step.id: i for i, step in enumerate(sequence.steps)}
    lines = ["```mermaid", "flowchart TD", f'  start(("{_label(sequence.trigger.event)}"))']
    lines += [f"  {_node(i, step, words)}" for i, step in enumerate(sequence.steps)]
    lines.append("  start --> n0")
    for step_id, nexts in following(sequence).items():
        step = sequence.steps[index[step_id]]
        arms = [words(_("yes")), words(_("no"))] if isinstance(step, BranchStep) else [""]
        for label, target in zip(arms, nexts, strict=False):
            if target not in index:
                continue
            arrow = f" -- {label} -->" if label else " -->"
            lines.append(f"  n{index[step_id]}{arrow} n{index[target]}")
    lines.append("```")
    return lines


def _checklist(sequence: Sequence, number: int, path: Path, words: Labels) -> list[str]:
    contact = _code(f"qa+{sequence.id}-{number}@example.com")
    event = _code(sequence.trigger.event)
    if sequence.audience:
        create = words(
            _(
                "Create the test contact {contact} (seed {seed}) in the audience {audience}, "
                "then fire {event} for it (day 0)."
            ),
            contact=contact,
            seed=number,
            audience=_code(sequence.audience),
            event=event,
        )
    else:
        create = words(
            _(
                "Create the test contact {contact} (seed {seed}) in the audience, then fire "
                "{event} for it (day 0)."
            ),
            contact=contact,
            seed=number,
            event=event,
        )
    lines = [f"- [ ] {create}"]
    for hop in path.hops:
        step = hop.step
        when = _capital(hop.when(words))
        if isinstance(step, BranchStep) and hop.outcome:
            holds = hop.outcome == "yes"
            line = words(
                _("{when}: make sure {condition} (branch {branch} goes {outcome})."),
                when=when,
                condition=_condition(step.condition, words, holds, "the contact"),
                branch=_code(step.id),
                outcome=words(_("yes")) if holds else words(_("no")),
            )
        elif isinstance(step, SendStep):
            line = words(
                _('{when}: receives {step}, subject "{subject}" (template {template}).'),
                when=when,
                step=_code(step.id),
                subject=_text(step.email.subject),
                template=_code(step.email.template),
            )
        elif isinstance(step, GoalStep):
            line = words(
                _("{when}: goal {goal}: if {condition}, it is counted as converted."),
                when=when,
                goal=_code(step.id),
                condition=_condition(step.condition, words, subject="the contact"),
            )
        else:
            continue
        lines.append(f"- [ ] {line}")
    # the ending names a step id, a slug the model checked: campc's own Markdown
    then = words(_("Then: {ending}; no further email arrives."), ending=path.ending_in(words))
    lines.append(f"- [ ] {then}")
    return lines


_QUIET: dict[tuple[bool, str], str] = {
    (True, "defer"): _("; quiet hours {start}-{end} (a send inside them waits until {end})"),
    (True, "skip"): _("; quiet hours {start}-{end} (a send inside them is skipped)"),
    (False, "defer"): _(
        "; quiet hours {start}-{end} (the project's; a send inside them waits until {end})"
    ),
    (False, "skip"): _(
        "; quiet hours {start}-{end} (the project's; a send inside them is skipped)"
    ),
}
"""The quiet hours clause, by whether the sequence sets them itself and their action."""


def _quiet(sequence: Sequence, repo: Repository | None, words: Labels) -> str:
    """`; quiet hours 20:00-08:00 (a send inside them waits until 08:00)`, or nothing."""
    hours, action = timing.quiet_hours(repo, sequence)
    if hours is None:
        return ""
    message = _QUIET[sequence.quiet_hours is not None, action]
    return words(message, start=f"{hours[0]:%H:%M}", end=f"{hours[1]:%H:%M}")


def _business(sequence: Sequence, repo: Repository | None, words: Labels) -> list[str]:
    """What a business day is, when a wait counts them."""
    if not any(isinstance(s, WaitStep) and s.business_days is not None for s in sequence.steps):
        return []
    markets = [
        m.country + (f"-{m.subdivision}" if m.subdivision else "")
        for m in timing.markets(repo, sequence)
    ]
    if markets:
        said = words(
            _("Business days are Monday to Friday, except the public holidays of {markets}."),
            markets=", ".join(markets),
        )
    else:
        said = words(_("Business days are Monday to Friday, except no public holiday."))
    return ["", said, ""]


def _entry(sequence: Sequence, repo: Repository | None, words: Labels) -> str:
    """Who enters the sequence on what, its quiet hours and its frequency cap."""
    event = _code(sequence.trigger.event)
    if sequence.audience:
        said = words(
            _("Entered on {event} by {audience}"), event=event, audience=_code(sequence.audience)
        )
    else:
        said = words(_("Entered on {event}"), event=event)
    said += _quiet(sequence, repo, words)
    cap = sequence.frequency_cap
    if cap:
        said += words(
            _("; at most {emails} per {window}"),
            emails=words.count(cap.max, _("{n} email"), _("{n} emails")),
            window=words.per(cap.per),
        )
    return said + "."


def document(
    sequence: Sequence, repo: Repository | None = None, words: Labels | None = None
) -> str:
    """The sequence's Markdown page (quiet hours and markets from `repo` when the sequence
    leaves them to the project), in `words`' locale (the repository's, else English)."""
    words = words or labels(repo.policy.locale if repo is not None else "en")
    found, cut = paths(sequence)
    earliest: dict[str, timedelta] = {}
    said: dict[str, str] = {}
    for path in found:
        for hop in path.hops:
            if hop.step.id not in earliest or hop.delay < earliest[hop.step.id]:
                earliest[hop.step.id] = hop.delay
                said[hop.step.id] = hop.when(words)
    lines = [
        words(_("# Sequence {id}: {name}"), id=_code(sequence.id), name=_text(sequence.name)),
        "",
        _entry(sequence, repo, words),
        *(_business(sequence, repo, words) or [""]),
        words(_("## Graph")),
        "",
        *flowchart(sequence, words),
        "",
        words(_("## Steps")),
        "",
        words(_("| step | type | what | earliest after entry |")),
        "|---|---|---|---|",
    ]
    for step in sequence.steps:
        what = ""
        if isinstance(step, SendStep):
            what = words(
                _("{template}: {subject}"),
                template=_code(step.email.template),
                subject=_text(step.email.subject),
            )
        elif isinstance(step, BranchStep | GoalStep):
            what = _condition(step.condition, words)
        elif isinstance(step, WaitStep):
            what = timing.words(step, words)
        reached = said.get(step.id) or words(_("never reached"))
        lines.append(f"| {_code(step.id)} | {step.type} | {what} | {reached} |")
    lines += ["", words(_("## QA test plan")), ""]
    count = words.count(len(found), _("{n} path"), _("{n} paths"))
    if cut:
        intro = _(
            "{paths} from entry to end (the first {shown}; there are more). Walk each with "
            "its own test contact; days count from the trigger."
        )
    else:
        intro = _(
            "{paths} from entry to end. Walk each with its own test contact; days count "
            "from the trigger."
        )
    lines.append(words(intro, paths=count, shown=len(found)))
    for number, path in enumerate(found, start=1):
        emails = ", ".join(_code(h.step.id) for h in path.sends) or words(_("no email"))
        title = words(
            _("### Path {number}: {emails}; {ending}"),
            number=number,
            emails=emails,
            ending=path.ending_in(words),
        )
        lines += ["", title, ""]
        lines += _checklist(sequence, number, path, words)
    lines += _shortcuts(sequence, len(found), earliest, words)
    return "\n".join(lines) + "\n"


def _shortcuts(
    sequence: Sequence, number: int, earliest: dict[str, timedelta], words: Labels
) -> list[str]:
    """Checks for leaving early: each goal met before its step (goals reached on day 2 or
    later, so day 1 is before them), each exit condition."""
    goals = [
        s
        for s in sequence.steps
        if isinstance(s, GoalStep) and earliest.get(s.id, timedelta(0)) >= timedelta(days=2)
    ]
    if not goals and not sequence.exit:
        return []
    lines = ["", words(_("### Goals met early and exit conditions")), ""]
    event = _code(sequence.trigger.event)
    for goal in goals:
        number += 1
        said = words(
            _(
                "Create the test contact {contact} (seed {seed}) and fire {event} (day 0); on "
                "day 1 make sure {condition}: it moves on to goal {goal} (counted as "
                "converted) and receives none of the emails before it from then on."
            ),
            contact=_code(f"qa+{sequence.id}-{number}@example.com"),
            seed=number,
            event=event,
            condition=_condition(goal.condition, words, subject="it"),
            goal=_code(goal.id),
        )
        lines.append(f"- [ ] {said}")
    for condition in sequence.exit:
        number += 1
        said = words(
            _(
                "Create the test contact {contact} (seed {seed}) and fire {event} (day 0); on "
                "day 1 make sure {condition}: it leaves the sequence and no further email "
                "arrives."
            ),
            contact=_code(f"qa+{sequence.id}-{number}@example.com"),
            seed=number,
            event=event,
            condition=_condition(condition, words, subject="it"),
        )
        lines.append(f"- [ ] {said}")
    return lines


def build(repo: Repository, context: BuildContext) -> list[Artifact]:
    """`sequences/<id>.md` for every sequence, and `sequences/<id>.personas.json`: the
    QA plan's personas as timelines of the emails each receives (`analysis.personas`)."""
    artifacts = []
    for spec in repo.specs:
        if isinstance(spec.model, Sequence):
            sources = (spec.model.id,)
            text = document(spec.model, repo=repo)
            artifacts.append(
                Artifact(f"sequences/{spec.model.id}.md", text.encode("utf-8"), sources)
            )
            traces = {
                "sequence": spec.model.id,
                "personas": [trace_data(p) for p in personas(repo, spec.model)],
            }
            body = json.dumps(traces, indent=2, ensure_ascii=False) + "\n"
            artifacts.append(
                Artifact(f"sequences/{spec.model.id}.personas.json", body.encode("utf-8"), sources)
            )
    return artifacts
