"""`campc new` and `campc init`: spec skeletons and a new campaigns repository that checks clean.

Both write into folders a pull request may have prepared: every file is created with
`O_CREAT | O_EXCL | O_NOFOLLOW` below folders opened one component at a time with
`O_NOFOLLOW`, so nothing is overwritten and no link is followed, and `init` checks every
path first, so it refuses with the whole list before writing anything. Values a user
passes are checked (a slug id of at most 64 characters, one of the four domains, an
owner that is an email address or a team handle) and written as quoted YAML scalars.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
from pathlib import Path

from compiler import files
from compiler.files import NotRegular, describe, parts_below, scan
from compiler.model.common import SLUG_PATTERN
from compiler.model.names import DOMAINS, OWNER_EMAIL, OWNER_HANDLE
from compiler.output.schemas import render

DEFAULT_DOMAIN = {
    "campaign": "campagnes",
    "sequence": "automation",
    "scoring_model": "automation",
    "experiment": "performance",
}


ID_LIMIT = 64
"""The model's limit on a slug (`model.common.Slug`); the file name is the id + `.yaml`."""
OWNER_LIMIT = 200
"""The model's limit on `owner`."""

_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
_FOLDER = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_GITIGNORE = "# campc's cache (it also ignores itself)\n.campc_cache/\n"


class ScaffoldError(Exception):
    """The scaffold cannot be written (exit 2)."""


def _title(spec_id: str) -> str:
    return spec_id.replace("-", " ").capitalize()


_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 -]*")
"""Words YAML reads back as the same text when written plain, but for the three below."""


def _yaml_text(value: str) -> str:
    """`value` as a YAML scalar that reads back as that text: plain when it is words,
    else double-quoted (a JSON string is one), so no value can add a key."""
    if _PLAIN.fullmatch(value) and value.lower() not in ("null", "true", "false"):
        return value
    return json.dumps(value)


def _shown(value: str) -> str:
    """A value from the command line, on one line in an error message."""
    text = value if len(value) <= 80 else value[:80] + "..."
    return ascii(text) if not text.isprintable() else f"`{text}`"


def check_id(spec_id: str) -> None:
    """ScaffoldError unless `spec_id` is a slug the model accepts."""
    if not re.fullmatch(SLUG_PATTERN, spec_id):
        raise ScaffoldError(f"{_shown(spec_id)} is not a slug like `spring-launch-2027`")
    if len(spec_id) > ID_LIMIT:
        raise ScaffoldError(f"an id has at most {ID_LIMIT} characters ({len(spec_id)} given)")


def check_owner(owner: str) -> None:
    """ScaffoldError unless `owner` is an email address or a team handle (META001's test)."""

    if len(owner) > OWNER_LIMIT:
        raise ScaffoldError(f"an owner has at most {OWNER_LIMIT} characters")
    if not (re.fullmatch(OWNER_EMAIL, owner) or re.fullmatch(OWNER_HANDLE, owner)):
        raise ScaffoldError(
            f"owner {_shown(owner)} is neither an email address (ops@acme.example)"
            " nor a team handle (@growth-team)"
        )


def skeleton(kind: str, spec_id: str, domain: str, owner: str) -> str:
    """A minimal valid spec of `kind`, with the schema modeline for its folder depth."""
    head = (
        f"# yaml-language-server: $schema=../../schemas/{kind}.schema.json\n"
        f"kind: {kind}\nid: {_yaml_text(spec_id)}\nname: {_yaml_text(_title(spec_id))}\n"
        f"domain: {domain}\nowner: {json.dumps(owner)}\n"
    )
    bodies = {
        "campaign": (
            "description: What the campaign is and why it runs.\n"
            "timezone: Europe/Paris\n"
            "window: {start: 2027-04-05, end: 2027-04-30}\n"
            "audiences: [everyone]\n"
            "kpis:\n  - {metric: reach, target: 10000, primary: true}\n"
        ),
        "sequence": (
            "description: Who enters, and what the sequence should make them do.\n"
            "trigger: {event: signed_up}\n"
            "audience: everyone\n"
            'quiet_hours: {start: "21:00", end: "08:00"}\n'
            "frequency_cap: {max: 2, per: 7d}\n"
            'sender: {from: "Team <hello@example.com>"}\n'
            "steps:\n"
            "  - id: welcome\n    type: send\n"
            "    email: {template: welcome.html, subject: Welcome, preheader: Start here}\n"
            "  - {id: wait-2d, type: wait, duration: 2d}\n"
            "  - {id: done, type: exit}\n"
            "kpis:\n  - {metric: sequence_conversion_rate, target: 0.1, primary: true}\n"
        ),
        "scoring_model": (
            "catalog:\n"
            "  attributes: {company_size: {type: number}}\n"
            "  events: {demo_requested: {}}\n"
            "fit:\n  - {id: mid-market, attribute: company_size, op: gte, value: 200, points: 20}\n"
            "behaviour:\n  - {id: demo, event: demo_requested, points: 40, once: true}\n"
            "thresholds: {mql: 40, sql: 60}\n"
            "examples:\n"
            "  - id: mid-market-demo\n    attributes: {company_size: 500}\n"
            "    events: [{event: demo_requested, at: 2027-04-05T10:00}]\n"
            "    as_of: 2027-04-05\n    expect: {total: 60, stage: sql}\n"
            "kpis:\n  - {metric: lead_velocity_rate, target: 0.05, primary: true}\n"
        ),
        "experiment": (
            "description: What the test changes, and where.\n"
            "hypothesis: Because X, changing Y will raise Z.\n"
            "unit: visitor\n"
            "surface: pricing-page\n"
            "variants:\n"
            "  - {id: control, name: Current, weight: 0.5}\n"
            "  - {id: treatment, name: New, weight: 0.5}\n"
            "primary_metric: {metric: conversion_rate, baseline: 0.05, mde: 0.1}\n"
            "guardrails:\n  - {metric: bounce_rate, threshold: 0.02}\n"
            "traffic: {daily: 5000}\n"
            "start: 2027-04-05\n"
            "kpis:\n  - {metric: conversion_rate, target: 0.055, primary: true}\n"
        ),
    }
    return head + bodies[kind]


def _problem(root: Path, parts: tuple[str, ...], merge: bool = False) -> str | None:
    """Why `root/parts...` cannot be created (a link or a file on the way, or the file
    already there), or None."""
    walked = root
    for index, part in enumerate(parts):
        walked = walked / part
        try:
            mode = os.lstat(walked).st_mode
        except FileNotFoundError:
            return None
        last = index == len(parts) - 1
        if stat.S_ISLNK(mode):
            return f"{walked} is a symbolic link"
        if last:
            if merge and stat.S_ISREG(mode):
                return None
            return f"{walked} exists" + ("" if stat.S_ISREG(mode) else f" ({describe(mode)})")
        if not stat.S_ISDIR(mode):
            return f"{walked} is {describe(mode)}, not a folder"
    return None


def _open_folders(root: Path, parts: tuple[str, ...]) -> int:
    """A descriptor of `root/parts...`, each folder made if missing and opened without
    following a link."""
    try:
        return files.open_folder(root, parts, create=0o777)
    except files.NotRegular as err:
        raise ScaffoldError(
            f"{err.path} is {err.what}, not a folder campc may write into"
        ) from None


def _create(root: Path, parts: tuple[str, ...], text: str) -> None:
    """Write a new file `root/parts...`: never over a file, never through a link."""
    folder = _open_folders(root, parts[:-1])
    try:
        descriptor = os.open(parts[-1], _CREATE, 0o666, dir_fd=folder)
    except FileExistsError:
        raise ScaffoldError(f"{root.joinpath(*parts)} exists (nothing overwritten)") from None
    except OSError as err:
        if err.errno in (errno.ELOOP, errno.EMLINK):
            raise ScaffoldError(f"{root.joinpath(*parts)} is a symbolic link") from None
        raise
    finally:
        os.close(folder)
    with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)


def _merge_gitignore(root: Path, parts: tuple[str, ...], text: str) -> None:
    """Append to an existing `.gitignore` (a regular file, reached without a link) the
    lines of `text` it lacks; create it when there is none."""
    folder = _open_folders(root, parts[:-1])
    try:
        try:
            descriptor = os.open(
                parts[-1], os.O_RDWR | os.O_APPEND | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=folder
            )
        except FileNotFoundError:
            descriptor = None
        except OSError as err:
            if err.errno in (errno.ELOOP, errno.EMLINK):
                raise ScaffoldError(f"{root.joinpath(*parts)} is a symbolic link") from None
            raise
    finally:
        os.close(folder)
    if descriptor is None:
        _create(root, parts, text)
        return
    with os.fdopen(descriptor, "r+b") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise ScaffoldError(f"{root.joinpath(*parts)} is not a regular file")
        present = handle.read()
        lines = {line.strip() for line in present.decode("utf-8", "replace").splitlines()}
        missing = [line for line in text.splitlines() if line.strip() and line.strip() not in lines]
        if not any(not line.startswith("#") for line in missing):
            return  # every pattern is there already
        addition = "\n".join(missing) + "\n"
        if present and not present.endswith(b"\n"):
            addition = "\n" + addition
        handle.write(addition.encode("utf-8"))


def _target(campaigns: Path, kind: str, spec_id: str, domain: str | None) -> Path:
    if kind not in DEFAULT_DOMAIN:
        raise ScaffoldError(f"unknown kind {_shown(kind)} ({', '.join(DEFAULT_DOMAIN)})")
    check_id(spec_id)
    if domain is not None and domain not in DOMAINS:
        raise ScaffoldError(f"unknown domain {_shown(domain)} ({', '.join(DOMAINS)})")
    return campaigns / (domain or DEFAULT_DOMAIN[kind]) / f"{spec_id}.yaml"


def _taken(campaigns: Path, spec_id: str) -> Path | None:
    """A spec file of that id anywhere in the campaigns folder (links are not followed)."""

    names = {f"{spec_id}.yaml", f"{spec_id}.yml"}
    return next((e.path for e in scan(campaigns, wanted=names.__contains__)), None)


def new_spec(
    campaigns: Path,
    kind: str,
    spec_id: str,
    domain: str | None,
    owner: str,
    root: Path | None = None,
    extra: str = "",
) -> Path:
    """Write a skeleton into `campaigns/<domain>/<id>.yaml` below the project `root`
    (default: the campaigns folder's parent); never overwrite, never through a link."""
    target = _target(campaigns, kind, spec_id, domain)
    check_owner(owner)
    root = root if root is not None else campaigns.parent
    try:
        parts = parts_below(target, root)
    except NotRegular:
        raise ScaffoldError(f"{target} is outside the project {root}") from None
    problem = _problem(root, parts)
    if problem is not None:
        raise ScaffoldError(problem)
    taken = _taken(campaigns, spec_id)
    if taken is not None:
        raise ScaffoldError(f"id `{spec_id}` is taken: {taken} (ids are unique)")
    text = skeleton(kind, spec_id, domain or DEFAULT_DOMAIN[kind], owner) + extra
    try:
        _create(root, parts, text)
    except OSError as err:
        raise ScaffoldError(f"{target}: {err.strerror or err}") from None
    return target


_PYPROJECT = """[tool.campc]
campaigns = "campaigns"
outputs = "outputs"
schemas = "schemas"

[tool.campc.calendar]
uid-domain = "example.com"

[tool.campc.email]
# EMAIL021 checks each email against caniemail.com for the clients most opens come from
# (`clients = [...]` to choose); the layout uses these knowing some clients ignore them:
# long words stay unbroken in Gmail and Outlook, Yahoo reads `height: auto` as a minimum
allow-unsupported = ["css-overflow-wrap", "css-height"]
# To also write each email in your ESP's syntax (outputs/esp/), name the ESP and which of
# its fields holds each template variable:
# esp = ["customerio"]  # or "braze", "klaviyo", "hubspot", "mailchimp", "brevo", "mautic"
# [tool.campc.email.fields.customerio]
# first_name = "customer.first_name"

# Where your warehouse keeps the leads and events the scoring SQL and the dbt project
# (outputs/scoring/dbt/) read; the defaults are `leads` and `events` in the session's schema:
# [tool.campc.scoring]
# schema = "crm"
# leads = "crm_leads"
# events = "crm_events"
# dbt-profile = "campc"
"""

_AUDIENCES = """# yaml-language-server: $schema=../schemas/audiences.schema.json
kind: audiences
audiences:
  - id: everyone
    description: Everyone opted in to marketing email.
    markets: [{country: FR}]
    timezone: Europe/Paris
    frequency_cap: [{max: 1, per: 1d}, {max: 3, per: 7d}]
"""

_ROUTING = """# yaml-language-server: $schema=../../schemas/routing.schema.json
# Extends the built-in routing table; add the team's own words.
kind: routing
extend: true
"""

_METRICS = """# yaml-language-server: $schema=../../schemas/metrics.schema.json
# Extends the built-in metric registry; add the team's own metrics.
kind: metrics
extend: true
metrics: []
"""

_UTM = """# yaml-language-server: $schema=../../schemas/utm.schema.json
# The utm_source values your dashboards group (none listed: any); utm_medium stays
# `email`, the value Google Analytics 4 files under its Email channel.
kind: utm
extend: true
sources: []
"""

_LAYOUT = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  {# the email has a dark version: clients that honour it do not invert its colours #}
  <meta name="color-scheme" content="light dark">
  <meta name="supported-color-schemes" content="light dark">
  <title>{{ subject }}</title>
  <style>
    body { margin: 0; padding: 0; background: #f4f5f7; color: #1d2330;
           font-family: Helvetica, Arial, sans-serif; }
    .container { width: 100%; max-width: 600px; background: #ffffff; }
    .content { padding: 32px; font-size: 16px; line-height: 24px; overflow-wrap: break-word; }
    img { max-width: 100%; height: auto; border: 0; }
    h1 { font-size: 24px; line-height: 32px; margin: 0 0 16px; }
    .footer { padding: 24px 32px; font-size: 12px; color: #4b5563; }
    .footer a { color: #1d4ed8; }
    /* dark mode (Apple Mail, Outlook for Mac, iOS): !important beats the inlined styles */
    @media (prefers-color-scheme: dark) {
      body { background: #0f1115 !important; color: #e5e7eb !important; }
      .container { background: #1d2330 !important; }
      .content { color: #e5e7eb !important; }
      .footer { color: #c0c6d0 !important; }
      .footer a { color: #9cc1ff !important; }
    }
  </style>
</head>
<body>
  <table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0">
    <tr><td align="center">
      <table role="presentation" class="container" width="100%"
             cellpadding="0" cellspacing="0" border="0">
        <tr><td class="content">
          {% block content %}{% endblock %}
        </td></tr>
        <tr><td class="footer">
          {# Your organisation's name and postal address: bulk mail must say who sends it. #}
          Example Ltd, 1 Example Street, Example City.<br>
          You receive this email because you signed up.
          <a href="{{ unsubscribe_url }}">Unsubscribe</a> or
          <a href="{{ preferences_url }}">manage your preferences</a>.
        </td></tr>
      </table>
    </td></tr>
  </table>
</body>
</html>
"""
"""`templates/layouts/base.html`: fluid up to 600 px wide (no sideways scrolling on a
phone), styles inlined at build time, a dark version for clients that ask for one
(`prefers-color-scheme`, the `color-scheme` meta), every text at WCAG AA contrast in
both, and the footer every bulk email needs."""

_TEMPLATE = """{% extends "layouts/base.html" %}
{% block content %}
<h1>Welcome!</h1>
<p>Thanks for signing up. Here is what happens next, and where to start.</p>
{% endblock %}
"""


def init(root: Path, owner: str) -> list[Path]:
    """A new campaigns repository in `root`: config, conventions, one spec of each kind,
    the CI workflow and the pre-commit configuration. Refuses, writing nothing, when any
    of its files exists or a link is on the way (an existing `.gitignore` gets the lines
    it lacks)."""
    check_owner(owner)
    campaigns = root / "campaigns"
    files = {
        root / "pyproject.toml": _PYPROJECT,
        campaigns / "audiences.yaml": _AUDIENCES,
        campaigns / "conventions" / "routing.yaml": _ROUTING,
        campaigns / "conventions" / "metrics.yaml": _METRICS,
        campaigns / "conventions" / "utm.yaml": _UTM,
        campaigns / "templates" / "layouts" / "base.html": _LAYOUT,
        campaigns / "templates" / "welcome.html": _TEMPLATE,
    }
    from importlib.resources import files as package_files

    ci = package_files("compiler") / "ci"
    files[root / ".github" / "workflows" / "campaigns.yml"] = (ci / "campaigns.yml").read_text()
    files[root / ".pre-commit-config.yaml"] = (ci / "pre-commit-config.yaml").read_text()
    files.update({root / "schemas" / name: data.decode() for name, data in render().items()})
    specs = [
        ("sequence", "welcome-sequence", ""),
        ("scoring_model", "lead-scoring", ""),
        ("experiment", "cta-test", ""),
        (
            "campaign",
            "first-campaign",
            "sequences:\n  - {id: welcome-sequence, cohort_enters: 2027-04-06T10:00}\n"
            "experiments: [cta-test]\n",
        ),
    ]
    for kind, spec_id, extra in specs:
        files[_target(campaigns, kind, spec_id, None)] = (
            skeleton(kind, spec_id, DEFAULT_DOMAIN[kind], owner) + extra
        )
    gitignore = root / ".gitignore"
    if root.exists() and not root.is_dir():
        raise ScaffoldError(f"{root} is not a folder")
    problems = [
        problem
        for path in [*files, gitignore]
        if (problem := _problem(root, parts_below(path, root), merge=path == gitignore))
    ]
    if campaigns.is_dir() and not campaigns.is_symlink():
        problems.append(f"{campaigns} exists (a campaigns folder)")
    if problems:
        raise ScaffoldError(
            f"{root} is not a fresh folder: {'; '.join(sorted(set(problems)))} (nothing written)"
        )
    try:
        root.mkdir(parents=True, exist_ok=True)
        for path, text in files.items():
            _create(root, parts_below(path, root), text)
        _merge_gitignore(root, (".gitignore",), _GITIGNORE)
    except OSError as err:
        where = f"{err.filename}: " if err.filename else ""
        raise ScaffoldError(f"{where}{err.strerror or err}") from None
    return [*files, gitignore]
