"""ESP templates: each send compiled into an ESP's syntax, from the template's tree.

The oracle for the Liquid ESPs is a real Liquid implementation (python-liquid): the
compiled HTML and text, rendered with each field the field map names set to the spec's
sample value and the ESP's link tags filled with the project's URLs, are the proof's
HTML and text byte for byte. Every output holds no Jinja syntax of campc's templates
(HubL aside, whose syntax is Jinja's), and each construct an ESP cannot express is a
finding at its template line."""

from __future__ import annotations

import dataclasses
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from compiler.commands import pipeline
from compiler.config.settings import Settings
from compiler.email import esp, render
from compiler.load import repository
from compiler.project.repository import Repository
from tests.conftest import ROOT, CliRun

liquid = pytest.importorskip("liquid")


def _example() -> tuple[Repository, Settings]:
    settings = pipeline.settings_for(ROOT)
    repo, problems = repository.load(settings.campaigns, str, settings.policy)
    assert not problems
    return repo, settings


def _liquid_environment(links: dict[str, str]) -> Any:
    """python-liquid, with the ESP's link tags (`{% unsubscribe_url %}`) writing `links`."""
    from liquid.ast import Node
    from liquid.tag import Tag
    from liquid.token import TOKEN_TAG

    env = liquid.Environment(undefined=liquid.StrictUndefined)

    def link_tag(name: str, url: str) -> type[Tag]:
        class LinkNode(Node):
            def render_to_output(self, context: Any, buffer: Any) -> int:
                return int(buffer.write(url))

        class LinkTag(Tag):
            block = False

            def parse(self, stream: Any) -> Node:
                stream.expect(TOKEN_TAG, value=name)
                return LinkNode(stream.current)

        LinkTag.name = name
        return LinkTag

    for name, url in links.items():
        env.add_tag(link_tag(name, url))
    return env


def _context(repo: Repository, name: str, send: render.Send) -> dict[str, Any]:
    """What the ESP holds for the sample recipient: each mapped field, its sample."""
    context: dict[str, Any] = {}
    for variable, target in repo.policy.email.fields[name].items():
        if variable not in send.variables:
            continue
        path = target.replace("${", "").replace("}", "").split(".")  # Braze's `${x}` is `x`
        where = context
        for part in path[:-1]:
            where = where.setdefault(part, {})
        where[path[-1]] = send.variables[variable].sample
    return context


@pytest.mark.parametrize("name", ["customerio", "braze"])
def test_liquid_outputs_render_in_a_liquid_engine_to_the_proof(name: str) -> None:
    repo, _ = _example()
    policy = repo.policy.email
    if name not in policy.fields:  # the example maps Customer.io; Braze like it
        fields = {
            k: ("${" + k + "}" if k == "first_name" else "custom_attribute.${" + k + "}")
            for k in policy.fields["customerio"]
        }
        repo.policy = type(repo.policy)(
            calendar=repo.policy.calendar,
            budget=repo.policy.budget,
            experiments=repo.policy.experiments,
            email=policy.model_copy(update={"fields": {**policy.fields, name: fields}}),
        )
    links = {
        "customerio": {
            "unsubscribe_url": policy.unsubscribe_url,
            "manage_subscription_preferences_url": policy.preferences_url,
        },
        "braze": {},
    }[name]
    env = _liquid_environment(links)
    # an occurrence's own samples change no merge tag: the ESP has the send's template
    proofs = {
        (e.send.spec.path, e.send.key): e
        for e in render.rendered(repo)
        if e.send.occurrence is None
    }
    compiled = esp.compiled(repo, name)
    assert len(compiled) == len(proofs) > 10
    for send, result in compiled:
        assert not result.problems, result.problems
        proof = proofs[(send.spec.path, send.key)]
        context = _context(repo, name, send)
        page, text = result.html, result.text
        if name == "braze":  # Braze's own tags, then its `${x}` names as Liquid's
            page = page.replace("{{${unsubscribe_url}}}", policy.unsubscribe_url)
            page = page.replace("{{${preference_center_url}}}", policy.preferences_url)
            text = text.replace("{{${unsubscribe_url}}}", policy.unsubscribe_url)
            text = text.replace("{{${preference_center_url}}}", policy.preferences_url)
            page, text = (re.sub(r"\$\{(\w+)\}", r"\1", t) for t in (page, text))
        assert env.from_string(page).render(**context) == proof.html, send.key
        assert env.from_string(text).render(**context) == proof.text, send.key
        subject = re.sub(r"\$\{(\w+)\}", r"\1", result.subject)
        assert env.from_string(subject).render(**context) == proof.subject


_DJANGO_FIELDS: dict[str, Callable[[str], str]] = {
    "klaviyo": lambda k: k if k == "first_name" else f"person.{k}",
    "brevo": lambda k: f"contact.{k.upper()}",
}
"""How a Klaviyo or Brevo account might name the example's variables."""


def _with_fields(repo: Repository, name: str, fields: dict[str, str]) -> None:
    email = repo.policy.email
    updated = email.model_copy(update={"fields": {**email.fields, name: fields}})
    repo.policy = dataclasses.replace(repo.policy, email=updated)


def _django_engine(tags: dict[str, str]) -> Any:
    """Django's template engine (the language Klaviyo and Brevo run), with Klaviyo's link
    tags (`{% unsubscribe_link %}`) writing `tags`; an unknown variable prints a marker."""
    from django.template import Engine, Library
    from django.utils.safestring import mark_safe

    library = Library()
    for tag, url in tags.items():
        library.simple_tag(lambda url=url: mark_safe(url), name=tag)
    engine = Engine(string_if_invalid="\x00UNDEFINED %s\x00", autoescape=True)
    engine.template_builtins.append(library)
    return engine


@pytest.mark.parametrize("name", ["klaviyo", "brevo"])
def test_django_outputs_render_in_django_s_engine_to_the_proof(name: str) -> None:
    """Klaviyo's and Brevo's templates, rendered by Django's own engine with autoescaping
    on (as both ESPs print values), are the proof's HTML and text byte for byte."""
    from django.template import Context, Template
    from django.utils.safestring import mark_safe

    repo, _ = _example()
    policy = repo.policy.email
    _with_fields(repo, name, {k: _DJANGO_FIELDS[name](k) for k in policy.fields["customerio"]})
    links = {"unsubscribe": policy.unsubscribe_url, "update_profile": policy.preferences_url}
    tags = {
        "unsubscribe_link": policy.unsubscribe_url,
        "manage_preferences_link": policy.preferences_url,
    }
    engine = _django_engine(tags if name == "klaviyo" else {})
    # an occurrence's own samples change no merge tag: the ESP has the send's template
    proofs = {
        (e.send.spec.path, e.send.key): e
        for e in render.rendered(repo)
        if e.send.occurrence is None
    }
    compiled = esp.compiled(repo, name)
    assert len(compiled) == len(proofs) > 10
    for send, result in compiled:
        assert not result.problems, result.problems
        proof = proofs[(send.spec.path, send.key)]
        context = _context(repo, name, send)
        if name == "brevo":
            context |= {key: mark_safe(url) for key, url in links.items()}
        for part, expected in ((result.html, proof.html), (result.text, proof.text)):
            got = Template(part, engine=engine).render(Context(context, autoescape=True))
            assert got == expected, send.key
        subject = Template(result.subject, engine=engine).render(Context(context))
        assert subject == proof.subject


@pytest.mark.parametrize("field", ["person.first-name", "_first", "person._x", "${first_name}"])
@pytest.mark.parametrize("name", ["klaviyo", "brevo", "hubspot"])
def test_a_field_the_esp_cannot_read_is_a_problem(tmp_path: Path, name: str, field: str) -> None:
    result = _compile(tmp_path, name, "Hi {{ first_name }}", {"first_name": field})
    assert any("property" in p.message for p in result.problems), result.html


def test_the_settings_know_every_esp_the_compiler_does() -> None:
    from compiler.config import policy

    assert policy._ESPS == esp.ESPS == tuple(esp.DIALECTS)


@pytest.mark.parametrize("name", esp.ESPS)
def test_no_jinja_syntax_of_the_templates_is_left(name: str) -> None:
    """What campc's templates wrote in Jinja is gone: the tags left are the ESP's own
    (for HubL, Jinja's syntax, each tag a contact property or an email variable)."""
    repo, _ = _example()
    policy = repo.policy.email
    made = {
        "braze": lambda k: "${" + k + "}",
        "mailchimp": lambda k: k.upper()[:10],
        "mautic": lambda k: k.replace("_", ""),
        **_DJANGO_FIELDS,
    }
    fields = policy.fields.get(name) or {k: made[name](k) for k in policy.fields["hubspot"]}
    env = esp.environment(repo.templates_dir, repo.template_files, esp.DIALECTS[name], fields)
    allowed = {
        "customerio": r"\{\{ customer\.\w+( \| escape)? \}\}"
        r"|\{% (unsubscribe_url|manage_subscription_preferences_url) %\}",
        "braze": r"\{\{ (custom_attribute\.)?\$\{\w+\}( \| escape)? \}\}"
        r"|\{\{\$\{(unsubscribe_url|preference_center_url)\}\}\}",
        "hubspot": r"\{\{ (x|contact)\.\w+(\|escape)? \}\}|\{\{ unsubscribe_link \}\}",
        "mailchimp": r"^$",
        "mautic": r"^$",
        "klaviyo": r"\{\{ (first_name|person\.\w+)(\|(escape|safe))? \}\}"
        r"|\{% (unsubscribe_link|manage_preferences_link) %\}",
        "brevo": r"\{\{ contact\.[A-Z_]+(\|(escape|safe))? \}\}"
        r"|\{\{ (unsubscribe|update_profile) \}\}",
    }[name]
    for proof in render.rendered(repo, full=False):
        result = esp.compile_send(repo, env, proof.send)
        assert not result.problems, result.problems
        for part in (result.html, result.text, result.subject, result.preheader or ""):
            for tag in re.findall(r"\{\{.*?\}\}\}?|\{%.*?%\}|\{#.*?#\}", part):
                assert re.fullmatch(allowed, tag), (name, proof.send.key, tag)
        if name == "mailchimp":
            assert "*|UNSUB|*" in result.html
            assert "*|UPDATE_PROFILE|*" in result.html


def _compile(tmp_path: Path, name: str, template: str, fields: dict[str, str]) -> esp.Compiled:
    folder = tmp_path / "templates"
    folder.mkdir(exist_ok=True)
    page = f"<!DOCTYPE html><html><body>{template}</body></html>"
    (folder / "t.html").write_text(page, encoding="utf-8")
    repo, _ = _example()
    env = esp.environment(folder, None, esp.DIALECTS[name], fields)
    send = render.sends(repo)[0]
    email = send.email.model_copy(
        update={"template": "t.html", "text_template": None, "subject": "Hi", "preheader": None}
    )
    from dataclasses import replace

    fake = replace(send, email=email)
    object.__setattr__(repo, "root", tmp_path)
    repo.templates = frozenset({"t.html"})
    return esp.compile_send(repo, env, fake)


CASES = [
    # template, ESP, what the output holds, or (after `!`) the words of the problem
    (
        "{% if first_name %}Hi {{ first_name }}{% else %}Hello{% endif %}",
        "customerio",
        "{% if customer.first_name != blank %}Hi {{ customer.first_name | escape }}"
        "{% else %}Hello{% endif %}",
    ),
    (
        "{% if not first_name %}Hello{% endif %}",
        "customerio",
        "{% unless customer.first_name != blank %}Hello{% endunless %}",
    ),
    (
        "{{ first_name | default('there') | upper }}",
        "customerio",
        '{{ customer.first_name | default: "there" | upcase | escape }}',
    ),
    (
        "{% if plan == 'pro' %}Pro{% elif plan == 'team' %}Team{% endif %}",
        "hubspot",
        '{% if contact.plan == "pro" %}Pro{% elif contact.plan == "team" %}Team{% endif %}',
    ),
    (
        "{% for item in items %}<li>{{ item.name }}</li>{% endfor %}",
        "customerio",
        "!a loop over a recipient's value",
    ),
    (
        "{{ first_name | default('there') }}",
        "mailchimp",
        "*|IF:FNAME|**|FNAME|**|ELSE:|*there*|END:IF|*",
    ),
    (
        "{% if plan == 'pro' %}Pro{% else %}Free{% endif %}",
        "mailchimp",
        "*|IF:PLAN=pro|*Pro*|ELSE:|*Free*|END:IF|*",
    ),
    ("{{ first_name | title }}", "customerio", "!has no equivalent of the filter `title`"),
    ("{{ '=' * first_name | length }}", "hubspot", "!the expression `*`"),
    ("{% for item in items %}{{ item }}{% endfor %}", "mailchimp", "!a loop over a recipient"),
    ("{% if first_name and plan or items %}x{% endif %}", "customerio", "!mixes `and`, `or`"),
    (
        "{% macro shout(v) %}{{ v | upper }}{% endmacro %}{{ shout(first_name) }}",
        "customerio",
        "!the filter `upper` on a recipient's value",
    ),
    (
        '{% macro link(u) %}<a href="{{ u }}">x</a>{% endmacro %}{{ link(first_name) }}',
        "customerio",
        '<a href="{{ customer.first_name | escape }}">x</a>',
    ),
    # constructs that once compiled silently wrong: now right, or refused
    (
        '<img alt="{{ first_name | default(\'friend\') }}" src="https://x.example/a.png">',
        "customerio",
        'alt="{{ customer.first_name | default: "friend" | escape }}"',
    ),
    (
        "<table><tr><td>a</td></tr>{% if first_name %}<tr><td>{{ first_name }}</td></tr>"
        "{% endif %}</table>",
        "customerio",
        "</tr>{% if customer.first_name != blank %}<tr><td>{{ customer.first_name | escape }}",
    ),
    ("{% set first_name = 'Bob' %}{{ first_name }}", "customerio", "Bob"),
    ("{% for first_name in ['A', 'B'] %}{{ first_name }}{% endfor %}", "customerio", "AB"),
    ("{% with first_name = 'Bob' %}{{ first_name }}{% endwith %}", "customerio", "Bob"),
    ("{{ first_name | trim('N') }}", "customerio", "!with arguments"),
    (
        "{% set g = 'Hi' %}{% if first_name %}{% set g = 'Hey' %}{% endif %}{{ g }}",
        "customerio",
        "!`{% set %}` inside a condition",
    ),
    ("{% raw %}{{ customer.plan }}{% endraw %}", "customerio", "!the template's own text"),
    ("*|UNSUB|*", "mailchimp", "!the template's own text"),
    (
        "{% macro campc_esp(t) %}x{% endmacro %}{{ first_name }}",
        "customerio",
        "!`campc_esp` is the name",
    ),
    (
        "{% macro m(v) %}{% if v == 'Noor' %}VIP{% endif %}{% endmacro %}{{ m(first_name) }}",
        "customerio",
        "!a comparison of a recipient's value",
    ),
    (
        "{% filter upper %}{{ first_name }}{% endfilter %}",
        "customerio",
        "!inside a `{% filter %}` or `{% set %}` block",
    ),
    (
        "{% macro m() %}{{ first_name }}{% endmacro %}{{ m() | upper }}",
        "customerio",
        "!the filter `upper` on a recipient's value",
    ),
    (
        "{% macro m(v) %}{{ 100 / v }}{% endmacro %}{{ m(first_name) }}",
        "customerio",
        "!cannot compile",
    ),
    ("{% if plan == 1e300 %}x{% endif %}", "customerio", "!the constant"),
    (
        "{{ first_name | default('friend') | upper }}",
        "mailchimp",
        "*|IF:FNAME|**|UPPER:FNAME|**|ELSE:|*FRIEND*|END:IF|*",
    ),
    ("{% if plan == 'a|*b' %}x{% endif %}", "mailchimp", "!in a Mailchimp condition"),
    ("Hi {{ first_name | default('there') }}", "mautic", "Hi {contactfield=firstname|there}"),
    ("{% if first_name %}Hi{% endif %}", "mautic", "!Mautic tokens have no conditions"),
    ("{{ first_name | upper }}", "mautic", "!has no equivalent of the filter `upper`"),
    (
        "{% if first_name %}Hi {{ first_name | default('there') }}{% elif plan == 'pro' %}Pro"
        "{% else %}Hello{% endif %}",
        "klaviyo",
        "{% if first_name %}Hi {{ first_name|default:'there'|escape }}"
        "{% elif person.plan == 'pro' %}Pro{% else %}Hello{% endif %}",
    ),
    (
        '{% if not first_name and plan != "it\'s" %}x{% endif %}',
        "klaviyo",
        '{% if not first_name and person.plan != "it\'s" %}x{% endif %}',
    ),
    ("{% if not (first_name and plan) %}x{% endif %}", "klaviyo", "!has no parentheses"),
    ("{% if first_name and plan or items %}x{% endif %}", "brevo", "!has no parentheses"),
    ("{{ first_name | default('{{ x }}') }}", "brevo", "!a text with `{`, `}`"),
    ("{{ first_name | trim }}", "brevo", "!has no equivalent of the filter `trim`"),
    ("{% raw %}{% unsubscribe_link %}{% endraw %}", "klaviyo", "!the template's own text"),
    (
        '<a href="{{ unsubscribe_url }}">Unsubscribe</a> {{ first_name | upper }}',
        "brevo",
        '<a href="{{ unsubscribe }}">Unsubscribe</a> {{ contact.FIRSTNAME|upper|escape }}',
    ),
    (
        '<a href="{{ preferences_url }}">Preferences</a>',
        "klaviyo",
        '<a href="{% manage_preferences_link %}">Preferences</a>',
    ),
    # what a hostile template tried: campc's own marks, line breaks, a brace against a tag
    ("<!--campc-esp:999--> {{ first_name }}", "klaviyo", "<!--campc-esp:999--> {{ first_name"),
    ("<!--campc-esp:0-->{% if plan %}x{% endif %}", "brevo", "<!--campc-esp:0-->{% if contact"),
    ("{{ first_name | default('a\nb') }}", "klaviyo", "!a text with a line break"),
    ("{% if plan == 'a\nb' %}x{% endif %}", "brevo", "!a text with a line break"),
    ("{{ first_name | default('a\nb') }}", "customerio", "!a text with a line break"),
    ('{{ "{" }}{{ first_name }}', "klaviyo", "!the template's own text"),
    ('{{ first_name }}{{ "}" }}', "customerio", "!the template's own text"),
]


@pytest.mark.parametrize(("template", "name", "expected"), CASES)
def test_each_construct_compiles_or_is_a_problem(
    tmp_path: Path, template: str, name: str, expected: str
) -> None:
    fields = {
        "customerio": {
            "first_name": "customer.first_name",
            "plan": "customer.plan",
            "items": "customer.items",
        },
        "hubspot": {
            "first_name": "contact.firstname",
            "plan": "contact.plan",
            "items": "contact.items",
        },
        "mailchimp": {"first_name": "FNAME", "plan": "PLAN", "items": "ITEMS"},
        "mautic": {"first_name": "firstname", "plan": "plan", "items": "items"},
        "klaviyo": {"first_name": "first_name", "plan": "person.plan", "items": "person.items"},
        "brevo": {"first_name": "contact.FIRSTNAME", "plan": "contact.PLAN", "items": "contact.X"},
    }[name]
    result = _compile(tmp_path, name, template, fields)
    if not expected.startswith("!"):  # the output holds it
        assert not result.problems, result.problems
        assert expected in result.html, result.html
    else:  # a problem says it
        assert result.problems, result.html
        assert any(expected[1:] in p.message for p in result.problems), result.problems
        assert all(p.line >= 1 for p in result.problems)


def test_the_build_writes_each_esp_s_files_and_an_unmapped_variable_stops_it(
    campc: CliRun, tmp_path: Path
) -> None:
    shutil.copytree(ROOT / "campaigns", tmp_path / "campaigns")
    config = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(config, encoding="utf-8")
    assert campc("build", cwd=tmp_path).exit_code == 0
    out = tmp_path / "outputs" / "esp"
    for name in ("customerio", "hubspot"):
        folder = out / name / "referral-programme-2027"
        assert {p.name for p in folder.iterdir()} == {
            "README.md",
            "programme-invite.html",
            "programme-invite.json",
            "programme-invite.txt",
        }
    assert '"subject": "Give a month of Fjord, get a month free"' in (
        out / "customerio" / "referral-programme-2027" / "programme-invite.json"
    ).read_text(encoding="utf-8")
    # an unmapped variable: one finding in the spec that declares it, nothing written
    unmapped = config.replace('city = "contact.city"\n', "", 1)
    (tmp_path / "pyproject.toml").write_text(unmapped, encoding="utf-8")
    before = sorted(p.relative_to(out) for p in out.rglob("*"))
    run = campc("build", cwd=tmp_path)
    assert run.exit_code == 1
    assert "data-quality-roadshow.yaml" in run.stdout
    assert "EMAIL015" in run.stdout
    assert "variable `city` has no field in the field map of HubSpot" in run.stdout
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before
