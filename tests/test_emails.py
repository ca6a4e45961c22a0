"""Emails as their clients read them: every .eml parsed by the `email` package, every
HTML by an HTML parser; links tagged, images described, the text part complete; and
hostile templates that end as findings, never as crashes or files."""

from __future__ import annotations

import email
import email.policy
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from compiler.email import links, mime
from compiler.email import render as emails
from tests.conftest import ROOT, CliRun

OUTPUTS = ROOT / "outputs" / "emails"
EMLS = sorted(OUTPUTS.rglob("*.eml"))
UNSUBSCRIBE = "https://fjord.example/email/unsubscribe"
PREFERENCES = "https://fjord.example/email/preferences"


def test_the_example_repository_has_an_email_per_send() -> None:
    from compiler.commands import pipeline
    from compiler.email.render import sends
    from compiler.load import repository

    found = pipeline.settings_for(ROOT)
    repo, _ = repository.load(found.campaigns, str, found.policy)
    expected = sorted(f"{s.spec.doc.data['id']}/{s.key}.eml" for s in sends(repo))
    assert [p.relative_to(OUTPUTS).as_posix() for p in EMLS] == expected
    # the example's sends, the newsletter's two occurrences with samples of their own and
    # the subject-line test's two variants: a change here is a send added or removed
    assert len(EMLS) == 22
    for path in EMLS:
        assert path.with_suffix(".html").is_file()
        assert path.with_suffix(".txt").is_file()
        assert (path.parent / "README.md").read_text(encoding="utf-8").count(path.stem) >= 1


@pytest.mark.parametrize("path", EMLS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_eml_is_a_bulk_sender_compliant_alternative_message(path: Path) -> None:
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert message.get_content_type() == "multipart/alternative"
    parts = [p.get_content_type() for p in message.iter_parts()]
    assert parts == ["text/plain", "text/html"]
    assert message["Subject"]
    assert message["From"].addresses[0].domain == "fjord.example"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"<{UNSUBSCRIBE}>" in message["List-Unsubscribe"]
    assert "<mailto:unsubscribe@fjord.example" in message["List-Unsubscribe"]
    assert message["Message-ID"].endswith(">")
    plain_part = message.get_body(("plain",))
    html_part = message.get_body(("html",))
    assert plain_part is not None
    assert html_part is not None
    text = plain_part.get_content().replace("\r\n", "\n")
    html = html_part.get_content().replace("\r\n", "\n")
    assert text == path.with_suffix(".txt").read_text(encoding="utf-8")
    # MIME ends every part with a line break
    assert html == path.with_suffix(".html").read_text(encoding="utf-8").rstrip("\n") + "\n"


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.images: list[dict[str, str | None]] = []
        self.lang: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")
        if tag == "img":
            self.images.append(values)
        if tag == "html":
            self.lang = values.get("lang")


@pytest.mark.parametrize("path", EMLS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_html_has_tagged_links_described_images_and_a_complete_text_part(
    path: Path,
) -> None:
    page = _Page()
    html = path.with_suffix(".html").read_text(encoding="utf-8")
    page.feed(html)
    assert page.lang
    assert "<style" not in html or "@media" in html  # inlined, at-rules kept
    assert UNSUBSCRIBE in page.links
    text = path.with_suffix(".txt").read_text(encoding="utf-8")
    for link in page.links:
        assert link.startswith(("https://", "mailto:")), link
        assert link in text, f"the text part lost {link}"
        if link in (UNSUBSCRIBE, PREFERENCES) or not link.startswith("https://"):
            continue
        tags = parse_qs(urlsplit(link).query)
        assert tags["utm_medium"] == ["email"]
        assert tags["utm_content"] == [path.stem.split("--")[0]]  # an occurrence's send
        # a variant's proof sits with its experiment, its tags are its send's campaign's
        campaign = {"launch-subject-line": "pulse-launch-2027"}.get(path.parent.name)
        assert tags["utm_campaign"] == [campaign or path.parent.name]
    for image in page.images:
        assert image.get("alt") is not None


def test_css_is_inlined_the_preheader_hidden_and_the_footer_links_untouched() -> None:
    """What the README promises of each HTML part, on the emails the example builds."""
    from compiler.commands import pipeline
    from compiler.load import repository

    settings = pipeline.settings_for(ROOT)
    repo, _ = repository.load(settings.campaigns, str, settings.policy)
    built = {(r.send.spec.doc.data["id"], r.send.key): r for r in emails.rendered(repo, full=True)}
    assert len(built) == len(EMLS)
    for (spec_id, key), result in built.items():
        html = (OUTPUTS / str(spec_id) / f"{key}.html").read_text(encoding="utf-8")
        assert html == result.html
        if "<style" in result.raw_html:  # the template's CSS is now on its elements
            assert 'style="' in html
        if result.preheader:
            hidden = html.split("<body", 1)[1].split(">", 1)[1]
            assert hidden.startswith('<div style="display:none;')
            assert escape(result.preheader) in hidden.split("</div>", 1)[0]
        page = _Page()
        page.feed(html)
        for untouched in (UNSUBSCRIBE, PREFERENCES):
            if untouched in result.links:
                assert untouched in page.links, f"{spec_id}/{key} tagged {untouched}"
    assert any(PREFERENCES in r.links for r in built.values())


def test_utm_tags_keep_existing_queries_fragments_and_tags() -> None:
    tags = {"utm_source": "fjord", "utm_medium": "email"}
    assert (
        links.with_utm("https://a.example/p?x=1#top", tags)
        == "https://a.example/p?x=1&utm_source=fjord&utm_medium=email#top"
    )
    assert (
        links.with_utm("https://a.example/?utm_source=partner", tags)
        == "https://a.example/?utm_source=partner&utm_medium=email"
    )
    assert links.with_utm("mailto:a@b.example", tags) == "mailto:a@b.example"


def test_text_is_not_html_escaped_and_messages_are_byte_stable() -> None:
    headers = mime.Headers(
        subject="O'Brien & co",
        sender="Fjord <news@fjord.example>",
        reply_to=None,
        message_id="<x.y@fjord.example>",
        unsubscribe_url=UNSUBSCRIBE,
    )
    first = mime.message(headers, "O'Brien\n", "<p>O&#39;Brien</p>")
    assert first == mime.message(headers, "O'Brien\n", "<p>O&#39;Brien</p>")
    parsed = email.message_from_bytes(first, policy=email.policy.default)
    assert parsed["Subject"] == "O'Brien & co"


def _project(tmp_path: Path, template: str) -> Path:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.campc]\ncampaigns = "campaigns"\n', encoding="utf-8"
    )
    folder = tmp_path / "campaigns"
    (folder / "automation").mkdir(parents=True)
    (folder / "templates").mkdir()
    (folder / "templates" / "welcome.html").write_text(template, encoding="utf-8")
    (folder / "automation" / "welcome.yaml").write_text(
        "kind: sequence\nid: welcome\nname: Welcome\ndomain: automation\n"
        "owner: ops@acme.example\ndescription: New sign-ups.\ntrigger: {event: signed_up}\n"
        "steps:\n  - id: hello\n    type: send\n"
        "    email: {template: welcome.html, subject: Hi, preheader: Start}\n",
        encoding="utf-8",
    )
    return tmp_path


@pytest.mark.parametrize(
    "template",
    [
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{% include '/etc/passwd' %}",
        "{% include '../../pyproject.toml' %}",
        "{{ undeclared }}",
        "{{ 'a' * 200000000 }}",
        "{{ 2 ** 100000000 }}",
        "{% for i in range(99999) %}{% for j in range(99999) %}{{ i }}{% endfor %}{% endfor %}",
        "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}",
        "{{ self.__init__.__globals__ }}",
        "{{ cycler.__init__.__globals__.os }}",
    ],
)
def test_a_hostile_template_is_a_finding_and_nothing_else(
    campc: CliRun, tmp_path: Path, template: str
) -> None:
    root = _project(tmp_path, template)
    check = campc("check", "--no-cache", cwd=root)
    assert check.exit_code == 1, check.stdout + check.stderr
    codes = {line.split()[1] for line in check.stdout.splitlines() if ": EMAIL" in line}
    assert codes == {"EMAIL001"}, check.stdout
    assert "Traceback" not in check.stdout + check.stderr
    build = campc("build", cwd=root)
    assert build.exit_code == 1
    assert not (root / "outputs").exists()


def test_utm_conventions_give_the_default_tags_and_lists_add_up(
    campc: CliRun, tmp_path: Path
) -> None:
    page = '<a href="https://acme.example/a">A</a><a href="{{ unsubscribe_url }}">Stop</a>\n'
    root = _project(tmp_path, page)
    with (root / "pyproject.toml").open("a", encoding="utf-8") as settings:
        settings.write('[tool.campc.lint]\nignore = ["METRIC005"]\n')
    (root / "campaigns" / "conventions").mkdir()
    utm = root / "campaigns" / "conventions" / "utm.yaml"
    utm.write_text(
        "kind: utm\nsources: [drip]\ndefaults: {sequence_source: drip}\n", encoding="utf-8"
    )
    build = campc("build", "--no-cache", cwd=root)
    assert build.exit_code == 0, build.stdout + build.stderr
    html = (root / "outputs" / "emails" / "welcome" / "hello.html").read_text()
    assert "https://acme.example/a?utm_source=drip&amp;utm_medium=email" in html
    # extending keeps the built-in medium; replacing drops it, and the default is reported
    utm.write_text("kind: utm\nextend: false\nmediums: [e-mail]\n", encoding="utf-8")
    check = campc("check", "--no-cache", "--select", "EMAIL012", cwd=root)
    assert check.exit_code == 0  # a warning
    assert "campaigns/conventions/utm.yaml:3:10: EMAIL012 the default utm_medium `email`" in (
        check.stdout
    )


def test_links_in_a_hand_written_text_part_are_tagged_and_punctuation_kept() -> None:
    text = "See https://a.example/x. Or (https://a.example/y?z=1#f), then mailto: b@a.example\n"
    tags = {"utm_source": "fjord", "utm_medium": "email"}
    tagged = links.tag_text_links(text, lambda url: links.with_utm(url, tags))
    assert tagged == (
        "See https://a.example/x?utm_source=fjord&utm_medium=email. "
        "Or (https://a.example/y?z=1&utm_source=fjord&utm_medium=email#f), "
        "then mailto: b@a.example\n"
    )
    assert links.text_links(text) == ["https://a.example/x", "https://a.example/y?z=1#f"]


def test_the_example_newsletter_sends_its_hand_written_text_part() -> None:
    folder = ROOT / "outputs" / "emails" / "monthly-newsletter-q2"
    text = (folder / "newsletter.txt").read_text(encoding="utf-8")
    template = (ROOT / "campaigns" / "templates" / "newsletter" / "monthly.txt").read_text()
    assert text.startswith("Fjord monthly\n=============\n\nPulse is here\n")
    assert "Read the issue: https://fjord.example/newsletter/latest?utm_source=newsletter&" in text
    assert "dbt models." in template
    assert "dbt models." in text
    message = email.message_from_bytes(
        (folder / "newsletter.eml").read_bytes(), policy=email.policy.default
    )
    assert isinstance(message, email.message.EmailMessage)
    part = message.get_body(("plain",))
    assert part is not None
    assert part.get_content().replace("\r\n", "\n") == text


@pytest.mark.parametrize(
    ("template", "where"),
    [
        ("<p>Hi</p>\n<p>{{ subject }}: {{ sub }}</p>\n", "welcome.html:2:22)"),
        ("<p>{{ ''.__class__ }}</p>\n", "welcome.html:1:10)"),
        ("<p>Hi</p>\n  {% include 'nothere.html' %}\n", "welcome.html:2:15)"),
        ("<p>Hi</p>\n<b>{% if %}</b>\n", "welcome.html:2:4)"),
    ],
)
def test_template_errors_name_the_template_line_and_column(
    campc: CliRun, tmp_path: Path, template: str, where: str
) -> None:
    root = _project(tmp_path, template)
    check = campc("check", "--no-cache", "--select", "EMAIL001", cwd=root)
    assert check.exit_code == 1
    # at the template's own line and column, naming the send that uses it
    assert f"templates/{where.rstrip(')')}: EMAIL001" in check.stdout, check.stdout
    assert "(used by `hello`" in check.stdout, check.stdout


def test_a_build_renders_each_send_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from compiler.commands import pipeline
    from compiler.email import sandbox

    calls: list[str] = []
    real = sandbox.render

    def counting(env: object, folder: Path, name: str, context: object) -> str:
        calls.append(name)
        return real(env, folder, name, context)  # type: ignore[arg-type]

    monkeypatch.setattr(emails, "render", counting)
    settings = pipeline.settings_for(ROOT)
    result = pipeline.build(settings, out=tmp_path / "out", cwd=ROOT)
    assert not result.check.failed
    written = sorted((tmp_path / "out" / "emails").rglob("*.html"))
    # one render per HTML written, plus the newsletter's hand-written text part (its own
    # and its two occurrences')
    assert len(calls) == len(written) + 3
