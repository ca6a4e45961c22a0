"""Emails: each send rendered once per run in the sandbox, links tagged with UTM
parameters, CSS inlined, a plain-text part derived from the HTML, and a MIME message a
mail client opens.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email import policy as email_policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from html import escape
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from compiler.diagnostics import Loc
from compiler.project.facts import Fact

if TYPE_CHECKING:
    from compiler.diagnostics import Diagnostic, Rule
    from compiler.model.common import Email, Sender, Variable
    from compiler.project.repository import Repository, SpecFile

from compiler.email.sandbox import (
    ENVIRONMENT,
    TemplateProblem,
    environment,
    render,
    render_text,
)

FALLBACK_DATE = datetime(2000, 1, 1, tzinfo=UTC)
"""The Date of an email with no time of its own (a sequence no campaign's cohort enters)
when SOURCE_DATE_EPOCH is unset: a fixed date, never the clock, so builds stay identical."""

# -- links -----------------------------------------------------------------------------


def with_utm(url: str, params: Mapping[str, str]) -> str:
    """`url` with the UTM parameters it does not already set; query order and the
    fragment are kept."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return url
    existing = parse_qsl(parts.query, keep_blank_values=True)
    present = {k for k, _ in existing}
    added = [(k, v) for k, v in params.items() if k not in present]
    if not added:
        return url
    query = parts.query + ("&" if parts.query else "") + urlencode(added)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


_TEXT_URL = re.compile(r"https?://[^\s<>\"'()\[\]]+")


def text_links(text: str) -> list[str]:
    """The http(s) URLs written in a plain text, without trailing punctuation."""
    return [match.group().rstrip(".,;:!?") for match in _TEXT_URL.finditer(text)]


def tag_text_links(text: str, rewrite: Callable[[str], str]) -> str:
    """`text` with every http(s) URL in it passed through `rewrite`."""

    def one(match: re.Match[str]) -> str:
        url = match.group()
        bare = url.rstrip(".,;:!?")
        return rewrite(bare) + url[len(bare) :]

    return _TEXT_URL.sub(one, text)


class _Rewriter(HTMLParser):
    """Copies HTML as it is, rewriting the href of every `<a>` through `rewrite`."""

    def __init__(self, rewrite: Any) -> None:
        super().__init__(convert_charrefs=False)
        self.rewrite = rewrite
        self.out: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raw = self.get_starttag_text() or ""
        if tag != "a" or not any(k == "href" for k, _ in attrs):
            self.out.append(raw)
            return
        parts = []
        for key, value in attrs:
            if key == "href" and value is not None:
                value = self.rewrite(value)
            parts.append(key if value is None else f'{key}="{escape(value, quote=True)}"')
        closing = "/>" if raw.rstrip().endswith("/>") else ">"
        self.out.append(f"<a {' '.join(parts)}{closing}")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.out.append(data)

    def handle_entityref(self, name: str) -> None:
        self.out.append(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.out.append(f"&#{name};")

    def handle_comment(self, data: str) -> None:
        self.out.append(f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self.out.append(f"<!{decl}>")

    def handle_pi(self, data: str) -> None:
        self.out.append(f"<?{data}>")

    def unknown_decl(self, data: str) -> None:
        self.out.append(f"<![{data}]>")


def rewrite_links(html: str, rewrite: Any) -> str:
    """`html` with every link's href passed through `rewrite`."""
    parser = _Rewriter(rewrite)
    parser.feed(html)
    parser.close()
    return "".join(parser.out)


# -- the text part ---------------------------------------------------------------------

_BLOCKS = {"p", "div", "table", "tr", "h1", "h2", "h3", "h4", "ul", "ol", "li", "br", "hr"}
_SKIP = {"style", "script", "head", "title"}


class _Text(HTMLParser):
    """HTML to readable text: blocks become lines, links `label (url)`, images their alt."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skipping = 0
        self.hidden = 0
        self.link: str | None = None
        self.label: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in _SKIP:
            self.skipping += 1
        elif tag == "div" and "display:none" in (values.get("style") or "").replace(" ", ""):
            self.hidden += 1  # the preheader: the inbox shows it, the body does not
        if tag in _BLOCKS:
            self.out.append("\n" if tag != "li" else "\n- ")
        if tag == "a":
            self.link = values.get("href")
            self.label = []
        if tag == "img" and values.get("alt"):
            self.write(values["alt"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skipping = max(self.skipping - 1, 0)
        elif tag == "div" and self.hidden:
            self.hidden -= 1
        if tag == "a" and self.link is not None:
            label = " ".join("".join(self.label).split())
            url = self.link
            self.link = None
            self.out.append(f"{label} ({url})" if label and label != url else url)
        if tag in _BLOCKS and tag not in ("br", "li"):
            self.out.append("\n")

    def handle_data(self, data: str) -> None:
        self.write(data)

    def write(self, data: str) -> None:
        if self.skipping or self.hidden:
            return
        if self.link is not None:
            self.label.append(data)
        else:
            self.out.append(data)


def to_text(html: str) -> str:
    """The plain-text alternative of an email's HTML."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.out).splitlines()]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return text + "\n"


def scan(html: str) -> tuple[list[str], list[dict[str, str | None]]]:
    """Every link target and every image's attributes in `html` (lxml's parser: the
    rules read every email on every check, so this must be quick)."""
    import lxml.html
    from lxml.etree import ParserError

    try:
        document = lxml.html.document_fromstring(html)
    except ParserError:  # an empty document
        return [], []
    found = [str(a.get("href")) for a in document.iter("a") if a.get("href")]
    images: list[dict[str, str | None]] = [
        {str(k): str(v) for k, v in img.attrib.items()} for img in document.iter("img")
    ]
    for image in images:
        image.setdefault("alt", None)
    return found, images


# -- assembling ------------------------------------------------------------------------


def inline_css(html: str) -> str:
    """CSS from `<style>` moved into style attributes; @media and other at-rules kept."""
    import css_inline

    inliner = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)
    return str(inliner.inline(html))


def with_preheader(html: str, preheader: str | None) -> str:
    """A hidden preheader as the first thing in `<body>`."""
    if not preheader:
        return html
    hidden = (
        '<div style="display:none;max-height:0;overflow:hidden;mso-hide:all">'
        f"{escape(preheader)}</div>"
    )
    match = re.search(r"<body[^>]*>", html, re.IGNORECASE)
    if match is None:
        return hidden + html
    return html[: match.end()] + hidden + html[match.end() :]


@dataclass(frozen=True)
class Headers:
    """What an email's MIME headers say."""

    subject: str
    sender: str
    reply_to: str | None
    message_id: str
    unsubscribe_url: str
    unsubscribe_mailto: str | None = None
    date: datetime | None = None
    list_id: str | None = None
    """RFC 2919 `List-Id` (`<label.domain>`): which list a List-Unsubscribe leaves."""
    extra: dict[str, str] = field(default_factory=dict)


def header_problem(value: str) -> str | None:
    """Why `value` cannot be a header (a line break would inject headers)."""
    if "\r" in value or "\n" in value:
        return "contains a line break"
    return None


def message(headers: Headers, text: str, html: str) -> bytes:
    """A `multipart/alternative` message with a text and an HTML part, byte-stable."""
    msg = EmailMessage(policy=email_policy.SMTP)
    msg["Subject"] = headers.subject
    name, address = parseaddr(headers.sender)
    user, _, domain = address.partition("@")
    msg["From"] = Address(display_name=name, username=user, domain=domain)
    msg["To"] = "undisclosed-recipients:;"
    if headers.reply_to:
        msg["Reply-To"] = headers.reply_to
    if headers.date is not None:
        msg["Date"] = format_datetime(headers.date)
    msg["Message-ID"] = headers.message_id
    if headers.list_id:
        msg["List-Id"] = headers.list_id
    unsubscribe = f"<{headers.unsubscribe_url}>"
    if headers.unsubscribe_mailto:
        unsubscribe = f"<mailto:{headers.unsubscribe_mailto}?subject=unsubscribe>, {unsubscribe}"
    msg["List-Unsubscribe"] = unsubscribe
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(text, cte="quoted-printable")
    msg.add_alternative(html, subtype="html", cte="quoted-printable")
    boundary = hashlib.sha256(f"{headers.message_id}\0{text}\0{html}".encode()).hexdigest()
    msg.set_boundary(f"=_campc_{boundary[:32]}")
    return msg.as_bytes()


# -- the repository's emails -----------------------------------------------------------


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
    utm: dict[str, str]


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


class AtTemplates:
    """Findings about what templates write, one per place: a mistake in a template that
    ten sends render is one finding at the template's line, naming the sends."""

    def __init__(self, repo: Repository) -> None:
        self._repo = repo
        self._users: dict[tuple[str, int, int, str, str], dict[str, list[str]]] = {}

    def add(self, place: tuple[str, int, int], message: str, hint: str, send: Send) -> None:
        """Record that `send` shows the mistake `message` written at `place`."""
        template, line, col = place
        by_spec = self._users.setdefault((template, line, col, message, hint), {})
        keys = by_spec.setdefault(send.spec.path, [])
        if send.key not in keys:
            keys.append(send.key)

    def diagnostics(self, rule: Rule) -> Iterator[Diagnostic]:
        """One finding per place, in template order, naming the sends by spec."""
        for (template, line, col, message, hint), by_spec in sorted(self._users.items()):
            users = [
                f"{', '.join(f'`{k}`' for k in keys)} ({path})" for path, keys in by_spec.items()
            ]
            more = f" and {len(users) - 3} more specs" if len(users) > 3 else ""
            yield rule.diagnostic(
                self._repo.display(self._repo.templates_dir / template),
                line,
                col,
                f"{message} (used by {'; '.join(users[:3])}{more})",
                hint,
            )


def written_at(
    repo: Repository, send: Send, needles: Iterable[str], template: str | None = None
) -> tuple[str, int, int] | None:
    """Where the send's template (or one it extends, includes or imports) writes the
    first of `needles`: (template, line, col); None when no template does, so the text
    came from the spec (a variable's sample: `sample_at`)."""
    from compiler.email.templates import locate

    return locate(repo, template or send.email.template, needles)


def attribute_needles(value: str) -> list[str]:
    """How a template may write `value` as an attribute: quoted, escaped, or bare."""
    escaped = escape(value)
    return [f'"{value}"', f'"{escaped}"', f"'{value}'", f"'{escaped}'", value, escaped]


def sample_at(send: Send, needles: Iterable[str]) -> tuple[int, int] | None:
    """The line and column in the spec of the variable sample holding one of `needles`
    (None when none does)."""
    wanted = [n for n in needles if n]
    for name, variable in send.variables.items():
        sample = variable.sample
        if isinstance(sample, str) and any(n in sample for n in wanted):
            return send.spec.doc.value_at(("variables", name, "sample"))
    return None


def sends(repo: Repository) -> list[Send]:
    """Every email of the repository, by spec path and then in spec order."""
    from compiler.model.campaign import Campaign
    from compiler.model.sequence import SendStep, Sequence

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
                found.append(
                    Send(
                        spec,
                        send.id,
                        send.email,
                        ("sends", index, "email"),
                        send.email.sender or model.sender,
                        dict(model.variables),
                        tags,
                    )
                )
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
                found.append(
                    Send(
                        spec,
                        step.id,
                        step.email,
                        ("steps", index, "email"),
                        step.email.sender or model.sender,
                        dict(model.variables),
                        tags,
                    )
                )
    return found


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
    env = _environment_of(repo)
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
    from compiler.analysis.schedule import events, occurrences

    found: dict[tuple[str, str], datetime] = {}
    for event in events(repo):
        if event.kind == "send":
            first = next(iter(occurrences(event)), event.start)
            key = (event.spec_id, event.key.removeprefix("send-"))
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


def eml(repo: Repository, email: Rendered, source_date_epoch: int | None = None) -> bytes | None:
    """The message file of a rendered send (None when a header cannot be written). Its
    Date is the send's time (`send_dates`), else SOURCE_DATE_EPOCH, else FALLBACK_DATE."""
    send = email.send
    policy = repo.policy.email
    uid_domain = repo.policy.calendar.uid_domain
    sender = send.sender.from_ if send.sender else f"campc <noreply@{uid_domain}>"
    if any(header_problem(v) for v in (email.subject, sender)):
        return None
    spec_id = str(send.spec.doc.data["id"])
    dates = repo.facts.get(DATES, lambda: send_dates(repo))
    date = dates.get((spec_id, send.key))
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
        ),
        email.text,
        email.html,
    )


def _environment_of(repo: Repository) -> Any:
    """One sandboxed environment per run (templates compile once)."""
    return repo.facts.get(ENVIRONMENT, lambda: environment(repo.templates_dir))


def variables_used(repo: Repository, spec_sends: list[Send]) -> set[str] | None:
    """Every variable the sends' templates (with what they extend, include and import),
    subjects and preheaders read; None when a template name is computed."""
    from jinja2 import meta
    from jinja2.exceptions import TemplateSyntaxError

    from compiler.email.templates import closure

    names = [s.email.template for s in spec_sends]
    names += [s.email.text_template for s in spec_sends if s.email.text_template]
    reached = closure(repo, names)
    if reached is None:
        return None
    used = set(reached[1])
    env = _environment_of(repo)
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
