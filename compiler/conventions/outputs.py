"""Names the build gives its outputs that a spec's id must not take."""

from __future__ import annotations

ALL_CAMPAIGNS = "all"
"""The name of the calendar of every campaign (`calendar/all.ics`), beside each campaign's
own `calendar/<id>.ics`."""
RESERVED_IDS = {
    "campaign": {ALL_CAMPAIGNS: f"calendar/{ALL_CAMPAIGNS}.ics is the calendar of every campaign"}
}
"""Per kind, the ids whose artifacts would land on a file the build writes for the whole
repository (REF001 reports them at check time, so a build never meets two at one path)."""
