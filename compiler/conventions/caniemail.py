"""caniemail.com's support tables, as data shipped with campc: the npm package
`caniemail`'s `data/caniemail.json` (MIT licence, `LICENSE-caniemail` beside it),
vendored here and refreshed by `scripts/refresh_caniemail.py` (its date is the data's
`last_update_date`). A client is `family.platform` (`outlook.windows`, `gmail.android`);
its support of a feature is the result of the newest version tested: `y` supported,
`a` partly, `n` not, `u` unknown, with `#N` pointing at the feature's notes.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib.resources import files


@dataclass(frozen=True)
class Feature:
    """One tested feature."""

    slug: str
    title: str
    url: str
    tested: str
    """The date of caniemail's last test."""
    support: dict[str, str]
    """Client (`family.platform`) -> its newest result (`y`, `a`, `n`, `u`, with notes)."""
    notes: dict[str, str]
    """Note number -> caniemail's note (`#1` in a result)."""


@dataclass(frozen=True)
class Data:
    """caniemail's features, by slug, and the names of its clients."""

    updated: str
    features: dict[str, Feature]
    clients: dict[str, str]
    """`family.platform` -> `Outlook Windows`."""


@functools.cache
def data() -> Data:
    """The vendored data, read once."""
    raw = json.loads((files("compiler.conventions") / "caniemail.json").read_text("utf-8"))
    families, platforms = raw["nicenames"]["family"], raw["nicenames"]["platform"]
    features: dict[str, Feature] = {}
    clients: dict[str, str] = {}
    for item in raw["data"]:
        support: dict[str, str] = {}
        for family, by_platform in item["stats"].items():
            for platform, versions in by_platform.items():
                if not versions:
                    continue
                client = f"{family}.{platform}"
                support[client] = str(list(versions.values())[-1])
                clients[client] = (
                    f"{families.get(family, family)} {platforms.get(platform, platform)}"
                )
        notes = {str(k): str(v) for k, v in (item.get("notes_by_num") or {}).items()}
        features[item["slug"]] = Feature(
            item["slug"], item["title"], item["url"], item["last_test_date"], support, notes
        )
    return Data(str(raw["last_update_date"])[:10], features, dict(sorted(clients.items())))
