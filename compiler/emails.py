"""Emails: templates rendered in a sandbox, links tagged with UTM parameters, CSS inlined,
a plain-text part derived from the HTML, and a MIME message a mail client opens.

Templates are Jinja2 under `campaigns/templates/`, rendered by a `SandboxedEnvironment`
with `StrictUndefined`: a template reads only the variables its spec declares (with
their sample values) and the ones campc provides (`subject`, `preheader`,
`unsubscribe_url`, `preferences_url`). The sandbox refuses attribute walks
(`''.__class__`), the loader refuses paths outside the templates folder, `*` and `**`
are intercepted so `'a' * 10**9` cannot exhaust memory, and a render has a time limit.
HTML templates are autoescaped; text (the subject) is not, so O'Brien stays O'Brien.
Every failure is a `TemplateProblem` naming the template file and line.
"""

from __future__ import annotations

import hashlib
import re
import signal
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from email import policy as email_policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from compiler.diagnostics import Loc

if TYPE_CHECKING:
    from compiler.model.common import Email, Sender, Variable
    from compiler.repository import Repository, SpecFile

RENDER_SECONDS = 2
"""Longest a template may take to render."""
MAX_OUTPUT = 2_000_000
"""Largest rendered email, in characters (Gmail clips at about 102 KB)."""
MAX_REPEAT = 100_000
"""Largest string or list `*` may build, and the largest exponent `**` may use."""
CAMPC_VARIABLES = ("subject", "preheader", "unsubscribe_url", "preferences_url")
"""Variables every template may read besides the spec's own."""


class TemplateProblem(Exception):
    """A template that cannot be rendered: where, what, and what to do."""

    def __init__(self, template: str, line: int, message: str, hint: str, column: int = 1) -> None:
        super().__init__(message)
        self.template = template
        self.line = line
        self.column = column
        self.message = message
        self.hint = hint


_QUOTED = re.compile(r"'([^']+)'")


def _column(folder: Path, template: str, line: int, err: BaseException | None) -> int:
    """Where on the template's line the error is: the name the error quotes (the undefined
    variable, the refused attribute, the missing template), else the first Jinja tag, else
    the first character; 1-based."""
    try:
        text = (folder / template).read_text(encoding="utf-8").splitlines()[line - 1]
    except (OSError, UnicodeDecodeError, IndexError):
        return 1
    needles = [getattr(err, "name", None), *_QUOTED.findall(str(err) if err else "")]
    for needle in needles:
        if not isinstance(needle, str) or not needle:
            continue
        found = re.search(rf"(?<![\w.]){re.escape(needle)}(?!\w)", text) or re.search(
            re.escape(needle), text
        )
        if found:
            return found.start() + 1
    tags = [i for i in (text.find("{{"), text.find("{%")) if i >= 0]
    if tags:
        return min(tags) + 1
    return len(text) - len(text.lstrip()) + 1


def _sandbox_class() -> type[Any]:
    from jinja2.exceptions import SecurityError
    from jinja2.sandbox import SandboxedEnvironment

    class Sandbox(SandboxedEnvironment):
        """The sandbox, with `*` and `**` bounded."""

        intercepted_binops = frozenset({"*", "**"})

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            if operator == "*":
                for sized, times in ((left, right), (right, left)):
                    if (
                        isinstance(sized, str | list | tuple)
                        and isinstance(times, int)
                        and len(sized) * max(times, 0) > MAX_REPEAT
                    ):
                        raise SecurityError("`*` would build a value too large to render")
            if operator == "**" and isinstance(right, int | float) and abs(right) > 64:
                raise SecurityError("`**` with an exponent over 64 is not allowed")
            return super().call_binop(context, operator, left, right)

    return Sandbox


def environment(folder: Path) -> Any:
    """A sandboxed Jinja2 environment reading templates from `folder`."""
    from jinja2 import FileSystemLoader, StrictUndefined

    sandbox = _sandbox_class()
    env = sandbox(
        loader=FileSystemLoader(folder),
        undefined=StrictUndefined,
        autoescape=lambda name: name is not None and name.endswith((".html", ".htm")),
        keep_trailing_newline=True,
        auto_reload=False,
    )
    # subjects and preheaders are text: never escaped, compiled once per run
    env.campc_text_environment = env.overlay(autoescape=False)
    env.campc_text_templates = {}
    return env


@contextmanager
def _deadline(seconds: int) -> Iterator[None]:
    """Raise TimeoutError in the block after `seconds` (main thread of a Unix process;
    elsewhere the output limit alone applies).

    The alarm repeats every 50 ms until the block ends: an exception raised by a signal
    lands in whatever Python code runs at that moment, and where that is a garbage
    collector callback or a `__del__`, Python swallows it. The next one lands in the
    template."""
    usable = hasattr(signal, "SIGALRM") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise TimeoutError

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.05)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class _TooLarge(Exception):
    """The output passed MAX_OUTPUT."""


def _stream(template: Any, context: dict[str, Any]) -> str:
    """Render chunk by chunk, stopping as soon as the output is too large or too slow
    (so a runaway loop is stopped by its output, not by the machine's memory)."""
    chunks = []
    total = 0
    stop = time.monotonic() + RENDER_SECONDS
    for chunk in template.generate(context):
        chunks.append(chunk)
        total += len(chunk)
        if total > MAX_OUTPUT:
            raise _TooLarge(total)
        if time.monotonic() > stop:
            raise TimeoutError
    return "".join(chunks)


def _template_line(err: BaseException, folder: Path, fallback: str) -> tuple[str, int]:
    """The innermost template file and line in a render error's traceback."""
    found = (fallback, 1)
    base = str(folder.resolve())
    trace = err.__traceback__
    while trace is not None:
        filename = trace.tb_frame.f_code.co_filename
        if filename.startswith(base):
            found = (Path(filename).relative_to(base).as_posix(), trace.tb_lineno)
        trace = trace.tb_next
    return found


def _explain(err: BaseException) -> tuple[str, str]:
    """A render error's message and hint, for the template's author."""
    from jinja2 import TemplateNotFound, UndefinedError
    from jinja2.exceptions import SecurityError

    if isinstance(err, TemplateNotFound):
        return (
            f"template `{err.name}` does not exist in the templates folder",
            "templates may only include, extend or import files under campaigns/templates/",
        )
    if isinstance(err, UndefinedError):
        return (
            f"{err.message}: the template uses a variable its spec does not declare",
            "declare it under the spec's `variables` with a sample value",
        )
    if isinstance(err, SecurityError):
        return (
            f"the template sandbox refused this: {err}",
            "templates may read variables only; no attributes of Python objects",
        )
    if isinstance(err, TimeoutError):
        return f"rendering took longer than {RENDER_SECONDS} s", "remove loops over large ranges"
    if isinstance(err, _TooLarge):
        return (
            f"the rendered email passed {MAX_OUTPUT:,} characters",
            "make the email shorter; check loops over large ranges",
        )
    if isinstance(err, RecursionError):
        return "the template includes itself", "break the include cycle"
    return f"rendering failed: {err}", "check the expressions on this line"


def render(env: Any, folder: Path, name: str, context: Mapping[str, Any]) -> str:
    """Render template `name` with `context`; TemplateProblem on any failure."""
    from jinja2 import TemplateSyntaxError

    try:
        template = env.get_template(name)
        with _deadline(RENDER_SECONDS):
            return _stream(template, dict(context))
    except TemplateSyntaxError as err:
        message = f"template syntax error: {err.message}"
        where, line = err.name or name, err.lineno or 1
        column = _column(folder, where, line, None)
        raise TemplateProblem(where, line, message, "fix the Jinja syntax", column) from None
    except Exception as err:  # anything a template can raise becomes a finding
        where, line = _template_line(err, folder, name)
        message, hint = _explain(err)
        raise TemplateProblem(
            where, line, message, hint, _column(folder, where, line, err)
        ) from None


def render_text(env: Any, template: str, source: str, context: Mapping[str, Any]) -> str:
    """A one-line text (the subject, the preheader) with variables, never escaped."""
    try:
        cache: dict[str, Any] = env.campc_text_templates
        compiled = cache.get(source)
        if compiled is None:
            compiled = cache[source] = env.campc_text_environment.from_string(source)
        with _deadline(RENDER_SECONDS):
            return str(compiled.render(dict(context)))
    except Exception as err:
        raise TemplateProblem(
            template, 1, f"cannot render `{source}`: {err}", "use declared variables only"
        ) from None


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
    date: datetime | None = None


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
                        send.at.replace(tzinfo=ZoneInfo(model.timezone)),
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


def rendered(repo: Repository, full: bool = True) -> list[Rendered]:
    """Every send rendered once per run. `full=False` stops after the templates (what
    the template rule needs); `full=True` also tags links, inlines CSS and derives the
    text part (what the back-end writes)."""
    cached = repo.derived.get("emails-templates")
    if cached is None:
        cached = repo.derived["emails-templates"] = _render_all(repo)
    assert isinstance(cached, list)
    if full and not repo.derived.get("emails-finished"):
        _finish(repo, cached)  # the check's renders, carried on: each template runs once
        repo.derived["emails-finished"] = True
    return cached


def _finish(repo: Repository, results: list[Rendered]) -> None:
    """Tag links, inline CSS and make the text part of every send that rendered."""
    policy = repo.policy.email
    protected = (policy.unsubscribe_url, policy.preferences_url)
    for result in results:
        if result.problems or not result.raw_html:
            continue
        send = result.send

        def tag(url: str, tags: dict[str, str] = send.utm) -> str:
            return url if url in protected else with_utm(url, tags)

        html = rewrite_links(with_preheader(result.raw_html, result.preheader), tag)
        result.html = inline_css(html)
        if result.raw_text is None:
            result.text = to_text(result.html)
        else:
            result.text = tag_text_links(result.raw_text, tag)


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


def eml(repo: Repository, email: Rendered) -> bytes | None:
    """The message file of a rendered send (None when a header cannot be written)."""
    send = email.send
    policy = repo.policy.email
    uid_domain = repo.policy.calendar.uid_domain
    sender = send.sender.from_ if send.sender else f"campc <noreply@{uid_domain}>"
    if any(header_problem(v) for v in (email.subject, sender)):
        return None
    return message(
        Headers(
            subject=email.subject,
            sender=sender,
            reply_to=send.sender.reply_to if send.sender else None,
            message_id=f"<{send.spec.doc.data['id']}.{send.key}@{uid_domain}>",
            unsubscribe_url=policy.unsubscribe_url,
            unsubscribe_mailto=policy.unsubscribe_mailto,
            date=send.date,
        ),
        email.text,
        email.html,
    )


def _environment_of(repo: Repository) -> Any:
    """One sandboxed environment per run (templates compile once)."""
    env = repo.derived.get("jinja")
    if env is None:
        env = repo.derived["jinja"] = environment(repo.templates_dir)
    return env


def variables_used(repo: Repository, spec_sends: list[Send]) -> set[str] | None:
    """Every variable the sends' templates (with what they extend, include and import),
    subjects and preheaders read; None when a template name is computed."""
    from jinja2 import meta
    from jinja2.exceptions import TemplateSyntaxError

    from compiler.templates import closure

    names = [s.email.template for s in spec_sends]
    names += [s.email.text_template for s in spec_sends if s.email.text_template]
    reached = closure(repo, names)
    if reached is None:
        return None
    used = set(reached[1])
    env = _environment_of(repo)
    texts: dict[str, set[str]] = repo.derived.setdefault("text-variables", {})  # type: ignore[assignment]
    for send in spec_sends:
        for source in (send.email.subject, send.email.preheader):
            if not source:
                continue
            if source not in texts:
                try:
                    texts[source] = set(meta.find_undeclared_variables(env.parse(source)))
                except TemplateSyntaxError:
                    texts[source] = set()  # EMAIL001 reports it
            used |= texts[source]
    return used


def unescaped(path: Path) -> list[tuple[int, str]]:
    """Where a template turns escaping off: `|safe` filters, `autoescape false` blocks."""
    from jinja2 import nodes
    from jinja2.exceptions import TemplateSyntaxError

    try:
        tree = environment(path.parent).parse(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, TemplateSyntaxError):
        return []  # EMAIL001 reports templates that do not parse
    found = [
        (node.lineno, "`|safe`") for node in tree.find_all(nodes.Filter) if node.name == "safe"
    ]
    for block in tree.find_all(nodes.ScopedEvalContextModifier):
        for option in block.options:
            value = option.value
            if option.key == "autoescape" and isinstance(value, nodes.Const) and not value.value:
                found.append((block.lineno, "`{% autoescape false %}`"))
    return sorted(found)
