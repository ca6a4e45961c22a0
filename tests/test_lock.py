"""The pre-registration lock on a scripted git repository: after an experiment's start,
a change to each locked field fails `campc check --base`, an amendment turns it into a
warning, and before the start (or for a new experiment) anything goes. The as-of date
is the checked commit's, never the clock."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import CliRun

SPEC = """\
kind: experiment
id: cta
name: Pricing page call to action
domain: performance
owner: "@growth-analytics"
hypothesis: A free trial button raises trial starts.
unit: visitor
surface: pricing-page
variants:
  - {id: control, name: Contact sales, weight: 0.5}
  - {id: free-trial, name: Start free trial, weight: 0.5}
primary_metric:
  metric: conversion_rate
  baseline: 0.032
  source: "Looker: CRO / pricing funnel"
  mde: 0.15
guardrails:
  - {metric: bounce_rate, threshold: 0.02}
alpha: 0.05
power: 0.8
sides: 2
traffic: {daily: 4200}
start: 2027-04-14
max_duration: 6w
"""


def _git(root: Path, *args: str, when: str = "2027-04-20T12:00:00+00:00") -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_DATE": when,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


def _repo(tmp_path: Path, when: str = "2027-04-20T12:00:00+00:00") -> Path:
    root = tmp_path / "repo"
    spec = root / "campaigns" / "performance" / "cta.yaml"
    spec.parent.mkdir(parents=True)
    spec.write_text(SPEC, encoding="utf-8")
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "register the test", when=when)
    return root


def _edit(root: Path, old: str, new: str) -> None:
    spec = root / "campaigns" / "performance" / "cta.yaml"
    text = spec.read_text(encoding="utf-8")
    assert old in text
    spec.write_text(text.replace(old, new, 1), encoding="utf-8")


EDITS = [
    ("  mde: 0.15\n", "  mde: 0.10\n", "primary_metric.mde", "0.15 -> 0.1"),
    ("  metric: conversion_rate\n", "  metric: signup_rate\n", "primary_metric.metric", ""),
    ("  baseline: 0.032\n", "  baseline: 0.04\n", "primary_metric.baseline", ""),
    ("alpha: 0.05\n", "alpha: 0.1\n", "alpha", "0.05 -> 0.1"),
    ("power: 0.8\n", "power: 0.9\n", "power", ""),
    ("sides: 2\n", "sides: 1\n", "sides", "2 -> 1"),
    ("unit: visitor\n", "unit: session\n", "unit", ""),
    ("start: 2027-04-14\n", "start: 2027-05-03\n", "start", "2027-04-14 -> 2027-05-03"),
    ("traffic:", "looks: 3\ntraffic:", "looks", "1 -> 3"),
    ("traffic:", "correction: none\ntraffic:", "correction", ""),
    (
        "weight: 0.5}\n  - {id: free-trial, name: Start free trial, weight: 0.5}",
        "weight: 0.4}\n  - {id: free-trial, name: Start free trial, weight: 0.6}",
        "variants.free-trial.weight",
        "0.5 -> 0.6",
    ),
    ("threshold: 0.02}", "threshold: 0.05}", "guardrails.bounce_rate.threshold", ""),
    ("  - {metric: bounce_rate, threshold: 0.02}\n", "  []\n", "guardrails.bounce_rate", ""),
]


@pytest.mark.parametrize(("old", "new", "field", "shown"), EDITS, ids=[e[2] for e in EDITS])
def test_a_locked_field_changed_after_the_start_fails(
    campc: CliRun, tmp_path: Path, old: str, new: str, field: str, shown: str
) -> None:
    root = _repo(tmp_path)
    if field == "guardrails.bounce_rate":
        old, new = "guardrails:\n  - {metric: bounce_rate, threshold: 0.02}\n", "guardrails: []\n"
    _edit(root, old, new)
    run = campc("check", "--base", "HEAD", "--select", "EXP009,EXP010", cwd=root)
    assert run.exit_code == 1, run.stdout
    assert "EXP009" in run.stdout
    assert f"`{field}" in run.stdout
    assert "is locked since the start on 2027-04-14" in run.stdout
    if shown:
        assert shown in run.stdout
    assert "Traceback" not in run.stdout + run.stderr


def test_an_amendment_turns_the_error_into_a_warning(campc: CliRun, tmp_path: Path) -> None:
    root = _repo(tmp_path)
    _edit(root, "  mde: 0.15\n", "  mde: 0.10\n")
    _edit(
        root,
        "max_duration: 6w\n",
        "max_duration: 6w\namendments:\n  - date: 2027-04-20\n    fields: [primary_metric]\n"
        "    reason: the baseline was measured on the wrong segment\n"
        '    approver: "@growth-analytics"\n',
    )
    run = campc("check", "--base", "HEAD", "--select", "EXP009,EXP010", cwd=root)
    assert run.exit_code == 0, run.stdout
    assert "EXP009" not in run.stdout
    assert "EXP010" in run.stdout
    assert "amended on 2027-04-20 by @growth-analytics" in run.stdout
    strict = campc("check", "--base", "HEAD", "--strict", "--select", "EXP010", cwd=root)
    assert strict.exit_code == 1


def test_before_the_start_and_for_new_experiments_anything_goes(
    campc: CliRun, tmp_path: Path
) -> None:
    root = _repo(tmp_path)
    _edit(root, "  mde: 0.15\n", "  mde: 0.10\n")
    early = campc("check", "--base", "HEAD", "--as-of", "2027-04-13", cwd=root)
    assert "EXP009" not in early.stdout, early.stdout
    locked = campc("check", "--base", "HEAD", "--as-of", "2027-04-14", cwd=root)
    assert "EXP009" in locked.stdout  # the start day itself is locked
    other = root / "campaigns" / "performance" / "other.yaml"
    other.write_text(SPEC.replace("id: cta", "id: other"), encoding="utf-8")
    run = campc("check", "--base", "HEAD", "--select", "EXP009,EXP010", cwd=root)
    assert "other.yaml" not in run.stdout


def test_the_default_as_of_is_the_commit_date_not_the_clock(campc: CliRun, tmp_path: Path) -> None:
    root = _repo(tmp_path, when="2027-04-01T09:00:00+00:00")
    _edit(root, "  mde: 0.15\n", "  mde: 0.10\n")
    assert "EXP009" not in campc("check", "--base", "HEAD", cwd=root).stdout
    _git(root, "commit", "-qam", "later", when="2027-04-15T09:00:00+00:00")
    _edit(root, "alpha: 0.05\n", "alpha: 0.1\n")
    run = campc("check", "--base", "HEAD~1", cwd=root)
    assert (
        "`primary_metric.mde`" in run.stdout
    )  # HEAD~1 registered mde 0.15; HEAD is dated 15 April
    assert "`alpha`" in run.stdout


def test_reformatting_a_started_experiment_changes_nothing(campc: CliRun, tmp_path: Path) -> None:
    root = _repo(tmp_path)
    _edit(root, "  mde: 0.15\n", "  mde: 0.150  # same value\n")
    _edit(root, "traffic: {daily: 4200}\n", "traffic:\n  daily: 4200\n")
    _edit(root, '  source: "Looker: CRO / pricing funnel"\n', "  source: Looker, Q1\n")
    _edit(root, "name: Start free trial", "name: Try it free")
    run = campc("check", "--base", "HEAD", cwd=root)
    assert "EXP009" not in run.stdout, run.stdout


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--as-of", "2027-04-20"], "--as-of dates the lock of --base"),
        (["--base", "no-such-branch"], "unknown revision `no-such-branch`"),
        (["--base", "--upload-pack=touch /tmp/x"], "is not a revision"),
    ],
)
def test_bad_lock_options_exit_2_in_one_line(
    campc: CliRun, tmp_path: Path, args: list[str], says: str
) -> None:
    root = _repo(tmp_path)
    run = campc("check", *args, cwd=root)
    assert run.exit_code == 2, run.stdout
    assert says in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1


def test_diff_shows_locked_changes_first(campc: CliRun, tmp_path: Path) -> None:
    root = _repo(tmp_path)
    _edit(root, "  mde: 0.15\n", "  mde: 0.10\n")
    run = campc("diff", "HEAD", cwd=root)
    assert run.exit_code == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[2].startswith("**Verdict: blocks: 1 locked field changed")
    assert lines[4] == "**Locked experiment designs changed**: 1 field, 1 without an amendment"
    assert "<strong>Locked experiment designs</strong> (1)" in run.stdout
    assert "| cta | primary_metric.mde | 0.15 -> 0.1 | locked since 2027-04-14 (EXP009) |" in (
        run.stdout
    )
    assert run.stdout.index("Locked experiment designs") < run.stdout.index(
        "<strong>Experiments</strong>"
    )


def test_diff_reports_a_started_experiment_removed(campc: CliRun, tmp_path: Path) -> None:
    root = _repo(tmp_path)
    (root / "campaigns" / "performance" / "cta.yaml").unlink()
    run = campc("diff", "HEAD", "--format", "json", cwd=root)
    locked = json.loads(run.stdout)["locked"]
    assert locked == [
        {
            "experiment": "cta",
            "field": "(the experiment)",
            "change": "removed",
            "status": "started 2027-04-14: its registered plan is gone",
        }
    ]


def test_diff_and_check_agree_on_a_renamed_experiment(campc: CliRun, tmp_path: Path) -> None:
    root = _repo(tmp_path)
    _edit(root, "id: cta", "id: cta-v2")
    locked = json.loads(campc("diff", "HEAD", "--format", "json", cwd=root).stdout)["locked"]
    assert [(row["field"], row["change"]) for row in locked] == [("id", "cta -> cta-v2")]


def _amend(root: Path, day: str, field: str) -> None:
    _edit(
        root,
        "max_duration: 6w\n",
        f"max_duration: 6w\namendments:\n  - date: {day}\n    fields: [{field}]\n"
        "    reason: the baseline was measured on the wrong segment\n"
        '    approver: "@growth-analytics"\n',
    )


def test_an_amendment_dated_after_the_as_of_amends_nothing_yet(
    campc: CliRun, tmp_path: Path
) -> None:
    root = _repo(tmp_path)
    _edit(root, "  mde: 0.15\n", "  mde: 0.10\n")
    _amend(root, "2027-05-01", "primary_metric.mde")
    run = campc("check", "--base", "HEAD", "--select", "EXP009,EXP010", cwd=root)
    assert "EXP009" in run.stdout, run.stdout  # HEAD is dated 20 April
    later = campc("check", "--base", "HEAD", "--as-of", "2027-05-02", cwd=root)
    assert "EXP010" in later.stdout


@pytest.mark.parametrize(
    ("day", "field", "says"),
    [
        ("2027-04-20", "primary_metric.mdee", ""),
        ("2027-04-20", "primary_metrc.mde", "did you mean `primary_metric`?"),
        ("2027-04-01", "primary_metric.mde", "is before the start (2027-04-14)"),
    ],
)
def test_an_amendment_names_a_locked_field_after_the_start(
    campc: CliRun, tmp_path: Path, day: str, field: str, says: str
) -> None:
    root = _repo(tmp_path)
    _edit(root, "  mde: 0.15\n", "  mde: 0.10\n")
    _amend(root, day, field)
    run = campc("check", "--base", "HEAD", cwd=root)
    assert run.exit_code == 1
    if says:
        assert "SCHEMA" in run.stdout
        assert says in run.stdout
    else:  # a misspelt path under a locked field covers nothing: the change stays locked
        assert "EXP009" in run.stdout


def test_diff_takes_the_as_of_date_too(campc: CliRun, tmp_path: Path) -> None:
    root = _repo(tmp_path, when="2027-04-01T09:00:00+00:00")
    _edit(root, "  mde: 0.15\n", "  mde: 0.10\n")
    quiet = json.loads(campc("diff", "HEAD", "--format", "json", cwd=root).stdout)
    assert quiet["locked"] == []  # HEAD is dated before the start
    dated = campc("diff", "HEAD", "--as-of", "2027-04-20", "--format", "json", cwd=root)
    assert [row["field"] for row in json.loads(dated.stdout)["locked"]] == ["primary_metric.mde"]
