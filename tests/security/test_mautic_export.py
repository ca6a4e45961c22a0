"""A sequence cannot make the Mautic export explode or carry more than its data.

A campaign is a tree, so steps two paths share are copied onto each: twenty branches in
a row whose arms meet again would be a million events. Past `MAX_EVENTS` a shared step
is a jump to its first copy instead, so the file stays small and the walk quick. Spec
text travels as JSON strings (Mautic strips tags from names on import), never as keys.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from compiler.backends import mautic
from tests.conftest import sequence_of
from tests.test_mautic import _compiled, _Repo, _send, importable


def test_branches_whose_arms_meet_again_stay_a_small_campaign() -> None:
    steps: list[dict[str, Any]] = []
    for index in range(20):
        steps += [
            {
                "id": f"b{index}",
                "type": "branch",
                "condition": {"attribute": "plan", "op": "eq", "value": "pro"},
                "then": f"yes{index}",
                "else": f"no{index}",
            },
            _send(f"yes{index}", next=f"b{index + 1}" if index < 19 else "end"),
            _send(f"no{index}", next=f"b{index + 1}" if index < 19 else "end"),
        ]
    steps.append({"id": "end", "type": "exit"})
    sequence = sequence_of(steps)
    document, _ = mautic.campaign(_Repo(), sequence, _compiled(sequence))  # type: ignore[arg-type]
    importable(document)
    events = document[0]["campaign_event"]
    assert len(events) < mautic.MAX_EVENTS + 100
    assert any(e["type"] == "campaign.jump_to_event" for e in events)


def test_spec_text_stays_inside_json_strings() -> None:
    hostile = '"}], "campaign": [{"id": 2}], "x": "<script>alert(1)</script>'
    sequence = sequence_of([_send("welcome")], name=hostile)
    document, _ = mautic.campaign(_Repo(), sequence, _compiled(sequence))  # type: ignore[arg-type]
    data = json.dumps(document, ensure_ascii=False)
    [group] = json.loads(data)
    assert group["campaign"][0]["name"] == hostile
    assert len(group["campaign"]) == 1
    importable(json.loads(data))


def test_a_long_chain_of_steps_is_walked_without_recursion() -> None:
    steps: list[dict[str, Any]] = []
    for index in range(499):
        steps.append(
            _send(f"s{index}")
            if index % 2
            else {"id": f"w{index}", "type": "wait", "duration": "1d"}
        )
    sequence = sequence_of(steps)
    emails = _compiled(sequence)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(150)  # a walk that recursed once per step would fail here
    try:
        document, _ = mautic.campaign(_Repo(), sequence, emails)  # type: ignore[arg-type]
    finally:
        sys.setrecursionlimit(limit)
    importable(document)
    assert len(document[0]["campaign_event"]) == 249
