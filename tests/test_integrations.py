"""The GitHub workflow and the pre-commit hooks a campaigns repository uses, run for real:
the workflow's steps in a shallow clone of a scripted repository, the hooks under
`pre-commit try-repo`."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from tests.conftest import ROOT, CliRun, git

WORKFLOW = ROOT / ".github" / "workflows" / "campaigns.yml"
TEMPLATE = ROOT / "compiler" / "ci" / "campaigns.yml"
BIN = str(Path(sys.executable).parent)


def _yaml(path: Path) -> Any:
    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


def _environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "CAMPC_"))}
    env["PATH"] = BIN + os.pathsep + env.get("PATH", "")
    env.update(PR_NUMBER="7", PR_REPO="acme/campaigns", PR_TOKEN="t0ken")
    env.update(extra)
    return env


def test_the_shipped_workflow_is_the_one_campc_init_writes() -> None:
    assert WORKFLOW.read_bytes() == TEMPLATE.read_bytes()


def test_workflow_is_well_formed() -> None:
    workflow = _yaml(WORKFLOW)
    assert set(workflow["on"]) == {"pull_request", "push"}
    assert workflow["permissions"] == {"contents": "read", "pull-requests": "write"}
    steps = workflow["jobs"]["campaigns"]["steps"]
    assert workflow["jobs"]["campaigns"]["runs-on"] == "ubuntu-latest"
    for step in steps:
        assert ("run" in step) != ("uses" in step), step
        if "uses" in step:
            assert re.fullmatch(r"actions/[a-z-]+@v\d+", step["uses"]), step["uses"]
        else:
            # expressions go through env, never into the script (no injection)
            assert "${{" not in step["run"], step["id"]
    ids = [s.get("id") for s in steps if "run" in s]
    assert ids == ["install", "check", "outputs", "diff"]


EXPRESSIONS = {
    "${{ github.event.pull_request.base.sha }}": "PR_BASE_SHA",
    "${{ github.event.pull_request.number }}": "PR_NUMBER",
    "${{ github.repository }}": "PR_REPO",
    "${{ github.token }}": "PR_TOKEN",
}
"""The expressions the workflow's steps read, and the test's variables that stand for them."""

FAKE_GH = """#!/bin/sh
# gh, as the workflow calls it: records each call; lists the comments in $GH_COMMENTS
printf '%s\\n' "$*" >> "$GH_LOG"
case "$*" in
  *--paginate*) if [ -s "$GH_COMMENTS" ]; then cat "$GH_COMMENTS"; fi ;;
esac
"""


def _run_steps(clone: Path, env: dict[str, str]) -> dict[str, subprocess.CompletedProcess[str]]:
    """Every `run` step but the install (campc is already on PATH), as Actions runs them:
    bash -e, in the checkout, the job's and the step's env applied."""
    workflow = _yaml(WORKFLOW)
    tools = clone.parent / f"{clone.name}-tools"
    tools.mkdir(exist_ok=True)
    (tools / "gh").write_text(FAKE_GH, encoding="utf-8")
    (tools / "gh").chmod(0o755)
    env = {
        "GH_LOG": str(tools / "gh.log"),
        "GH_COMMENTS": str(tools / "comments"),
        "RUNNER_TEMP": str(tools),
        **env,
        "PATH": f"{tools}{os.pathsep}{env['PATH']}",
    }
    results = {}
    for step in workflow["jobs"]["campaigns"]["steps"]:
        if "run" not in step or step["id"] == "install":
            continue
        step_env = {**env, **{k: str(v) for k, v in workflow["env"].items()}}
        for name, value in (step.get("env") or {}).items():
            step_env[name] = env[EXPRESSIONS[value]]
        results[step["id"]] = subprocess.run(
            ["bash", "-e", "-c", step["run"]],
            cwd=clone,
            env=step_env,
            capture_output=True,
            text=True,
            check=False,
        )
    return results


def test_workflow_steps_run_in_a_shallow_pull_request_checkout(
    campc: CliRun, tmp_path: Path
) -> None:
    origin = tmp_path / "origin"
    assert campc("init", str(origin), cwd=tmp_path).exit_code == 0
    assert campc("build", cwd=origin).exit_code == 0
    git(origin, "init", "-q", "-b", "main")
    git(origin, "add", "-A")
    git(origin, "commit", "-q", "-m", "base")
    base = git(origin, "rev-parse", "HEAD")
    spec = origin / "campaigns" / "automation" / "welcome-sequence.yaml"
    spec.write_text(
        spec.read_text(encoding="utf-8").replace("duration: 2d", "duration: 3d"), encoding="utf-8"
    )
    assert campc("build", cwd=origin).exit_code == 0
    git(origin, "commit", "-q", "-am", "a longer wait")
    clone = tmp_path / "checkout"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{origin}", str(clone))
    summary = tmp_path / "summary.md"
    env = _environment(
        GITHUB_ACTIONS="true", GITHUB_STEP_SUMMARY=str(summary), PR_BASE_SHA=base, CI="true"
    )
    results = _run_steps(clone, env)
    for name, done in results.items():
        assert done.returncode == 0, f"{name}: {done.stdout}{done.stderr}"
    text = summary.read_text(encoding="utf-8")
    assert "## campc check" in text
    calls = (tmp_path / "checkout-tools" / "gh.log").read_text(encoding="utf-8").splitlines()
    assert calls[0] == (
        "api --paginate repos/acme/campaigns/issues/7/comments --jq .[] | select(.body | "
        'startswith("<!-- campc-diff -->")) | .id'
    )
    log = "\n".join(calls)
    assert (
        "api repos/acme/campaigns/issues/7/comments -f body=<!-- campc-diff -->\n## campc diff:"
        in log
    )
    assert "**Verdict: review: " in log
    # the next push edits the same comment
    (tmp_path / "checkout-tools" / "comments").write_text("4242\n", encoding="utf-8")
    again = _run_steps(clone, env)["diff"]
    assert again.returncode == 0, again.stderr
    log = (tmp_path / "checkout-tools" / "gh.log").read_text(encoding="utf-8")
    assert (
        "api -X PATCH repos/acme/campaigns/issues/comments/4242 -f body=<!-- campc-diff -->" in log
    )
    assert "| welcome-sequence | step \\`wait-2d\\` | duration: 2d -> 3d |" in text
    assert "All checks passed" in results["check"].stdout


def test_the_workflow_posts_no_comment_when_nothing_means_a_change(
    campc: CliRun, tmp_path: Path
) -> None:
    origin = tmp_path / "origin"
    campc("init", str(origin), cwd=tmp_path)
    campc("build", cwd=origin)
    git(origin, "init", "-q", "-b", "main")
    git(origin, "add", "-A")
    git(origin, "commit", "-q", "-m", "base")
    base = git(origin, "rev-parse", "HEAD")
    spec = origin / "campaigns" / "automation" / "welcome-sequence.yaml"
    spec.write_text(spec.read_text(encoding="utf-8") + "# a comment only\n", encoding="utf-8")
    git(origin, "commit", "-q", "-am", "a comment")
    results = _run_steps(origin, _environment(GITHUB_ACTIONS="true", PR_BASE_SHA=base))
    assert results["diff"].returncode == 0, results["diff"].stderr
    assert "No change in meaning: no comment." in results["diff"].stdout
    log = (tmp_path / "origin-tools" / "gh.log").read_text(encoding="utf-8")
    assert "-f body=" not in log  # it only looked for an earlier comment
    # an earlier comment (a change since undone) is updated to say nothing changes now
    (tmp_path / "origin-tools" / "comments").write_text("77\n", encoding="utf-8")
    again = _run_steps(origin, _environment(GITHUB_ACTIONS="true", PR_BASE_SHA=base))["diff"]
    assert again.returncode == 0, again.stderr
    log = (tmp_path / "origin-tools" / "gh.log").read_text(encoding="utf-8")
    assert "api -X PATCH repos/acme/campaigns/issues/comments/77 -f body=<!-- campc-diff -->" in log
    assert "No change in meaning" in log.split("comments/77", 1)[1]


def test_workflow_fails_on_stale_outputs_and_annotates_findings(
    campc: CliRun, tmp_path: Path
) -> None:
    origin = tmp_path / "origin"
    campc("init", str(origin), cwd=tmp_path)
    campc("build", cwd=origin)
    spec = origin / "campaigns" / "campagnes" / "first-campaign.yaml"
    spec.write_text(
        spec.read_text(encoding="utf-8").replace('owner: "@', 'owner: "', 1), encoding="utf-8"
    )
    git(origin, "init", "-q", "-b", "main")
    git(origin, "add", "-A")
    git(origin, "commit", "-q", "-m", "stale")
    env = _environment(GITHUB_ACTIONS="true", PR_BASE_SHA=git(origin, "rev-parse", "HEAD"))
    results = _run_steps(origin, env)
    assert results["check"].returncode == 1
    assert "::error file=campaigns/campagnes/first-campaign.yaml" in results["check"].stdout
    assert results["outputs"].returncode == 1


def test_the_workflow_stops_a_pull_request_that_edits_a_started_experiment(
    campc: CliRun, tmp_path: Path
) -> None:
    from tests.test_lock import SPEC

    origin = tmp_path / "origin"
    campc("init", str(origin), cwd=tmp_path)
    (origin / "campaigns" / "performance").mkdir(exist_ok=True)
    spec = origin / "campaigns" / "performance" / "cta.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    dated = {"GIT_COMMITTER_DATE": "2027-04-20T12:00:00+00:00"}
    git(origin, "init", "-q", "-b", "main")
    git(origin, "add", "-A")
    subprocess.run(
        ["git", "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-qm", "base"],
        cwd=origin,
        env={**os.environ, **dated},
        check=True,
    )
    base = git(origin, "rev-parse", "HEAD")
    spec.write_text(SPEC.replace("  mde: 0.15\n", "  mde: 0.10\n"), encoding="utf-8")
    subprocess.run(
        ["git", "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-qam", "pr"],
        cwd=origin,
        env={**os.environ, "GIT_COMMITTER_DATE": "2027-04-21T12:00:00+00:00"},
        check=True,
    )
    clone = tmp_path / "checkout"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{origin}", str(clone))
    results = _run_steps(clone, _environment(GITHUB_ACTIONS="true", PR_BASE_SHA=base))
    check = results["check"]
    assert check.returncode == 1, check.stdout + check.stderr
    assert "::error file=campaigns/performance/cta.yaml,line=16" in check.stdout
    assert "EXP009" in check.stdout
    assert "primary_metric.mde" in check.stdout


def _pre_commit(repo: Path, home: Path, *hook: str) -> subprocess.CompletedProcess[str]:
    # try-repo installs the hooks' repository afresh on every call (a store of its own),
    # so each call costs a pip install of campc: the test makes two.
    return subprocess.run(
        [str(Path(BIN) / "pre-commit"), "try-repo", str(ROOT), *hook, "--all-files"],
        cwd=repo,
        env=_environment(PRE_COMMIT_HOME=str(home), NO_COLOR="1"),
        capture_output=True,
        text=True,
        check=False,
    )


def test_pre_commit_hooks_pass_a_clean_repository_and_stop_a_broken_one(
    campc: CliRun, tmp_path: Path
) -> None:
    repo = tmp_path / "repo"
    campc("init", str(repo), cwd=tmp_path)
    campc("build", cwd=repo)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "start")
    home = tmp_path / "pre-commit-home"
    done = _pre_commit(repo, home)  # every hook the repository defines
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"^campc check\.+Passed$", done.stdout, re.MULTILINE), done.stdout
    assert re.search(r"^campc build --check\.+Passed$", done.stdout, re.MULTILINE), done.stdout
    spec = repo / "campaigns" / "performance" / "cta-test.yaml"
    spec.write_text(spec.read_text(encoding="utf-8") + "unknown_key: 1\n", encoding="utf-8")
    git(repo, "add", "-A")
    broken = _pre_commit(repo, home, "campc-check")
    assert broken.returncode == 1
    assert "campaigns/performance/cta-test.yaml" in broken.stdout
    assert "SCHEMA" in broken.stdout
