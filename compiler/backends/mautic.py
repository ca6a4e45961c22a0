"""Mautic back-end: each sequence as a Mautic campaign to import, when `mautic` is among
`[tool.campc.email] esp` (its emails are the Mautic templates of `esp/mautic/`).

Mautic 7 imports campaigns from a ZIP holding one `entity_data.json` (the UI's *Import*,
`bin/console mautic:campaign:import --file`), or that JSON as the API's import body;
imported campaigns arrive unpublished. The JSON is a list of one group: `campaign`,
`campaign_event`, `email`, `lists` (the segment contacts enter through) and
`dependencies`, which ties every event to its campaign and its email, since the importer
gives every entity a new id from it. The format follows Mautic's own export
(`app/bundles/CampaignBundle/Tests/Functional/Fixtures/entity_data.json` in mautic/mautic,
and https://docs.mautic.org/en/7.0/campaigns/importing_campaigns.html).

A sequence is a graph; a Mautic campaign is a tree of events, each with one parent:

- a send is an `email.send` action; the waits before it are its delay (`interval` mode,
  in days, hours or minutes), quiet hours its *send only between* hours;
- a branch on `email_opened` or `email_clicked` right after a send is that email's
  `email.open` or `email.click` decision: the yes arm runs when the contact acts, the no
  arm after the wait before the branch (the time the contact was given); any other
  branch is a `lead.field_value` condition, run after the waits before it, on the
  attribute, or on a contact field named after the event (set by your integration);
- a step reached again on the same path (a loop) is a `campaign.jump_to_event` to its
  first event; a step two paths share is written on each (until the campaign holds
  `MAX_EVENTS` events, then as a jump too);
- an exit ends the path; goals, a `within` on another event, exit conditions other than
  unsubscribing and the frequency cap have no Mautic equivalent: `not_carried` lists
  them, in the campaign's description and the README.

The README (`<sequence>.md`) follows `[tool.campc] locale` (`text/labels.py`; its
messages are in `text/locale/<locale>/mautic.po`); the JSON, which Mautic shows its
users, is the same in every locale: its names and description stay English.

Ids are 1, 2, ... in the file (the importer replaces them) and every UUID is derived
from the sequence and the entity, so a re-import updates the same campaign.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import re
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import time, timedelta
from typing import Any

from compiler.analysis import timing
from compiler.backends.artifacts import Artifact, BuildContext
from compiler.email.esp import Compiled, compiled
from compiler.model.sequence import (
    BranchStep,
    Condition,
    GoalStep,
    SendStep,
    Sequence,
    WaitStep,
)
from compiler.project.repository import Repository
from compiler.text import escape
from compiler.text.labels import Labels, _, labels

FOLDER = "vendors/mautic"
MAX_EVENTS = 200
"""Past this many events, a step two paths share is a jump instead of a copy."""
DECISIONS = {"email_opened": "email.open", "email_clicked": "email.click"}
"""Events Mautic decides on itself, right after the email they concern."""
OPERATORS = {
    "eq": "=",
    "ne": "!=",
    "gt": "gt",
    "gte": "gte",
    "lt": "lt",
    "lte": "lte",
    "in": "in",
    "not_in": "!in",
    "contains": "contains",
    "exists": "!empty",
}
"""A sequence condition's operator as Mautic's contact-field condition writes it."""


@dataclass
class _Event:
    id: int
    name: str
    type: str
    event_type: str
    depth: int
    properties: Any
    parent: _Event | None
    path: str
    """`yes` or `no` under a decision or condition, else empty."""
    delay: timedelta = timedelta(0)
    email: int | None = None
    window: tuple[time, time] | None = None
    """The hours a send may go out in (the complement of quiet hours)."""
    children: list[_Event] = field(default_factory=list)


def _uuid(*parts: str) -> str:
    """A version 4 UUID derived from `parts` (stable across builds)."""
    digest = hashlib.sha256("\0".join(("campc", *parts)).encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def _interval(delay: timedelta) -> tuple[int, str]:
    """A delay in Mautic's whole units: days, else hours, else minutes."""
    minutes = int(delay.total_seconds() // 60)
    if minutes % (24 * 60) == 0:
        return minutes // (24 * 60), "d"
    if minutes % 60 == 0:
        return minutes // 60, "h"
    return minutes, "i"


_Frame = tuple[str | None, "_Event | None", str, timedelta, dict[str, "_Event"], frozenset[str]]
"""A step still to walk: its id, the event above it, the arm, the delay so far, the events
on the path by step, and the steps passed since the last event."""


class _Walker:
    """The event tree of one sequence, built by walking its graph from the first step."""

    def __init__(
        self, sequence: Sequence, emails: dict[str, int], window: Any, words: Labels
    ) -> None:
        self.sequence = sequence
        self.steps = {step.id: step for step in sequence.steps}
        self.order = [step.id for step in sequence.steps]
        self.emails = emails
        self.window = window
        self.words = words
        self.events: list[_Event] = []
        self.first: dict[str, _Event] = {}
        self.not_carried: list[str] = []
        """What Mautic cannot carry, in English (the campaign's description)."""
        self.said: list[str] = []
        """The same, in `words`' locale (the README)."""

    def _note(self, say: Callable[[Labels], str]) -> None:
        """Note what `say` says (in a locale) that Mautic cannot carry, once."""
        text = say(labels())
        if text not in self.not_carried:
            self.not_carried.append(text)
            self.said.append(say(self.words))

    def _after(self, step_id: str) -> str | None:
        step = self.steps[step_id]
        if step.next:
            return step.next
        index = self.order.index(step_id) + 1
        return self.order[index] if index < len(self.order) else None

    def _add(self, parent: _Event | None, path: str, **fields: Any) -> _Event:
        event = _Event(
            id=len(self.events) + 1,
            depth=(parent.depth + 1) if parent else 1,
            parent=parent,
            path=path,
            **fields,
        )
        self.events.append(event)
        if parent is not None:
            parent.children.append(event)
        return event

    def walk(self, first: str) -> None:
        """The tree from the step `first`, depth first with an explicit stack (a long
        chain of steps must not exhaust Python's recursion): a branch's yes arm is written
        before its no arm."""
        stack: list[_Frame] = [(first, None, "", timedelta(0), {}, frozenset())]
        while stack:
            stack += reversed(self._step(*stack.pop()))

    def _step(
        self,
        step_id: str | None,
        parent: _Event | None,
        path: str,
        delay: timedelta,
        on_path: dict[str, _Event],
        seen: frozenset[str],
    ) -> list[_Frame]:
        """Write what one step is, and return the steps to walk next, in order."""
        if step_id is None or (step_id in seen and step_id not in on_path):
            return []  # the end, or a loop of waits and goals alone
        if step_id in on_path or (step_id in self.first and len(self.events) >= MAX_EVENTS):
            target = on_path.get(step_id) or self.first[step_id]
            self._add(
                parent,
                path,
                name=f"Back to {step_id}",
                type="campaign.jump_to_event",
                event_type="action",
                properties={"jumpToEvent": target.id},
                delay=delay,
                window=self.window if delay else None,
            )
            return []
        step = self.steps[step_id]
        seen = seen | {step_id}
        after = self._after(step_id)
        if isinstance(step, WaitStep):
            wait = step.duration
            if wait is None:  # as many days as business days: Mautic counts days
                wait = timedelta(days=step.business_days or 0)
                self._note(lambda words: _fixed_wait(step, wait, words))
            return [(after, parent, path, delay + wait, on_path, seen)]
        if isinstance(step, GoalStep):
            self._note(
                lambda words: words(
                    _(
                        "goal {step} ({condition}): Mautic has no goal; a contact who meets "
                        "it early still gets the emails before it"
                    ),
                    step=step.id,
                    condition=_said(step.condition, words),
                )
            )
            return [(after, parent, path, delay, on_path, seen)]
        if isinstance(step, SendStep):
            event = self._add(
                parent,
                path,
                name=f"Send {step.id}",
                type="email.send",
                event_type="action",
                properties={
                    "email": self.emails[step.id],
                    "email_type": "marketing",
                    "priority": 2,
                    "attempts": 3,
                },
                delay=delay,
                email=self.emails[step.id],
                window=self.window if delay else None,
            )
            if self.window is not None and not _in_window(event):
                self._note(
                    lambda words: words(
                        _(
                            "quiet hours for {step}: Mautic keeps 'send only between' hours "
                            "for delayed events, and this send follows entry or a contact's "
                            "action at once"
                        ),
                        step=step.id,
                    )
                )
            self.first.setdefault(step_id, event)
            inner = {**on_path, step_id: event}
            return [(after, event, "", timedelta(0), inner, frozenset())]
        if isinstance(step, BranchStep):
            return self._branch(step, parent, path, delay, on_path)
        return []  # an exit

    def _branch(
        self,
        step: BranchStep,
        parent: _Event | None,
        path: str,
        delay: timedelta,
        on_path: dict[str, _Event],
    ) -> list[_Frame]:
        condition = step.condition
        otherwise = step.otherwise or self._after(step.id) or step.then
        decision = DECISIONS.get(condition.event or "")
        if decision and parent is not None and parent.type == "email.send" and not path:
            event = self._add(
                parent,
                "",
                name=f"{step.id}: {condition.event}?",
                type=decision,
                event_type="decision",
                properties={"urls": {"list": []}} if decision == "email.click" else [],
            )
            given = delay or condition.within or timedelta(0)
            yes_delay, no_delay = timedelta(0), given
        else:
            event = self._add(
                parent,
                path,
                name=f"{step.id}: {_said(condition)}?",
                type="lead.field_value",
                event_type="condition",
                properties=self._field_test(step, condition),
                delay=delay,
                window=self.window if delay else None,
            )
            yes_delay = no_delay = timedelta(0)
        self.first.setdefault(step.id, event)
        inner = {**on_path, step.id: event}
        return [
            (step.then, event, "yes", yes_delay, inner, frozenset()),
            (otherwise, event, "no", no_delay, inner, frozenset()),
        ]

    def _field_test(self, step: BranchStep, condition: Condition) -> dict[str, Any]:
        if condition.event is not None:
            if condition.within is not None:
                self._note(
                    lambda words: words(
                        _(
                            "branch {step}: the window on {event} (the contact field {event} "
                            "is tested as set, whenever it was set)"
                        ),
                        step=step.id,
                        event=condition.event,
                    )
                )
            return {"field": condition.event, "operator": "!empty", "value": ""}
        value = condition.value
        shown: Any = (
            [str(v) for v in value]
            if isinstance(value, list)
            else ("" if value is None else _text(value))
        )
        return {"field": condition.attribute, "operator": OPERATORS[condition.op], "value": shown}


def _in_window(event: _Event | None) -> bool:
    """Whether an event goes out within the send window: delayed into it itself, or
    straight after an event that was (never after a decision: a contact acts any time)."""
    while event is not None:
        if event.window is not None:
            return True
        if (
            event.delay
            or event.event_type == "decision"
            or (event.path and (event.parent is not None and event.parent.event_type == "decision"))
        ):
            return False
        event = event.parent
    return False


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def _said(condition: Condition, words: Labels | None = None) -> str:
    """`trial_started`, `replay_watched within 5 days`, `plan eq pro`: a condition in a
    note or an event's name (English unless `words` says another locale)."""
    words = words or labels()
    if condition.event is not None:
        if condition.within:
            return words(
                _("{event} within {duration}"),
                event=condition.event,
                duration=words.duration(condition.within),
            )
        return condition.event
    return f"{condition.attribute} {condition.op} {condition.value}"


def _by_hand(condition: Condition, words: Labels) -> str:
    """The note on an exit condition other than unsubscribing."""
    return words(
        _("exit condition {condition}: remove those contacts by hand"),
        condition=_said(condition, words),
    )


def _fixed_wait(step: WaitStep, wait: timedelta, words: Labels) -> str:
    """The note on a wait in business days or until a time, which Mautic waits as `wait`."""
    if wait:
        return words(
            _(
                "wait {step} ({wait}): Mautic waits a fixed interval, here {interval} (it has "
                "no business days or holidays; set the day and time in Mautic)"
            ),
            step=step.id,
            wait=timing.words(step, words),
            interval=words.duration(wait),
        )
    return words(
        _(
            "wait {step} ({wait}): Mautic waits a fixed interval, here none (it has no "
            "business days or holidays; set the day and time in Mautic)"
        ),
        step=step.id,
        wait=timing.words(step, words),
    )


def _window(repo: Repository, sequence: Sequence) -> tuple[time, time] | None:
    """The hours a send may go out in: the end of quiet hours to their start."""
    hours, _action = timing.quiet_hours(repo, sequence)
    return (hours[1], hours[0]) if hours else None


def _event_json(event: _Event, sequence_id: str) -> dict[str, Any]:
    interval, unit = _interval(event.delay) if event.delay else (0, "")
    if event.event_type == "decision":
        mode = ""
    else:
        mode = "interval" if event.delay else "immediate"
        unit = unit or "d"
    start = stop = None
    if event.window is not None and mode == "interval":
        start, stop = (f"{t:%H:%M}:00" for t in event.window)
    return {
        "id": event.id,
        "campaign_id": 1,
        "name": event.name,
        "description": "",
        "type": event.type,
        "event_type": event.event_type,
        "event_order": event.depth,
        "properties": event.properties,
        "trigger_interval": interval,
        "trigger_interval_unit": unit,
        "trigger_mode": mode,
        "trigger_date": None,
        "triggerDate": None,
        "trigger_hour": None,
        "triggerRestrictedStartHour": start,
        "triggerRestrictedStopHour": stop,
        "triggerRestrictedDaysOfWeek": [],
        "triggerWindow": None,
        "decisionPath": event.path,
        "channel": "email" if event.email else "",
        "channel_id": event.email or 0,
        "parent_id": event.parent.id if event.parent else None,
        "uuid": _uuid(sequence_id, "event", str(event.id)),
    }


def _canvas(events: list[_Event]) -> dict[str, Any]:
    """Mautic's builder layout: the segment on top, each event below its parent, leaves
    side by side."""
    nodes: list[dict[str, Any]] = [{"id": "lists", "positionX": "350", "positionY": "50"}]
    connections = []
    column = 0
    xs: dict[int, int] = {}
    for event in _post_order(events):  # children first: a parent sits above their middle
        if event.children:
            x = (xs[event.children[0].id] + xs[event.children[-1].id]) // 2
        else:
            x, column = column, column + 300
        xs[event.id] = x
        nodes.append(
            {"id": event.id, "positionX": str(50 + x), "positionY": str(50 + 130 * event.depth)}
        )

    for event in events:
        if event.parent is None:
            connections.append(
                {"sourceId": "lists", "targetId": event.id, "anchors": _anchors("leadsource")}
            )
        for child in event.children:
            connections.append(
                {
                    "sourceId": event.id,
                    "targetId": child.id,
                    "anchors": _anchors(child.path or "bottom"),
                }
            )
    nodes[1:] = sorted(nodes[1:], key=lambda node: int(node["id"]))
    return {"nodes": nodes, "connections": connections}


def _post_order(events: list[_Event]) -> list[_Event]:
    """The events, each after its children (and the trees in order), without recursion."""
    order: list[_Event] = []
    stack = [(e, False) for e in reversed(events) if e.parent is None]
    while stack:
        event, done = stack.pop()
        if done:
            order.append(event)
            continue
        stack.append((event, True))
        stack += [(child, False) for child in reversed(event.children)]
    return order


def _anchors(source: str) -> dict[str, str]:
    return {"source": source, "target": "top"}


_LANG = re.compile(r"<html[^>]*\slang=\"([A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})?)\"")


def _email_json(
    sequence: Sequence, key: str, number: int, result: Compiled, sender: Any
) -> dict[str, Any]:
    lang = _LANG.search(result.html)
    from_name = None
    if sender is not None and "<" in sender.from_:
        from_name = sender.from_.split("<", 1)[0].strip().strip('"') or None
    return {
        "id": number,
        "translation_parent_id": None,
        "variant_parent_id": None,
        "unsubscribeform_id": None,
        "preference_center_id": None,
        "is_published": True,
        "name": f"{sequence.name}: {key}",
        "description": f"campc: {sequence.id}/{key}",
        "subject": result.subject,
        "preheader_text": result.preheader,
        "from_name": from_name,
        "use_owner_as_mailer": False,
        "template": "mautic_code_mode",
        "content": [],
        "utm_tags": {"utmSource": None, "utmMedium": None, "utmCampaign": None, "utmContent": None},
        "plain_text": result.text,
        "custom_html": result.html,
        "email_type": "template",
        "publish_up": None,
        "publish_down": None,
        "revision": 1,
        "lang": lang.group(1) if lang else "en",
        "variant_settings": [],
        "variant_start_date": None,
        "dynamic_content": [],
        "headers": [],
        "public_preview": False,
        "uuid": _uuid(sequence.id, "email", key),
    }


def campaign(
    repo: Repository,
    sequence: Sequence,
    sends: dict[str, tuple[Compiled, Any]],
    words: Labels | None = None,
) -> tuple[list[dict[str, Any]], list[str]]:
    """The import JSON of one sequence (its compiled emails by step id), the same in every
    locale, and what Mautic cannot carry, in `words`' locale (English by default)."""
    keys = [s.id for s in sequence.steps if isinstance(s, SendStep) and s.id in sends]
    numbers = {key: index + 1 for index, key in enumerate(keys)}
    walker = _Walker(sequence, numbers, _window(repo, sequence), words or labels())
    walker.walk(sequence.steps[0].id)
    for condition in sequence.exit:
        if condition.event != "unsubscribed":
            walker._note(functools.partial(_by_hand, condition))
    if walker.window is not None and timing.quiet_hours(repo, sequence)[1] == "skip":
        walker._note(
            lambda words: words(
                _("quiet hours skip a send: Mautic's send window holds it until the window opens")
            )
        )
    if sequence.frequency_cap is not None:
        walker._note(
            lambda words: words(
                _("the frequency cap: set Mautic's frequency rules (contact preferences)")
            )
        )
    if sequence.entry:
        walker._note(
            lambda words: words(_("entry conditions: give the segment filters that match them"))
        )
    trigger = sequence.trigger.event
    description = (
        f"Compiled by campc from the sequence {sequence.id}. Contacts enter when added to "
        f"the segment campc-{sequence.id} (on `{trigger}`)."
    )
    if walker.not_carried:
        description += " Not carried: " + "; ".join(walker.not_carried) + "."
    group = {
        "campaign": [
            {
                "id": 1,
                "name": sequence.name,
                "description": description,
                "is_published": False,
                "canvas_settings": _canvas(walker.events),
                "uuid": _uuid(sequence.id, "campaign"),
            }
        ],
        "campaign_event": [_event_json(e, sequence.id) for e in walker.events],
        "email": [
            _email_json(sequence, key, numbers[key], *sends[key])
            for key in keys
            if any(e.email == numbers[key] for e in walker.events)
        ],
        "lists": [
            {
                "id": 1,
                "name": f"{sequence.name} (campc)",
                "is_published": True,
                "description": f"Add contacts here when `{trigger}` happens: they enter "
                f"the campaign {sequence.name}.",
                "alias": f"campc-{sequence.id}",
                "public_name": sequence.name,
                "filters": [],
                "is_global": False,
                "is_preference_center": False,
                "uuid": _uuid(sequence.id, "segment"),
            }
        ],
        "dependencies": [
            {
                "campaign_event": [
                    {
                        "campaign": 1,
                        "campaign_event": e.id,
                        **({"email": e.email} if e.email else {}),
                    }
                    for e in walker.events
                ],
                "lists": [{"campaign": 1, "lists": 1}],
            }
        ],
    }
    return [group], walker.said


def _zip(data: bytes) -> bytes:
    """The ZIP Mautic's UI and console import: `entity_data.json`, stored (Mautic refuses
    entries compressed more than 10:1), with a fixed time, so the bytes never change."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        info = zipfile.ZipInfo("entity_data.json", date_time=(1980, 1, 1, 0, 0, 0))
        info.create_system = 3
        info.external_attr = 0o644 << 16
        archive.writestr(info, data)
    return out.getvalue()


def build(repo: Repository, context: BuildContext) -> list[Artifact]:
    """`vendors/mautic/<sequence>.zip`, `.json` and `.md` for every sequence, when the
    project compiles emails for Mautic."""
    if "mautic" not in repo.policy.email.esp:
        return []
    by_spec: dict[str, dict[str, tuple[Compiled, Any]]] = {}
    for send, result in compiled(repo, "mautic"):
        by_spec.setdefault(str(send.spec.path), {})[send.key] = (result, send.sender)
    artifacts = []
    for spec in repo.specs:
        sequence = spec.model if spec.kind == "sequence" else None
        if not isinstance(sequence, Sequence):
            continue
        words = labels(repo.policy.locale)
        document, not_carried = campaign(repo, sequence, by_spec.get(str(spec.path), {}), words)
        data = (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        owners = (sequence.id,)
        base = f"{FOLDER}/{sequence.id}"
        readme = _readme(sequence, not_carried, words)
        artifacts += [
            Artifact(f"{base}.json", data, owners),
            Artifact(f"{base}.zip", _zip(data), owners),
            Artifact(f"{base}.md", readme.encode("utf-8"), owners),
        ]
    return artifacts


_IMPORT = (
    _(
        "In Mautic: *Campaigns*, *Import*, and choose `{sequence}.zip`; or run "
        "`bin/console mautic:campaign:import --file={sequence}.zip`; or post "
        "`{sequence}.json` to the API's campaign import."
    ),
    _(
        "The campaign arrives unpublished, with its emails and the segment "
        "`campc-{sequence}` that contacts enter through (add them on {event}). Review it "
        "in the campaign builder, then publish it."
    ),
    _("Importing it again updates the same campaign (its UUIDs never change)."),
    _(
        "Branches on a contact event test a contact field of that name: have your "
        "integration set it when the event happens."
    ),
)
"""The README's steps to import the campaign, with the sequence's id and trigger event."""


def _readme(sequence: Sequence, not_carried: list[str], words: Labels) -> str:
    """How to import the campaign, and what it does not carry, in `words`' locale."""
    event = escape.markdown_code(sequence.trigger.event)
    lines = [
        words(_("# Mautic campaign: {name}"), name=escape.markdown(sequence.name)),
        "",
        words(
            _(
                "The sequence {name} as a Mautic 7 campaign, compiled by `campc build`; do not "
                "edit."
            ),
            name=escape.markdown_code(sequence.id),
        ),
        "",
        # the sequence id is a slug the model checked: as it is in the code spans
        *(f"- {words(step, sequence=sequence.id, event=event)}" for step in _IMPORT),
        "",
    ]
    if not_carried:
        lines += [words(_("## Not carried")), ""]
        lines += [f"- {escape.markdown(text)}" for text in not_carried]
        lines.append("")
    return "\n".join(lines)
