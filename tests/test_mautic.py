"""Sequences as Mautic campaigns (`outputs/vendors/mautic/`).

No Mautic runs here (a PHP application with a database), so every file is held to what
Mautic's importer reads and requires, from its source (`CampaignImportExportSubscriber`,
`EntityImportCommand`, `ImportHelper` in mautic/mautic, 7.0): a list of groups with
`campaign` and `dependencies`; every event tied to its campaign (and its email) in
`dependencies.campaign_event` with integer ids; parents before children, a `yes` or
`no` path under each decision and condition; version 4 UUIDs; the builder's nodes and
connections; a ZIP holding `entity_data.json` alone, compressed at most 10:1. The event
trees of crafted sequences are golden files.
"""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any

import pytest

from compiler.backends import mautic
from compiler.config.policy import CalendarPolicy, Policy
from compiler.email.esp import Compiled
from compiler.model.sequence import SendStep, Sequence
from tests.conftest import ROOT, assert_golden, sequence_of

GOLDEN = ROOT / "tests" / "golden" / "mautic"
EXAMPLE = ROOT / "outputs" / "vendors" / "mautic"


@dataclass
class _Repo:
    policy: Policy = field(default_factory=Policy)


def importable(document: Any) -> None:
    """Fail unless `document` is what Mautic's campaign importer takes."""
    assert isinstance(document, list)
    assert document
    for group in document:
        assert {"campaign", "dependencies"} <= set(group), "Missing required keys."
        [campaign] = group["campaign"]
        assert campaign["is_published"] is False
        events = group["campaign_event"]
        emails = {e["id"]: e for e in group.get("email", [])}
        ids = [e["id"] for e in events]
        assert ids == list(range(1, len(ids) + 1))
        [deps] = group["dependencies"]
        tied = {
            (d["campaign"], d["campaign_event"]): d.get("email") for d in deps["campaign_event"]
        }
        uuids = [
            campaign["uuid"],
            *(e["uuid"] for e in events),
            *(m["uuid"] for m in emails.values()),
        ]
        for value in uuids:
            assert uuid.UUID(value).version == 4
        assert len(set(uuids)) == len(uuids)
        by_id = {e["id"]: e for e in events}
        for event in events:
            assert (campaign["id"], event["id"]) in tied, "every event needs its dependency"
            assert all(isinstance(v, int) for v in (event["id"], event["campaign_id"]))
            parent = by_id.get(event["parent_id"]) if event["parent_id"] else None
            if event["parent_id"]:
                assert event["parent_id"] < event["id"]
                assert parent is not None
            assert event["event_order"] == (parent["event_order"] + 1 if parent else 1)
            branching = parent is not None and parent["event_type"] in ("decision", "condition")
            assert event["decisionPath"] in (("yes", "no") if branching else ("",))
            assert event["event_type"] in ("action", "decision", "condition")
            if event["event_type"] == "decision":
                assert parent is not None
                assert parent["type"] == "email.send"
                assert event["trigger_mode"] == ""
            else:
                assert event["trigger_mode"] in ("immediate", "interval")
                assert event["trigger_interval_unit"] in ("i", "h", "d")
            for hour in ("triggerRestrictedStartHour", "triggerRestrictedStopHour"):
                assert event[hour] is None or time.fromisoformat(event[hour])
            if event["type"] == "email.send":
                email = event["properties"]["email"]
                assert email == event["channel_id"] == tied[(campaign["id"], event["id"])]
                assert email in emails
                assert emails[email]["custom_html"]
                assert emails[email]["subject"]
            if event["type"] == "campaign.jump_to_event":
                assert event["properties"]["jumpToEvent"] in by_id
        canvas = campaign["canvas_settings"]
        nodes = [n["id"] for n in canvas["nodes"]]
        assert nodes == ["lists", *ids]
        for connection in canvas["connections"]:
            assert connection["sourceId"] in nodes
            assert connection["targetId"] in nodes
            assert connection["anchors"]["source"] in ("leadsource", "bottom", "yes", "no")


def _archive(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        [info] = archive.infolist()
        assert info.filename == "entity_data.json"
        assert info.compress_type == zipfile.ZIP_STORED
        assert info.file_size <= 10 * max(info.compress_size, 1)
        return archive.read(info)


@pytest.mark.parametrize(
    "name", ["newsletter-welcome", "trial-onboarding-nurture", "webinar-follow-up"]
)
def test_the_example_s_campaigns_are_importable(name: str) -> None:
    data = (EXAMPLE / f"{name}.json").read_bytes()
    document = json.loads(data)
    importable(document)
    assert _archive((EXAMPLE / f"{name}.zip").read_bytes()) == data
    [group] = document
    for email in group["email"]:  # the Mautic templates: tokens, never Jinja
        assert "{unsubscribe_url}" in email["custom_html"]
        assert "{{" not in email["custom_html"] + email["plain_text"] + email["subject"]


def _compiled(sequence: Sequence) -> dict[str, tuple[Compiled, Any]]:
    return {
        step.id: (
            Compiled(
                html=f'<html lang="de"><body>{step.id} {{unsubscribe_url}}</body></html>',
                text=f"{step.id}\n",
                subject=f"About {step.id}",
            ),
            None,
        )
        for step in sequence.steps
        if isinstance(step, SendStep)
    }


def _send(step_id: str, **fields: Any) -> dict[str, Any]:
    email = {"template": "t.html", "subject": step_id}
    return {"id": step_id, "type": "send", "email": email, **fields}


SEQUENCES: dict[str, list[dict[str, Any]]] = {
    # a decision on the email, a merge written on both arms, an attribute condition
    "decision-and-merge": [
        _send("welcome"),
        {"id": "wait-90m", "type": "wait", "duration": "1h30m"},
        {
            "id": "clicked",
            "type": "branch",
            "condition": {"event": "email_clicked", "within": "3d"},
            "then": "thanks",
            "else": "reminder",
        },
        _send("thanks", next="wait-6h"),
        _send("reminder", next="wait-6h"),
        {"id": "wait-6h", "type": "wait", "duration": "6h"},
        {
            "id": "big",
            "type": "branch",
            "condition": {"attribute": "company_size", "op": "gte", "value": 200},
            "then": "sales",
            "else": "done",
        },
        _send("sales"),
        {"id": "done", "type": "exit"},
    ],
    # a loop back to an earlier send, and a goal
    "loop": [
        _send("nudge"),
        {"id": "wait-2d", "type": "wait", "duration": "2d"},
        {
            "id": "active",
            "type": "branch",
            "condition": {"event": "logged_in", "within": "2d"},
            "then": "won",
            "else": "nudge",
        },
        {"id": "won", "type": "goal", "condition": {"event": "logged_in"}},
        {"id": "end", "type": "exit"},
    ],
}


@pytest.mark.parametrize("name", sorted(SEQUENCES))
def test_crafted_sequences_become_these_campaigns(name: str) -> None:
    sequence = sequence_of(SEQUENCES[name], quiet_hours={"start": "21:00", "end": "07:30"})
    document, not_carried = mautic.campaign(_Repo(), sequence, _compiled(sequence))  # type: ignore[arg-type]
    importable(document)
    text = json.dumps({"campaign": document, "not_carried": not_carried}, indent=2) + "\n"
    assert_golden(GOLDEN / f"{name}.json", text)


def test_the_walk_writes_what_each_step_means() -> None:
    sequence = sequence_of(SEQUENCES["decision-and-merge"])
    [group], _ = mautic.campaign(_Repo(), sequence, _compiled(sequence))  # type: ignore[arg-type]
    events = {e["name"]: e for e in group["campaign_event"]}
    decision = events["clicked: email_clicked?"]
    assert decision["type"] == "email.click"
    sends = [e for e in group["campaign_event"] if e["type"] == "email.send"]
    thanks, reminder = (
        next(e for e in sends if e["name"] == f"Send {k}") for k in ("thanks", "reminder")
    )
    assert thanks["decisionPath"] == "yes"
    assert thanks["trigger_mode"] == "immediate"  # when the contact clicks
    assert (reminder["trigger_interval"], reminder["trigger_interval_unit"]) == (90, "i")
    conditions = [e for e in group["campaign_event"] if e["type"] == "lead.field_value"]
    assert len(conditions) == 2  # the merged steps, once per arm
    assert {(c["trigger_interval"], c["trigger_interval_unit"]) for c in conditions} == {(6, "h")}
    assert conditions[0]["properties"] == {
        "field": "company_size",
        "operator": "gte",
        "value": "200",
    }
    assert [e["lang"] for e in group["email"]] == ["de"] * 4


def test_quiet_hours_are_the_send_window_of_delayed_events() -> None:
    sequence = sequence_of(SEQUENCES["loop"])
    repo = _Repo(Policy(calendar=CalendarPolicy.model_validate({"quiet-hours": "20:00-08:00"})))
    [group], not_carried = mautic.campaign(repo, sequence, _compiled(sequence))  # type: ignore[arg-type]
    delayed = [e for e in group["campaign_event"] if e["trigger_mode"] == "interval"]
    assert delayed
    assert {(e["triggerRestrictedStartHour"], e["triggerRestrictedStopHour"]) for e in delayed} == {
        ("08:00:00", "20:00:00")
    }
    jump = next(e for e in group["campaign_event"] if e["type"] == "campaign.jump_to_event")
    assert jump["properties"] == {"jumpToEvent": 1}
    assert any("goal won" in text for text in not_carried)
    assert any("quiet hours for nudge" in text for text in not_carried)


def test_the_files_never_change_from_build_to_build() -> None:
    sequence = sequence_of(SEQUENCES["loop"])
    first = mautic.campaign(_Repo(), sequence, _compiled(sequence))  # type: ignore[arg-type]
    second = mautic.campaign(_Repo(), sequence, _compiled(sequence))  # type: ignore[arg-type]
    assert json.dumps(first) == json.dumps(second)
    data = json.dumps(first[0]).encode()
    assert mautic._zip(data) == mautic._zip(data)
    assert _archive(mautic._zip(data)) == data


def test_a_build_without_mautic_writes_no_campaigns(tmp_path: Path) -> None:
    from compiler.backends.artifacts import BuildContext

    assert mautic.build(_Repo(), BuildContext()) == []  # type: ignore[arg-type]
