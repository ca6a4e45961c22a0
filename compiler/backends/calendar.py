"""Calendar back-end: `calendar/all.ics`, one `.ics` per campaign, and a Markdown overview."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from icalendar import Calendar, vRecur, vText
from icalendar import Event as VEvent

from compiler.analysis.schedule import Event, events, occurrences
from compiler.backends.artifacts import Artifact, BuildContext, Revision
from compiler.backends.vtimezone import vtimezone
from compiler.conventions.outputs import ALL_CAMPAIGNS
from compiler.errors import InternalError
from compiler.model.campaign import Campaign, Repeat
from compiler.project.repository import Repository
from compiler.text import escape
from compiler.text.labels import Labels, _, labels

PRODID = "-//campaign-compiler//campc//EN"


def build(repo: Repository, context: BuildContext) -> list[Artifact]:
    """All events in one calendar, each campaign's in its own, and calendar/README.md."""
    return assemble(repo, context, vevents(repo, context))


Fragments = dict[str, list[str]]
"""Spec path -> the VEVENT text of each event the spec makes, in calendar order."""


def vevents(repo: Repository, context: BuildContext) -> Fragments:
    """Each spec's events as iCalendar text, folded: the costly part, done once per event
    (and, in a build with a cache, only for specs that changed)."""
    found: Fragments = {}
    for event in events(repo):
        text = _vevent(event, repo, context).to_ical().decode("utf-8")
        found.setdefault(event.spec.path, []).append(text)
    return found


def assemble(repo: Repository, context: BuildContext, fragments: Fragments) -> list[Artifact]:
    """The calendars and the overview, from every event and its VEVENT text."""
    everything = events(repo)
    text: dict[int, bytes] = {}
    left = {path: iter(texts) for path, texts in fragments.items()}
    previous = dict(context.revisions)
    kept: list[tuple[str, Revision]] = []
    for event in everything:
        block = next(left.get(event.spec.path, iter(())), None)
        if block is None:
            raise InternalError(f"calendar: no VEVENT for {event.key} of {event.spec.path}")
        uid = f"{event.spec_id}/{event.key}@{context.uid_domain}"
        written, revision = revise(block, previous.get(uid))
        text[id(event)] = written.encode("utf-8")
        kept.append((_uid(block), revision))
    if any(next(rest, None) is not None for rest in left.values()):
        raise InternalError("calendar: more VEVENTs than events")
    artifacts = [
        Artifact(
            f"calendar/{ALL_CAMPAIGNS}.ics",
            _ics(labels(repo.policy.locale)(_("All campaigns")), everything, text),
            tuple(sorted({s for e in everything for s in e.sources})),
            revisions=tuple(sorted(kept, key=lambda item: item[0])),
        )
    ]
    by_campaign: dict[str, list[Event]] = {}
    for event in everything:
        for campaign in dict.fromkeys(event.campaigns):
            by_campaign.setdefault(campaign, []).append(event)
    for spec in repo.specs:
        if not isinstance(spec.model, Campaign):
            continue
        mine = by_campaign.get(spec.model.id, [])
        artifacts.append(
            Artifact(
                f"calendar/{spec.model.id}.ics",
                _ics(spec.model.name, mine, text),
                tuple(sorted({s for e in mine for s in e.sources})),
            )
        )
    artifacts.append(
        Artifact(
            "calendar/README.md",
            overview(everything, labels(repo.policy.locale)).encode("utf-8"),
            tuple(sorted({s for e in everything for s in e.sources})),
        )
    )
    return artifacts


_VOLATILE = ("SEQUENCE:", "LAST-MODIFIED:", "DTSTAMP:")
"""The lines of a VEVENT that say which revision it is and when it was written, not what
it is (DTSTAMP follows SOURCE_DATE_EPOCH)."""


def content_digest(block: str) -> str:
    """The digest of what a VEVENT says: its text without the `_VOLATILE` lines."""
    kept = [line for line in block.split("\r\n") if not line.startswith(_VOLATILE)]
    return hashlib.sha256("\r\n".join(kept).encode("utf-8")).hexdigest()


def revised(block: str, previous: Revision | None) -> str:
    """`block` with the SEQUENCE its previous revision calls for: the same one when its
    content is the same, one more (and LAST-MODIFIED, the build's DTSTAMP: the spec's
    day or SOURCE_DATE_EPOCH, never the clock) when it changed; none for a new event
    (RFC 5545: SEQUENCE 0). A client that subscribed shows a higher SEQUENCE as the
    update of the event it has."""
    return revise(block, previous)[0]


def revise(block: str, previous: Revision | None) -> tuple[str, Revision]:
    """`revised(block, previous)`, and the revision it is: what `revisions_of` reads
    back from that text (the manifest takes it from here instead of parsing the
    calendar again; a test holds the two the same)."""
    digest = content_digest(block)
    if previous is None:
        return block, Revision(0, digest, "")
    if previous.digest == digest:
        sequence, modified = previous.sequence, previous.last_modified
    else:
        sequence = previous.sequence + 1
        stamp = re.search(r"\r\nDTSTAMP:(\d{8}T\d{6}Z)\r\n", block)
        modified = stamp.group(1) if stamp else previous.last_modified
    if sequence == 0:
        return block, Revision(0, digest, "")
    added = f"SEQUENCE:{sequence}\r\n" + (f"LAST-MODIFIED:{modified}\r\n" if modified else "")
    end = block.rindex("END:VEVENT\r\n")
    shown = modified if re.fullmatch(r"\d{8}T\d{6}Z", modified or "") else ""
    return block[:end] + added + block[end:], Revision(sequence, digest, shown)


def _uid(block: str) -> str:
    """A VEVENT's UID, from its unfolded `UID:` line."""
    found = re.search(r"^UID:(.*)$", block.replace("\r\n ", ""), flags=re.MULTILINE)
    if found is None:
        raise InternalError("calendar: a VEVENT without a UID")
    return found.group(1).rstrip("\r")


def revisions_of(ics: bytes) -> list[tuple[str, Revision]]:
    """Each VEVENT of a calendar campc wrote, by UID: its SEQUENCE, content digest and
    LAST-MODIFIED (what the manifest records for the next build)."""
    text = ics.decode("utf-8")
    found = []
    for block in re.findall(r"BEGIN:VEVENT\r\n.*?END:VEVENT\r\n", text, flags=re.DOTALL):
        unfolded = block.replace("\r\n ", "")
        sequence = re.search(r"^SEQUENCE:(\d+)\r$", unfolded, flags=re.MULTILINE)
        modified = re.search(r"^LAST-MODIFIED:(\d{8}T\d{6}Z)\r$", unfolded, flags=re.MULTILINE)
        found.append(
            (
                _uid(block),
                Revision(
                    int(sequence.group(1)) if sequence else 0,
                    content_digest(block),
                    modified.group(1) if modified else "",
                ),
            )
        )
    return sorted(found)


def _stamp(event: Event, context: BuildContext) -> datetime:
    """DTSTAMP: SOURCE_DATE_EPOCH if set, else midnight UTC of the spec's first day."""
    if context.source_date_epoch is not None:
        return datetime.fromtimestamp(context.source_date_epoch, UTC)
    model = event.spec.model
    first = getattr(getattr(model, "window", None), "start", None) or getattr(model, "start", None)
    if not isinstance(first, date):
        first = event.start if isinstance(event.start, date) else date(1970, 1, 1)
    day = first.date() if isinstance(first, datetime) else first
    return datetime.combine(day, time(0), UTC)


def _rrule(repeat: Repeat, start: datetime) -> vRecur:
    rule: dict[str, object] = {"FREQ": repeat.frequency.upper()}
    if repeat.interval != 1:
        rule["INTERVAL"] = repeat.interval
    if repeat.weekdays:
        days = [f"{repeat.position}{d}" if repeat.position else d for d in repeat.weekdays]
        rule["BYDAY"] = days
    if repeat.count is not None:
        rule["COUNT"] = repeat.count
    if repeat.until is not None:
        last = datetime.combine(repeat.until, time(23, 59, 59), start.tzinfo)
        rule["UNTIL"] = last.astimezone(UTC)
    return vRecur(rule)


def _vevent(event: Event, repo: Repository, context: BuildContext) -> VEvent:
    spec = event.spec
    model = spec.model
    vevent = VEvent()
    vevent.add("uid", f"{event.spec_id}/{event.key}@{context.uid_domain}")
    vevent.add("dtstamp", _stamp(event, context))
    vevent.add("dtstart", event.start)
    if event.end is not None:
        vevent.add("dtend", event.end)
    if event.repeat is not None and isinstance(event.start, datetime):
        vevent.add("rrule", _rrule(event.repeat, event.start))
    words = labels(repo.policy.locale)
    vevent.add("summary", event.summary_in(words))
    source = repo.display(repo.root / spec.rel)
    lines = [
        words(_("Owner: {owner}"), owner=spec.doc.data["owner"]),
        words(_("Spec: {path}"), path=source),
    ]
    if event.audience:
        lines.append(words(_("Audience: {audience}"), audience=event.audience))
    if event.sequence is not None:
        lines.append(
            words(
                _(
                    "Sequence: {sequence}, expected to reach {share} of the cohort here (from "
                    "its branch rates; `campc simulate {sequence}` for the paths)"
                ),
                sequence=event.sequence.id,
                share=words.percent(event.share, 1),
            )
        )
    description = getattr(model, "description", None)
    if description:
        lines += ["", description.strip()]
    vevent.add("description", "\n".join(lines))
    categories = [str(spec.doc.data["domain"]), event.kind]
    if event.channel:
        categories.append(event.channel)
    vevent.add("categories", categories)
    vevent.add("transp", "TRANSPARENT" if event.kind in ("window", "experiment") else "OPAQUE")
    return vevent


def _ics(name: str, chosen: Sequence[Event], text: dict[int, bytes]) -> bytes:
    """One calendar: its properties, the time zones its events use, then each event's
    text as `vevents` made it (what icalendar writes for the whole calendar, byte for
    byte: every component ends its own lines)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", vText(name))  # an X- property is not escaped unless typed
    head = bytes(calendar.to_ical())
    end = b"END:VCALENDAR\r\n"
    if not head.endswith(end):
        raise InternalError("calendar: icalendar no longer ends a calendar as expected")
    zones = sorted({e.timezone for e in chosen if e.timezone})
    years = _years(chosen)
    parts = [head[: -len(end)]]
    parts += [_zone(zone, years[0] - 1, years[1]) for zone in zones]
    parts += [text[id(event)] for event in chosen]
    return b"".join([*parts, end])


@lru_cache(maxsize=256)
def _zone(tzid: str, first_year: int, last_year: int) -> bytes:
    return bytes(vtimezone(tzid, first_year, last_year).to_ical())


def _years(chosen: Iterable[Event]) -> tuple[int, int]:
    years = [e.start.year for e in chosen]
    for event in chosen:
        if event.repeat is not None and event.repeat.until is not None:
            years.append(event.repeat.until.year)
        elif event.repeat is not None and event.repeat.count is not None:
            years.append(event.start.year + event.repeat.count * event.repeat.interval // 12 + 1)
    if not years:
        return (1970, 1970)
    return (min(years), max(years))


_NOT_IN_GANTT = {"send", "sequence-send"}
"""Sends are listed in the monthly tables; the chart keeps to windows and milestones."""


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def _sort_key(value: date | datetime) -> str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")
    return value.isoformat() + "T00:00"


def overview(everything: Sequence[Event], words: Labels | None = None) -> str:
    """The quarter(s) as a Mermaid Gantt chart and one table per month."""
    words = words or labels()
    lines = [
        words(_("# Calendar")),
        "",
        words(_("Generated by `campc build` from the specs; do not edit.")),
        "",
    ]
    if not everything:
        return "\n".join([*lines, words(_("No dated events.")), ""])
    said: dict[int, str] = {}

    def summary_of(event: Event) -> str:  # once per event, not once per occurrence
        found = said.get(id(event))
        if found is None:
            found = said[id(event)] = event.summary_in(words)
        return found

    quarters = sorted(
        {(_day(e.start).year, (_day(e.start).month - 1) // 3 + 1) for e in everything}
    )
    for year, quarter in quarters:
        lines += [f"## {year}-Q{quarter}", "", "```mermaid", "gantt"]
        lines += [
            f"    title {year}-Q{quarter}",
            "    dateFormat YYYY-MM-DD",
            "    axisFormat %d %b",
        ]
        by_domain: dict[str, list[Event]] = {}
        for e in everything:
            if (_day(e.start).year, (_day(e.start).month - 1) // 3 + 1) == (year, quarter):
                by_domain.setdefault(str(e.spec.doc.data["domain"]), []).append(e)
        for domain in sorted(by_domain):
            lines.append(f"    section {escape.mermaid(domain)}")
            for event in by_domain[domain]:
                if event.kind in _NOT_IN_GANTT:
                    continue
                task = f"{event.spec_id}-{event.key}".replace("/", "-")
                name = escape.mermaid(summary_of(event))
                start = _day(event.start)
                if event.kind in ("window", "experiment"):
                    end = _day(event.end) if event.end else start + timedelta(days=1)
                    lines.append(f"    {name} :{task}, {start.isoformat()}, {end.isoformat()}")
                else:
                    lines.append(f"    {name} :milestone, {task}, {start.isoformat()}, 0d")
        lines += ["```", ""]
    rows = sorted(
        ((start, event) for event in everything for start in occurrences(event)),
        key=lambda row: (_sort_key(row[0]), row[1].spec_id, row[1].key),
    )
    months: dict[tuple[int, int], list[tuple[date | datetime, Event]]] = {}
    for start, event in rows:
        months.setdefault((_day(start).year, _day(start).month), []).append((start, event))
    for year, month in sorted(months):
        lines += [f"### {words.month(date(year, month, 1))}", ""]
        lines += [words(_("| date | time | event | spec |")), "|---|---|---|---|"]
        for start, event in months[(year, month)]:
            when = (
                f"{start:%H:%M} {start.tzname() or ''}".rstrip()
                if isinstance(start, datetime)
                else words(_("all day"))
            )
            summary = escape.markdown(summary_of(event))
            spec = escape.markdown_code(event.spec_id)
            lines.append(f"| {_day(start).isoformat()} | {when} | {summary} | {spec} |")
        lines.append("")
    return "\n".join(lines)
