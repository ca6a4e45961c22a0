"""`[tool.campc]`: every mistake is one line naming the option and saying what it must be
(`campc: error: pyproject.toml: ...`, exit 2); every option reaches the settings.

The messages are the ones the hand-written parser gave before the settings became a
pydantic model, word for word."""

from __future__ import annotations

from datetime import time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from compiler.config import discovery, settings
from compiler.diagnostics import Severity
from compiler.errors import SettingsError
from compiler.rules import selects
from tests.conftest import CliRun

BAD = [
    ("campc = 3", "[tool.campc] must be a table"),
    (
        "[tool.campc]\nfoo = 1",
        "unknown option `tool.campc.foo` (known: campaigns, outputs, schemas, locale, budget, calendar, email, experiments, scoring, lint)",  # noqa: E501 (the whole message)
    ),
    ("[tool.campc]\ncampaigns = 3", "`tool.campc.campaigns` must be a path"),
    ("[tool.campc]\noutputs = ''", "`tool.campc.outputs` must be a path"),
    ("[tool.campc]\ncalendar = 3", "[tool.campc.calendar] must be a table"),
    (
        "[tool.campc.calendar]\nbogus = 1",
        "unknown option `tool.campc.calendar.bogus` "
        "(known: uid-domain, markets, quiet-hours, quiet-hours-action)",
    ),
    (
        "[tool.campc.calendar]\nuid-domain = 'a b'",
        "`tool.campc.calendar.uid-domain` must be a domain name",
    ),
    (
        "[tool.campc.calendar]\nuid-domain = 3",
        "`tool.campc.calendar.uid-domain` must be a domain name",
    ),
    (
        "[tool.campc.calendar]\nmarkets = ['fr']",
        "`tool.campc.calendar.markets` must list codes like 'FR' or 'DE-BY'",
    ),
    (
        "[tool.campc.calendar]\nmarkets = 'FR'",
        "`tool.campc.calendar.markets` must list codes like 'FR' or 'DE-BY'",
    ),
    (
        "[tool.campc.calendar]\nquiet-hours = '9-5'",
        "`tool.campc.calendar.quiet-hours` must look like '21:00-08:00'",
    ),
    (
        "[tool.campc.calendar]\nquiet-hours = 5",
        "`tool.campc.calendar.quiet-hours` must look like '21:00-08:00'",
    ),
    ("[tool.campc]\nlocale = 'es'", "`tool.campc.locale` must be 'en', 'fr' or 'de'"),
    (
        "[tool.campc.calendar]\nquiet-hours-action = 'hold'",
        "`tool.campc.calendar.quiet-hours-action` must be 'defer' or 'skip'",
    ),
    (
        "[tool.campc.experiments]\nmax-duration = 'forever'",
        "`tool.campc.experiments.max-duration` must be a duration like '8w' or '30d'",
    ),
    (
        "[tool.campc.experiments]\nmax-duration = 3",
        "`tool.campc.experiments.max-duration` must be a duration like '8w' or '30d'",
    ),
    (
        "[tool.campc.experiments]\nlimit = 3",
        "unknown option `tool.campc.experiments.limit` (known: max-duration, srm-alpha)",
    ),
    (
        "[tool.campc.email]\nsending-domains = ['Bad_']",
        "`tool.campc.email.sending-domains` must list domain names",
    ),
    (
        "[tool.campc.email]\nsending-domains = 'a.example'",
        "`tool.campc.email.sending-domains` must list domain names",
    ),
    (
        "[tool.campc.email]\nunsubscribe-url = 'http://x.example/u'",
        "`tool.campc.email.unsubscribe-url` must be an https:// URL",
    ),
    (
        "[tool.campc.email]\npreferences-url = 3",
        "`tool.campc.email.preferences-url` must be an https:// URL",
    ),
    (
        "[tool.campc.email]\nunsubscribe-mailto = 'nope'",
        "`tool.campc.email.unsubscribe-mailto` must be an address",
    ),
    (
        "[tool.campc.email]\nmax-subject-length = 5",
        "`tool.campc.email.max-subject-length` must be 10 to 998",
    ),
    (
        "[tool.campc.email]\nmax-subject-length = true",
        "`tool.campc.email.max-subject-length` must be 10 to 998",
    ),
    (
        "[tool.campc.email]\nallow-safe = 'yes'",
        "`tool.campc.email.allow-safe` must be true or false",
    ),
    (
        "[tool.campc.email]\nfrom = 'x'",
        "unknown option `tool.campc.email.from` (known: sending-domains, unsubscribe-url, preferences-url, unsubscribe-mailto, max-subject-length, min-font-size, allow-safe, esp, fields, clients, allow-unsupported)",  # noqa: E501 (the whole message)
    ),
    (
        "[tool.campc.email]\nesp = ['sendgrid']",
        "`tool.campc.email.esp` must list ESPs among 'customerio', 'braze', 'klaviyo', "
        "'hubspot', 'mailchimp', 'brevo', 'mautic'",
    ),
    (
        "[tool.campc.email.fields.sendgrid]\nfirst_name = 'x'",
        "`tool.campc.email.fields.sendgrid` is not an ESP campc compiles for",
    ),
    (
        "[tool.campc.email.fields.hubspot]\n'first-name' = 'contact.firstname'",
        "`tool.campc.email.fields.hubspot.first-name` is not a template variable's name",
    ),
    (
        "[tool.campc.email.fields]\nhubspot = 3",
        "`tool.campc.email.fields.hubspot` must be a table of variable = field",
    ),
    (
        "[tool.campc.budget]\nquarterly-caps = 3",
        "`tool.campc.budget.quarterly-caps` must be a table of CURRENCY = amount",
    ),
    (
        "[tool.campc.budget]\nquarterly-caps = {usd = 1}",
        "`tool.campc.budget.quarterly-caps.usd` must be CURRENCY = amount",
    ),
    (
        "[tool.campc.budget]\nquarterly-caps = {USD = true}",
        "`tool.campc.budget.quarterly-caps.USD` must be CURRENCY = amount",
    ),
    (
        "[tool.campc.budget]\nquarterly-caps = {USD = 'abc'}",
        "`tool.campc.budget.quarterly-caps.USD` is not a number",
    ),
    ("[tool.campc.budget]\ndomain-caps = 3", "`tool.campc.budget.domain-caps` must be a table"),
    (
        "[tool.campc.budget]\ndomain-caps = {nope = {USD = 1}}",
        "`tool.campc.budget.domain-caps.nope` is not a domain (campagnes, acquisition, automation, performance)",  # noqa: E501 (the whole message)
    ),
    (
        "[tool.campc.budget]\ndomain-caps = {acquisition = 3}",
        "`tool.campc.budget.domain-caps.acquisition` must be a table of CURRENCY = amount",
    ),
    (
        "[tool.campc.budget]\ndomain-caps = {acquisition = {EUR = 'x'}}",
        "`tool.campc.budget.domain-caps.acquisition.EUR` is not a number",
    ),
    (
        "[tool.campc.budget]\nmax-contingency-share = 2",
        "`tool.campc.budget.max-contingency-share` must be in [0, 1]",
    ),
    (
        "[tool.campc.budget]\nmax-contingency-share = true",
        "`tool.campc.budget.max-contingency-share` must be in [0, 1]",
    ),
    (
        "[tool.campc.budget]\ncaps = 1",
        "unknown option `tool.campc.budget.caps` (known: quarterly-caps, domain-caps, max-contingency-share)",  # noqa: E501 (the whole message)
    ),
    ("[tool.campc]\nlint = 3", "[tool.campc.lint] must be a table"),
    (
        "[tool.campc.lint]\nselct = ['ALL']",
        "unknown option `tool.campc.lint.selct` (known: select, ignore, extend-select, per-file-ignores, severity)",  # noqa: E501 (the whole message)
    ),
    (
        "[tool.campc.lint]\nselect = ['ROUTE999']",
        "`tool.campc.lint.select`: unknown rule `ROUTE999` (see `campc rules`)",
    ),
    ("[tool.campc.lint]\nselect = 3", "`tool.campc.lint.select` must be a list of rule codes"),
    ("[tool.campc.lint]\nignore = [3]", "`tool.campc.lint.ignore` must be a list of rule codes"),
    (
        "[tool.campc.lint]\nextend-select = ['NOPE']",
        "`tool.campc.lint.extend-select`: unknown rule `NOPE` (see `campc rules`)",
    ),
    (
        "[tool.campc.lint]\nper-file-ignores = 3",
        "`tool.campc.lint.per-file-ignores` must be a table of glob = [codes]",
    ),
    (
        "[tool.campc.lint]\nper-file-ignores = {'a/*.yaml' = ['NOPE']}",
        '`tool.campc.lint.per-file-ignores."a/*.yaml"`: unknown rule `NOPE` (see `campc rules`)',
    ),
    (
        "[tool.campc.lint]\nseverity = 3",
        "`tool.campc.lint.severity` must be a table of code = level",
    ),
    (
        "[tool.campc.lint]\nseverity = {ROUTE001 = 'loud'}",
        "`tool.campc.lint.severity.ROUTE001`: `loud` is not one of error, warning, info",
    ),
    (
        "[tool.campc.lint]\nseverity = {NOPE = 'error'}",
        "`tool.campc.lint.severity`: unknown rule `NOPE` (see `campc rules`)",
    ),
]


def _project(root: Path, text: str) -> Path:
    (root / "pyproject.toml").write_text(
        text if text.startswith("[") else f"[tool]\n{text}\n", encoding="utf-8"
    )
    return root


@pytest.mark.parametrize(("toml", "expected"), BAD)
def test_a_bad_option_is_one_line_naming_it(tmp_path: Path, toml: str, expected: str) -> None:
    root = _project(tmp_path, toml)
    with pytest.raises(SettingsError) as raised:
        settings.load(root, selects)
    assert str(raised.value) == f"{root / 'pyproject.toml'}: {expected}"


def test_a_bad_option_stops_every_command_with_exit_2_and_no_traceback(
    campc: CliRun, tmp_path: Path
) -> None:
    root = _project(tmp_path, "[tool.campc.email]\nallow-safe = 'yes'")
    (root / "campaigns").mkdir()
    for command in (["check"], ["check", "--no-cache"], ["build"], ["schema"]):
        run = campc(*command, cwd=root)
        assert run.exit_code == 2, command
        assert "`tool.campc.email.allow-safe` must be true or false" in run.stderr
        assert "Traceback" not in run.stderr
    assert not (root / "outputs").exists()


def test_every_option_reaches_the_settings(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        """[tool.campc]
campaigns = "specs"
outputs = "out"
[tool.campc.calendar]
uid-domain = "fjord.example"
markets = ["FR", "DE-BY"]
quiet-hours = ""
[tool.campc.budget]
quarterly-caps = {EUR = 120000, USD = 10.5}
domain-caps = {acquisition = {EUR = "5000"}}
max-contingency-share = 0.2
[tool.campc.experiments]
max-duration = "6w"
[tool.campc.email]
sending-domains = ["fjord.example"]
unsubscribe-url = "https://fjord.example/u?x=1"
preferences-url = "https://fjord.example/p"
unsubscribe-mailto = "out@fjord.example"
max-subject-length = 60
allow-safe = true
[tool.campc.lint]
select = "ROUTE, META001"
ignore = ["META002"]
extend-select = ["CAL"]
per-file-ignores = {"legacy/*.yaml" = ["ROUTE001"]}
severity = {META001 = "warning"}
""",
    )
    (root / "specs").mkdir()
    found = settings.load(root, selects)
    assert (found.campaigns, found.outputs, found.schemas) == (
        root / "specs",
        root / "out",
        root / "schemas",
    )
    calendar, budget = found.policy.calendar, found.policy.budget
    assert (calendar.uid_domain, calendar.markets, calendar.quiet_hours) == (
        "fjord.example",
        ("FR", "DE-BY"),
        None,
    )
    assert budget.quarterly_caps == {"EUR": Decimal(120000), "USD": Decimal("10.5")}
    assert budget.domain_caps == {"acquisition": {"EUR": Decimal(5000)}}
    assert budget.max_contingency_share == Decimal("0.2")
    assert found.policy.experiments.max_duration == timedelta(weeks=6)
    email = found.policy.email
    assert email.sending_domains == ("fjord.example",)
    assert (email.unsubscribe_url, email.preferences_url, email.unsubscribe_mailto) == (
        "https://fjord.example/u?x=1",
        "https://fjord.example/p",
        "out@fjord.example",
    )
    assert (email.max_subject_length, email.allow_safe) == (60, True)
    lint = found.lint
    assert (lint.select, lint.ignore, lint.extend_select) == (
        ("ROUTE", "META001"),
        ("META002",),
        ("CAL",),
    )
    assert lint.per_file_ignores == (("legacy/*.yaml", ("ROUTE001",)),)
    assert lint.severity == (("META001", Severity.WARNING),)


def test_the_defaults_apply_when_a_project_says_nothing(tmp_path: Path) -> None:
    found = settings.load(_project(tmp_path, "[tool.campc]"), selects)
    assert found.policy.calendar.quiet_hours == (time(21, 0), time(8, 0))
    assert found.policy.budget.max_contingency_share == Decimal("0.1")
    assert found.policy.experiments.max_duration == timedelta(weeks=8)
    assert found.policy.email.max_subject_length == 78
    assert found.lint.select == ("ALL",)


def test_locating_a_project_reads_its_folders_without_validating_policies(
    tmp_path: Path,
) -> None:
    # what a cached check needs: the folders; a bad policy is found when a check runs
    root = _project(tmp_path, "[tool.campc]\nschemas = 'json'\n[tool.campc.email]\nallow-safe = 1")
    where = discovery.locate(root)
    assert (where.root, where.schemas) == (root, root / "json")
    with pytest.raises(SettingsError, match="allow-safe"):
        settings.validate(where)


def test_command_line_selectors_say_which_option_is_wrong() -> None:
    with pytest.raises(SettingsError) as raised:
        settings.check_selectors("--select", "ROUTE001,NOPE", selects)
    assert str(raised.value) == "`--select`: unknown rule `NOPE` (see `campc rules`)"
    assert settings.check_selectors("--ignore", " META , ROUTE001 ", selects) == (
        "META",
        "ROUTE001",
    )
