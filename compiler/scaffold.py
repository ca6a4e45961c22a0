"""`campc new` and `campc init`: spec skeletons and a new campaigns repository that checks clean."""

from __future__ import annotations

import re
from pathlib import Path

from compiler.model.common import SLUG_PATTERN

DEFAULT_DOMAIN = {
    "campaign": "campagnes",
    "sequence": "automation",
    "scoring_model": "automation",
    "experiment": "performance",
}


class ScaffoldError(Exception):
    """The scaffold cannot be written (exit 2)."""


def _title(spec_id: str) -> str:
    return spec_id.replace("-", " ").capitalize()


def skeleton(kind: str, spec_id: str, domain: str, owner: str) -> str:
    """A minimal valid spec of `kind`, with the schema modeline for its folder depth."""
    head = (
        f"# yaml-language-server: $schema=../../schemas/{kind}.schema.json\n"
        f"kind: {kind}\nid: {spec_id}\nname: {_title(spec_id)}\ndomain: {domain}\n"
        f'owner: "{owner}"\n'
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


def new_spec(campaigns: Path, kind: str, spec_id: str, domain: str | None, owner: str) -> Path:
    """Write a skeleton into `campaigns/<domain>/<id>.yaml`; never overwrite."""
    if kind not in DEFAULT_DOMAIN:
        raise ScaffoldError(f"unknown kind `{kind}` ({', '.join(DEFAULT_DOMAIN)})")
    if not re.fullmatch(SLUG_PATTERN, spec_id):
        raise ScaffoldError(f"`{spec_id}` is not a slug like `spring-launch-2027`")
    folder = campaigns / (domain or DEFAULT_DOMAIN[kind])
    target = folder / f"{spec_id}.yaml"
    taken = sorted(campaigns.rglob(f"{spec_id}.y*ml")) if campaigns.is_dir() else []
    if taken:
        raise ScaffoldError(f"id `{spec_id}` is taken: {taken[0]} (ids are unique)")
    folder.mkdir(parents=True, exist_ok=True)
    target.write_text(skeleton(kind, spec_id, domain or DEFAULT_DOMAIN[kind], owner))
    return target


_PYPROJECT = """[tool.campc]
campaigns = "campaigns"
outputs = "outputs"
schemas = "schemas"

[tool.campc.calendar]
uid-domain = "example.com"
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

_TEMPLATE = """<!DOCTYPE html>
<html lang="en"><body>
<p>Welcome!</p>
<p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p>
</body></html>
"""


def init(root: Path, owner: str) -> list[Path]:
    """A new campaigns repository in `root`: config, conventions, one spec of each kind,
    the CI workflow and the pre-commit configuration."""
    if (root / "campaigns").exists() or (root / "pyproject.toml").exists():
        raise ScaffoldError(f"{root} already holds a campaigns folder or a pyproject.toml")
    campaigns = root / "campaigns"
    files = {
        root / "pyproject.toml": _PYPROJECT,
        campaigns / "audiences.yaml": _AUDIENCES,
        campaigns / "conventions" / "routing.yaml": _ROUTING,
        campaigns / "conventions" / "metrics.yaml": _METRICS,
        campaigns / "conventions" / "utm.yaml": _UTM,
        campaigns / "templates" / "welcome.html": _TEMPLATE,
    }
    from importlib.resources import files as package_files

    from compiler.schemas import render

    ci = package_files("compiler") / "ci"
    files[root / ".github" / "workflows" / "campaigns.yml"] = (ci / "campaigns.yml").read_text()
    files[root / ".pre-commit-config.yaml"] = (ci / "pre-commit-config.yaml").read_text()
    files[root / ".gitignore"] = "# campc's cache (it also ignores itself)\n.campc_cache/\n"
    files.update({root / "schemas" / name: data.decode() for name, data in render().items()})
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    written = list(files)
    written.append(new_spec(campaigns, "sequence", "welcome-sequence", None, owner))
    written.append(new_spec(campaigns, "scoring_model", "lead-scoring", None, owner))
    written.append(new_spec(campaigns, "experiment", "cta-test", None, owner))
    launch = new_spec(campaigns, "campaign", "first-campaign", None, owner)
    launch.write_text(
        launch.read_text()
        + "sequences:\n  - {id: welcome-sequence, cohort_enters: 2027-04-06T10:00}\n"
        + "experiments: [cta-test]\n"
    )
    written.append(launch)
    return written
