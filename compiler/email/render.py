"""Emails: each send rendered once per run in the sandbox, links tagged with UTM
parameters, CSS inlined, a plain-text part derived from the HTML, and a MIME message a
mail client opens.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from compiler.analysis.schedule import events, occurrences
from compiler.diagnostics import Loc
from compiler.email.templates import closure
from compiler.model.campaign import Campaign
from compiler.model.experiment import Experiment
from compiler.model.sequence import SendStep, Sequence
from compiler.project.facts import Fact

if TYPE_CHECKING:
    from compiler.model.common import Email, Sender, Variable
    from compiler.project.repository import Repository, SpecFile

from compiler.email.html import inline_css, to_text, with_preheader
from compiler.email.links import rewrite_links, scan, tag_text_links, with_utm
from compiler.email.mime import Headers, header_problem, message
from compiler.email.sandbox import (
    TemplateProblem,
    render,
    render_text,
)
from compiler.email.templates import environment_of

FALLBACK_DATE = datetime(2000, 1, 1, tzinfo=UTC)
"""The Date of an email with no time of its own (a sequence no campaign's cohort enters)
when SOURCE_DATE_EPOCH is unset: a fixed date, never the clock, so builds stay identical."""


@dataclass(frozen=True)
class Send:
    """One email a spec sends: a campaign's scheduled send or a sequence's send step."""

    spec: SpecFile
    key: str
    """The send's or step's id (the output's file name, `utm_content`)."""
    email: Email
    loc: Loc
    """Where the email is written in the spec."""
    sender: Sender | None
    variables: dict[str, Variable]
    """The spec's variables and the send's own (which win)."""
    utm: dict[str, str]
    locale: str | None = None
    """The send's `locale`: the templates' `lang`."""
    declared: dict[str, Loc] = field(default_factory=dict)
    """Where each of `variables` is declared in the spec."""
    occurrence: date | None = None
    """For one occurrence of a recurring send with its own samples: its date (the key is
    `<send>--<date>`; the send, its ESP templates and its UTM tags are the send's)."""
    variant: str | None = None
    """For an experiment's variant of a send (its own subject or preheader): the variant's
    id. The send is the experiment's spec's (`<send>--<variant>`), `loc` the variant."""
    base: tuple[str, str] | None = None
    """For an occurrence or a variant: the spec id and key of the send it derives from."""

    @property
    def derived(self) -> bool:
        """Whether the send is an occurrence or a variant of another (whose spec declares
        its variables, sender and preheader: the rules on those read that one)."""
        return self.base is not None

    def declared_at(self, name: str) -> Loc:
        """Where the variable `name` is declared: the send's own, else the spec's."""
        return self.declared.get(name, ("variables", name))


@dataclass
class Rendered:
    """A send rendered (or the problems that stopped it)."""

    send: Send
    subject: str = ""
    preheader: str | None = None
    raw_html: str = ""
    """The template's output, before UTM tags and CSS inlining."""
    raw_text: str | None = None
    """The hand-written text template's output (before UTM tags), if the email has one."""
    links: list[str] = field(default_factory=list)
    """Every link target the template wrote (before UTM tags), in order."""
    images: list[dict[str, str | None]] = field(default_factory=list)
    """Every `<img>`'s attributes, in order."""
    size: int = 0
    """Bytes of the HTML as sent (preheader added, CSS inlined): Gmail clips past 102 KB."""
    html: str = ""
    text: str = ""
    problems: list[TemplateProblem] = field(default_factory=list)


def sends(repo: Repository) -> list[Send]:
    """Every email of the repository, by spec path and then in spec order."""

    defaults = repo.conventions.utm.defaults
    found = []
    for spec in repo.specs:
        model = spec.model
        if isinstance(model, Campaign):
            utm = model.utm
            for index, send in enumerate(model.sends):
                if send.email is None:
                    continue
                tags = {
                    "utm_source": utm.source if utm else defaults.campaign_source,
                    "utm_medium": utm.medium if utm else defaults.medium,
                    "utm_campaign": (utm.campaign if utm else None) or model.id,
                    "utm_content": send.id,
                }
                base = _send(spec, model, send, ("sends", index), tags)
                found.append(base)
                found.extend(_occurrences(base, send.occurrences, index))
        elif isinstance(model, Sequence):
            for index, step in enumerate(model.steps):
                if not isinstance(step, SendStep):
                    continue
                tags = {
                    "utm_source": defaults.sequence_source,
                    "utm_medium": defaults.medium,
                    "utm_campaign": model.id,
                    "utm_content": step.id,
                }
                found.append(_send(spec, model, step, ("steps", index), tags))
    found.extend(list(_variants(repo, found)))
    return found


def _send(spec: SpecFile, model: Any, item: Any, at: Loc, tags: dict[str, str]) -> Send:
    """The email of a campaign's send or a sequence's send step (`item`, at `at`)."""
    assert item.email is not None
    return Send(
        spec,
        item.id,
        item.email,
        (*at, "email"),
        item.email.sender or model.sender,
        {**model.variables, **item.variables},
        tags,
        item.locale,
        {name: (*at, "variables", name) for name in item.variables},
    )


def _occurrences(base: Send, occurrences: dict[date, dict[str, Any]], index: int) -> Iterator[Send]:
    """One send per occurrence with samples of its own (those of undeclared variables
    left out: CAL008 reports them)."""
    for day, samples in sorted(occurrences.items()):
        variables = dict(base.variables)
        declared = dict(base.declared)
        for name, sample in samples.items():
            if name in variables:
                variables[name] = variables[name].model_copy(update={"sample": sample})
                declared[name] = ("sends", index, "occurrences", day.isoformat(), name)
        yield replace(
            base,
            key=f"{base.key}--{day.isoformat()}",
            variables=variables,
            declared=declared,
            occurrence=day,
            base=(str(base.spec.doc.data["id"]), base.key),
        )


def _variants(repo: Repository, found: list[Send]) -> Iterator[Send]:
    """One send per experiment variant with a subject or preheader of its own, in the
    experiment's spec (REF002 reports a `send` that names no email)."""
    by_ref = {f"{s.spec.doc.data['id']}/{s.key}": s for s in found if not s.derived}
    for spec in repo.specs:
        model = spec.model
        if not isinstance(model, Experiment) or model.send not in by_ref:
            continue
        base = by_ref[str(model.send)]
        for index, variant in enumerate(model.variants):
            own = {"subject": variant.subject, "preheader": variant.preheader}
            if not any(own.values()):
                continue
            email = base.email.model_copy(update={k: v for k, v in own.items() if v})
            yield replace(
                base,
                spec=spec,
                key=f"{base.key}--{variant.id}",
                email=email,
                loc=("variants", index),
                variant=variant.id,
                base=(str(base.spec.doc.data["id"]), base.key),
            )


def sends_by_spec(repo: Repository) -> list[list[Send]]:
    """Every email of the repository, grouped by the spec that sends it (an occurrence or
    a variant with the spec of its send, which declares its variables)."""
    everything = sends(repo)
    paths = {str(s.spec.doc.data["id"]): s.spec.path for s in everything if not s.derived}
    found: dict[str, list[Send]] = {}
    for send in everything:
        path = paths.get(send.base[0], send.spec.path) if send.base else send.spec.path
        found.setdefault(path, []).append(send)
    return list(found.values())


RENDERED: Fact[list[Rendered]] = Fact("emails rendered")
"""Every send's template output (what the rules read)."""
FINISHED: Fact[list[Rendered]] = Fact("emails finished")
"""The same sends with links tagged, CSS inlined and the text part made (the build's)."""
DATES: Fact[dict[tuple[str, str], datetime]] = Fact("email dates")
TEXT_VARIABLES: Fact[dict[str, set[str]]] = Fact("variables of subjects and preheaders")


def rendered(repo: Repository, full: bool = True) -> list[Rendered]:
    """Every send rendered once per run. `full=False` stops after the templates (what
    the template rule needs); `full=True` also tags links, inlines CSS and derives the
    text part (what the back-end writes)."""
    raw = repo.facts.get(RENDERED, lambda: _render_all(repo))
    if not full:
        return raw
    # the check's renders, carried on: each template runs once
    return repo.facts.get(FINISHED, lambda: [_finish(repo, result) for result in raw])


def _finish(repo: Repository, result: Rendered) -> Rendered:
    """The send with its links tagged, its CSS inlined and its text part made."""
    if result.problems or not result.raw_html:
        return result
    policy = repo.policy.email
    protected = (policy.unsubscribe_url, policy.preferences_url)
    send = result.send

    def tag(url: str) -> str:
        return url if url in protected else with_utm(url, send.utm)

    html = inline_css(rewrite_links(with_preheader(result.raw_html, result.preheader), tag))
    text = to_text(html) if result.raw_text is None else tag_text_links(result.raw_text, tag)
    return replace(result, html=html, text=text)


def _render_all(repo: Repository) -> list[Rendered]:
    folder = repo.templates_dir
    env = environment_of(repo)
    policy = repo.policy.email
    results = []
    for send in sends(repo):
        result = Rendered(send)
        results.append(result)
        if send.email.template not in repo.templates:
            continue  # REF002 reports the missing template
        context: dict[str, Any] = {
            name: variable.sample for name, variable in send.variables.items()
        }
        if send.locale:  # the send's language, whatever a variable says
            context["lang"] = send.locale
        context["unsubscribe_url"] = policy.unsubscribe_url
        context["preferences_url"] = policy.preferences_url
        try:
            result.subject = render_text(env, send.spec.path, send.email.subject, context)
            preheader = send.email.preheader
            result.preheader = (
                render_text(env, send.spec.path, preheader, context) if preheader else None
            )
            for what, value in (
                ("subject", result.subject),
                ("preheader", result.preheader or ""),
                ("sender", send.sender.from_ if send.sender else ""),
            ):
                if header_problem(value):
                    raise TemplateProblem(
                        send.spec.path,
                        1,
                        f"the {what} contains a line break, which would add headers to the message",
                        f"keep the {what} on one line",
                    )
            context["subject"] = result.subject
            context["preheader"] = result.preheader or ""
            result.raw_html = render(env, folder, send.email.template, context)
            text_template = send.email.text_template
            if text_template is not None and text_template in repo.templates:
                result.raw_text = render(env, folder, text_template, context)
        except TemplateProblem as problem:
            result.problems.append(problem)
            continue
        result.links, result.images = scan(result.raw_html)
        with_header = with_preheader(result.raw_html, result.preheader)
        inlined = inline_css(with_header)
        result.size = len(inlined.encode("utf-8"))
    return results


def send_dates(repo: Repository) -> dict[tuple[str, str], datetime]:
    """When each email goes out, by spec id and send or step id, as the calendar shows it:
    a campaign send's first occurrence (in the campaign's timezone); a sequence step's
    earliest arrival after its cohort enters (`schedule.events`), the earliest where
    several campaigns' cohorts enter the sequence."""

    found: dict[tuple[str, str], datetime] = {}
    for event in events(repo):
        if event.kind == "send":
            starts = occurrences(event)
            first = next(iter(starts), event.start)
            key = (event.spec_id, event.key.removeprefix("send-"))
            for day, start in _sampled(event, key[1], starts):
                found.setdefault((key[0], f"{key[1]}--{day.isoformat()}"), start)
        elif event.kind == "sequence-send" and event.sequence and event.arrival == 1:
            first = event.start
            prefix = f"sequence-{event.sequence.id}-"
            key = (event.sequence.id, event.key.removeprefix(prefix))
        else:
            continue
        # events come sorted by their instant: the first seen is the earliest
        if isinstance(first, datetime) and key not in found:
            found[key] = first
    return found


def _sampled(
    event: Any, send_id: str, starts: list[date | datetime]
) -> Iterator[tuple[date, datetime]]:
    """The occurrences of a send that have samples of their own, with when they go out."""
    model = event.spec.model
    send = next((s for s in getattr(model, "sends", []) if s.id == send_id), None)
    wanted = set(send.occurrences) if send is not None else set()
    for start in starts if wanted else []:
        if isinstance(start, datetime) and start.date() in wanted:
            yield start.date(), start


def eml(
    repo: Repository, email: Rendered, uid_domain: str, source_date_epoch: int | None = None
) -> bytes | None:
    """The message file of a rendered send (None when a header cannot be written). Its
    Date is the send's time (`send_dates`), else SOURCE_DATE_EPOCH, else FALLBACK_DATE."""
    send = email.send
    policy = repo.policy.email
    sender = send.sender.from_ if send.sender else f"campc <noreply@{uid_domain}>"
    if any(header_problem(v) for v in (email.subject, sender)):
        return None
    spec_id = str(send.spec.doc.data["id"])
    dates = repo.facts.get(DATES, lambda: send_dates(repo))
    date = dates.get((spec_id, send.key))
    if date is None and send.base is not None:  # a variant goes out with its send
        date = dates.get(send.base)
    if date is None:
        date = (
            FALLBACK_DATE
            if source_date_epoch is None
            else datetime.fromtimestamp(source_date_epoch, UTC)
        )
    return message(
        Headers(
            subject=email.subject,
            sender=sender,
            reply_to=send.sender.reply_to if send.sender else None,
            message_id=f"<{spec_id}.{send.key}@{uid_domain}>",
            unsubscribe_url=policy.unsubscribe_url,
            unsubscribe_mailto=policy.unsubscribe_mailto,
            date=date,
            list_id=f"<{spec_id}.{uid_domain}>",
            language=send.locale,
        ),
        email.text,
        email.html,
    )


def variables_used(repo: Repository, spec_sends: list[Send]) -> set[str] | None:
    """Every variable the sends' templates (with what they extend, include and import),
    subjects and preheaders read; None when a template name is computed."""
    from jinja2 import meta
    from jinja2.exceptions import TemplateSyntaxError

    names = [s.email.template for s in spec_sends]
    names += [s.email.text_template for s in spec_sends if s.email.text_template]
    reached = closure(repo, names)
    if reached is None:
        return None
    used = set(reached[1])
    env = environment_of(repo)
    texts = repo.facts.get(TEXT_VARIABLES, dict)
    for send in spec_sends:
        for source in (send.email.subject, send.email.preheader):
            if not source:
                continue
            if source not in texts:
                try:
                    texts[source] = set(meta.find_undeclared_variables(env.parse(source)))
                except (TemplateSyntaxError, ValueError, RecursionError):
                    texts[source] = set()  # EMAIL001 reports it
            used |= texts[source]
    return used
