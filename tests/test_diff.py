"""`campc diff` on a scripted git repository: a change of every kind, a base that predates
the specs, a shallow clone, JSON output and the GitHub job summary."""

from __future__ import annotations

import json
import shutil
from pathlib import Path, PurePosixPath

import pytest
from ruamel.yaml import YAML

from tests.conftest import ROOT, CliRun, assert_golden, git

GOLDEN = ROOT / "tests" / "golden" / "diff"
PYPROJECT = """[tool.campc]
campaigns = "campaigns"
outputs = "outputs"
schemas = "schemas"

[tool.campc.email]
allow-unsupported = ["css-border-radius", "css-overflow-wrap", "css-height"]  # as the example
"""


def edit(root: Path, name: str, *pairs: tuple[str, str]) -> None:
    path = root / "campaigns" / name
    text = path.read_text(encoding="utf-8")
    for old, new in pairs:
        assert old in text, f"{old!r} not in {name}"
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """Three commits: config only; the example repository (with one owner finding);
    then a change of every kind `campc diff` reports."""
    root = tmp_path_factory.mktemp("history") / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "config only")
    shutil.copytree(ROOT / "campaigns", root / "campaigns")
    edit(root, "acquisition/monthly-newsletter-q2.yaml", ('owner: "@growth-team"', "owner: Marie"))
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "the quarter")

    edit(root, "acquisition/monthly-newsletter-q2.yaml", ("owner: Marie", 'owner: "@growth-team"'))
    edit(
        root,
        "campagnes/pulse-launch-2027.yaml",
        ("total: 60000", "total: 65000"),
        ("paid_social: 36000", "paid_social: 41000"),
        ("at: 2027-04-20T09:30", "at: 2027-04-21T09:30"),
        (
            "milestones:",
            "  - id: last-call\n    name: Last call\n    audience: eu-data-leaders\n"
            "    at: 2027-04-27T09:30\n    email:\n      template: launch/reminder.html\n"
            '      subject: "Last call: Fjord Pulse demo"\n'
            "      preheader: Seats are going.\nmilestones:",
        ),
    )
    edit(root, "automation/trial-onboarding-nurture.yaml", ("duration: 2d}", "duration: 5d}"))
    edit(root, "performance/pricing-page-cta.yaml", ("mde: 0.15", "mde: 0.10"))
    edit(
        root,
        "automation/b2b-lead-scoring.yaml",
        ("thresholds: {mql: 50, sql: 75}", "thresholds: {mql: 55, sql: 75}"),
        ("value: 200, points: 15}", "value: 200, points: 20}"),
    )
    edit(root, "campagnes/data-quality-roadshow.yaml", ("id: data-quality-roadshow", "id: dq-tour"))
    added = root / "campaigns" / "performance" / "hero-image.yaml"
    added.write_text(
        (root / "campaigns" / "performance" / "pricing-page-cta.yaml")
        .read_text(encoding="utf-8")
        .replace("id: pricing-page-cta", "id: hero-image"),
        encoding="utf-8",
    )
    (root / "campaigns" / "performance" / "signup-form-fields.yaml").unlink()
    git(root, "mv", "campaigns/acquisition/referral-programme-2027.yaml", "campaigns/campagnes/")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "every kind of change")
    shas = git(root, "rev-list", "--reverse", "HEAD").splitlines()
    return root, shas


def test_a_change_of_every_kind_reads_as_its_meaning(
    campc: CliRun, history: tuple[Path, list[str]]
) -> None:
    root, _ = history
    run = campc("diff", "HEAD~1", "HEAD", cwd=root)
    assert run.exit_code == 0, run.stderr
    assert_golden(GOLDEN / "every-kind.md", run.stdout)
    for expected in (
        "| added | experiment | hero-image |",
        "| removed | experiment | signup-form-fields |",
        "| renamed | campaign | data-quality-roadshow -> dq-tour |",
        "| moved | campaign | referral-programme-2027 |",
        "| pulse-launch-2027 | paid_social | EUR 36,000.00 | EUR 41,000.00 | +EUR 5,000.00 |",
        "| moved | pulse-launch-2027 | Send: Launch webinar reminder | 2027-04-20 09:30 | "
        "2027-04-21 09:30 |",
        "| added | pulse-launch-2027 | Send: Last call |",
        "| trial-onboarding-nurture | step \\`wait-2d\\` | duration: 2d -> 5d |",
        "primary_metric.mde: 0.15 -> 0.1",
        "| b2b-lead-scoring | thresholds | thresholds.mql: 50 -> 55 |",
        "| b2b-lead-scoring | fit rule \\`mid-market\\` | points: 15 -> 20 |",
        "META001 (error)",
    ):
        assert expected in run.stdout, expected
    resolved = run.stdout.split("<strong>Resolved findings</strong>")[1]
    assert "monthly-newsletter-q2.yaml" in resolved


def test_the_diff_opens_with_its_blast_radius(
    campc: CliRun, history: tuple[Path, list[str]]
) -> None:
    """The verdict and the summary table come first, recomputed here from the details
    they sum up (the sends table and the audiences' sizes), and every section is folded."""
    root, _ = history
    document = json.loads(campc("diff", "HEAD~1", "HEAD", "--format", "json", cwd=root).stdout)
    text = campc("diff", "HEAD~1", "HEAD", cwd=root).stdout
    lines = text.splitlines()
    assert lines[2].startswith("**Verdict: blocks: 4 new errors, spend +EUR 5,000.00")
    sizes = {
        a["id"]: a.get("size")
        for a in YAML(typ="safe").load((root / "campaigns" / "audiences.yaml").read_text())[
            "audiences"
        ]
    }
    weekly: dict[str, int] = {}
    for row in document["sends"]:
        weekly[row["week"]] = (
            weekly.get(row["week"], 0) + abs(row["after"] - row["before"]) * sizes[row["audience"]]
        )
    worst = max(weekly, key=lambda week: weekly[week])
    summary = {row["what"]: row for row in document["summary"]}
    assert summary["recipients affected"]["change"] == (
        f"{sum(weekly.values()):,} (worst week {worst}: {weekly[worst]:,})"
    )
    added = sum(r["delta"]["amount"] for r in document["budget"] if r["channel"] == "(total)")
    assert summary["spend (EUR)"]["change"] == f"+EUR {added:,.2f}"
    new = document["findings_new"]
    errors = sum(f["severity"] == "error" for f in new)
    warnings = sum(f["severity"] == "warning" for f in new)
    assert summary["findings"]["change"].startswith(f"{errors} new errors, {warnings} new warnings")
    assert "| sends per contact, eu-data-leaders, busiest 1w | 1 (cap 3) | 2 (cap 3) | +1 |" in text
    assert text.index("| what | before | after | change |") < text.index("<details>")
    assert text.count("<details>") == text.count("</details>") >= 8
    assert "### " not in text  # every section is folded


def test_a_change_that_moves_nothing_is_quiet(campc: CliRun, tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(ROOT / "campaigns", root / "campaigns")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    spec = root / "campaigns" / "performance" / "pricing-page-cta.yaml"
    spec.write_text(spec.read_text().replace("CRO test", "A CRO test"), encoding="utf-8")
    document = json.loads(campc("diff", "HEAD", "--format", "json", cwd=root).stdout)
    assert document["verdict"].startswith("quiet: ")
    assert document["summary"] == []


def test_a_diff_through_the_cache_says_what_one_without_it_says(
    campc: CliRun, history: tuple[Path, list[str]]
) -> None:
    """Both sides are checked through the project's cache (their files are shown under
    the same paths, so the base revision's unchanged files are the working tree's)."""
    root, _ = history
    first = campc("diff", "HEAD~1", "HEAD", cwd=root)
    again = campc("diff", "HEAD~1", cwd=root)
    fresh = campc("diff", "HEAD~1", "HEAD", "--no-cache", cwd=root)
    assert first.exit_code == again.exit_code == fresh.exit_code == 0
    assert first.stdout == fresh.stdout
    assert again.stdout == campc("diff", "HEAD~1", "--no-cache", cwd=root).stdout
    assert list((root / ".campc_cache").rglob("pack"))


def test_a_revisions_findings_are_kept_under_its_tree_and_read_as_a_fresh_check(
    campc: CliRun, history: tuple[Path, list[str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A revision's files never change: the rules run on them once, then its findings
    come from the cache under its git tree; the working tree is checked every time. The
    diff reads as one without the cache, findings included."""
    from compiler.lint import runner

    root = tmp_path / "repo"
    shutil.copytree(history[0], root, ignore=shutil.ignore_patterns(".campc_cache"))
    ran: list[int] = []
    original = runner.lint

    def counting(repo, *args, **kwargs):  # type: ignore[no-untyped-def]
        ran.append(len(repo.specs))
        return original(repo, *args, **kwargs)

    monkeypatch.setattr(runner, "lint", counting)

    def diff(*args: str) -> str:
        done = campc("diff", *args, "--format", "json", cwd=root)
        assert done.exit_code == 0, done.stderr
        return done.stdout

    def fresh(*args: str) -> str:  # the oracle: no cache (its rule runs are not counted)
        counted = len(ran)
        found = diff(*args, "--no-cache")
        del ran[counted:]
        return found

    first = diff("HEAD~1", "HEAD")
    assert len(ran) == 2
    assert first == fresh("HEAD~1", "HEAD")
    assert diff("HEAD~1", "HEAD") == first
    assert len(ran) == 2  # both sides are revisions the cache has seen
    document = json.loads(first)
    assert document["findings_resolved"] or document["findings_new"]
    edit(root, "campagnes/pulse-launch-2027.yaml", ("owner: ", "owner: Marie # "))
    git(root, "commit", "-q", "-am", "a finding more")
    later = diff("HEAD~1", "HEAD")
    assert len(ran) == 3  # the new revision's tree is new; its base's is kept
    assert later == fresh("HEAD~1", "HEAD")
    assert campc("check", cwd=root).exit_code == 1  # a check keeps the diff's entries
    checked = len(ran)
    assert diff("HEAD~1", "HEAD") == later
    assert len(ran) == checked
    assert diff("HEAD~1") == fresh("HEAD~1")
    assert len(ran) == checked + 1  # the working tree is checked every time


def test_specs_made_from_the_same_inputs_take_the_other_sides_events(
    campc: CliRun, history: tuple[Path, list[str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through the cache (the rules do not run again, so nothing has worked out the
    events yet), the base side takes the head's events of each spec whose bytes, related
    specs and shared files are the same on both sides; a campaign left as it was whose
    sequence changed is worked out again (its sequence sends move), and the diff says
    what it says when every event is worked out on each side."""
    from compiler.analysis import schedule

    root = tmp_path / "repo"
    shutil.copytree(history[0], root, ignore=shutil.ignore_patterns(".campc_cache"))
    edit(root, "automation/webinar-follow-up.yaml", ("business_days: 3", "business_days: 4"))
    git(root, "commit", "-q", "-am", "a longer wait")
    taken: list[set[str]] = []
    original = schedule._twins

    def recording(repo, other):  # type: ignore[no-untyped-def]
        found = original(repo, other)
        taken.append(set(found))
        return found

    assert campc("diff", "HEAD~1", "HEAD", cwd=root).exit_code == 0  # the cache sees both
    monkeypatch.setattr(schedule, "_twins", recording)
    shared = campc("diff", "HEAD~1", "HEAD", "--format", "json", cwd=root)
    assert shared.exit_code == 0, shared.stderr
    assert len(taken) == 1
    assert "campaigns/campagnes/pulse-launch-2027.yaml" in taken[0]
    assert "campaigns/campagnes/webinar-data-contracts.yaml" not in taken[0]
    document = json.loads(shared.stdout)
    moved = [row for row in document["calendar"] if row["spec"] == "webinar-data-contracts"]
    assert moved
    assert {row["change"] for row in moved} == {"moved"}
    monkeypatch.setattr(schedule, "_twins", lambda repo, other: {})
    alone = campc("diff", "HEAD~1", "HEAD", "--format", "json", "--no-cache", cwd=root)
    assert shared.stdout == alone.stdout


def test_json_has_the_same_sections(campc: CliRun, history: tuple[Path, list[str]]) -> None:
    root, _ = history
    run = campc("diff", "HEAD~1", "HEAD", "--format", "json", cwd=root)
    data = json.loads(run.stdout)
    assert data["base"] == "HEAD~1"
    assert {row["id"] for row in data["specs"] if row["change"] == "added"} == {"hero-image"}
    assert any(row["week"] == "2027-W17" and row["delta"] == "+1" for row in data["sends"])
    assert data["findings_resolved"]


def test_a_base_before_the_campaigns_folder_shows_every_spec_added(
    campc: CliRun, history: tuple[Path, list[str]]
) -> None:
    root, shas = history
    run = campc("diff", shas[0], shas[1], "--format", "json", cwd=root)
    data = json.loads(run.stdout)
    added = [row for row in data["specs"] if row["change"] == "added"]
    assert len(added) == 12
    assert not data["findings_resolved"]


def test_working_tree_is_the_default_head(campc: CliRun, history: tuple[Path, list[str]]) -> None:
    root, _ = history
    run = campc("diff", "HEAD", cwd=root)
    assert run.exit_code == 0
    assert "`HEAD` -> `working tree`" in run.stdout
    assert "No change in meaning" in run.stdout


def test_shallow_clone_needs_the_base_fetched_then_agrees(
    campc: CliRun, history: tuple[Path, list[str]], tmp_path: Path
) -> None:
    root, shas = history
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{root}", str(clone))
    missing = campc("diff", shas[1], cwd=clone)
    assert missing.exit_code == 2
    assert "fetch it first" in missing.stderr
    git(clone, "fetch", "-q", "--depth", "1", "origin", shas[1])
    run = campc("diff", shas[1], cwd=clone)
    assert run.exit_code == 0, run.stderr
    expected = campc("diff", "HEAD~1", "HEAD", cwd=root).stdout
    assert run.stdout.split("\n", 1)[1] == expected.split("\n", 1)[1]  # same, but the title


def test_job_summary_gets_the_diff_appended(
    campc: CliRun, history: tuple[Path, list[str]], tmp_path: Path
) -> None:
    root, _ = history
    summary = tmp_path / "summary.md"
    summary.write_text("# earlier step\n", encoding="utf-8")
    run = campc("diff", "HEAD~1", "HEAD", cwd=root, env={"GITHUB_STEP_SUMMARY": str(summary)})
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("# earlier step\n## campc diff")
    assert run.stdout in text


def test_unknown_revision_and_no_git_are_usage_errors(
    campc: CliRun, history: tuple[Path, list[str]], tmp_path: Path
) -> None:
    root, _ = history
    run = campc("diff", "no-such-branch", cwd=root)
    assert run.exit_code == 2
    assert "unknown revision `no-such-branch`" in run.stderr
    assert "Traceback" not in run.stderr
    (tmp_path / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    (tmp_path / "campaigns").mkdir()
    outside = campc("diff", "HEAD", cwd=tmp_path)
    assert outside.exit_code == 2
    assert "not inside a git repository" in outside.stderr
    option = campc("diff", "--", "--output=/tmp/x", cwd=root)
    assert option.exit_code == 2


@pytest.fixture(scope="module")
def follow_up(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example repository, then a commit that does what REF006 asks (the file moved
    with `git mv` to match a new id), raises a budget's total without touching a channel
    and lowers an experiment's traffic."""
    root = tmp_path_factory.mktemp("follow-up") / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    shutil.copytree(ROOT / "campaigns", root / "campaigns")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "the quarter")
    git(
        root,
        "mv",
        "campaigns/performance/signup-form-fields.yaml",
        "campaigns/performance/signup-form-short.yaml",
    )
    edit(
        root,
        "performance/signup-form-short.yaml",
        ("id: signup-form-fields", "id: signup-form-short"),
    )
    edit(root, "campagnes/pulse-launch-2027.yaml", ("signup-form-fields]", "signup-form-short]"))
    edit(root, "acquisition/monthly-newsletter-q2.yaml", ("total: 1800", "total: 2400"))
    edit(root, "performance/pricing-page-cta.yaml", ("daily: 4200", "daily: 3000"))
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "follow-up")
    return root


def test_a_spec_moved_to_its_new_id_reads_as_renamed(campc: CliRun, follow_up: Path) -> None:
    run = campc("diff", "HEAD~1", "HEAD", cwd=follow_up)
    assert run.exit_code == 0, run.stderr
    assert (
        "| renamed | experiment | signup-form-fields -> signup-form-short | "
        "campaigns/performance/signup-form-fields.yaml -> "
        "campaigns/performance/signup-form-short.yaml |"
    ) in run.stdout
    assert "| added |" not in run.stdout
    assert "| removed |" not in run.stdout
    assert "**Specs**: 1 renamed" in run.stdout


def test_git_reports_the_move(follow_up: Path) -> None:
    from compiler.commands.diff import sides

    shas = git(follow_up, "rev-list", "--reverse", "HEAD").splitlines()
    found = sides.moves(follow_up, PurePosixPath("campaigns"), shas[0], shas[1])
    folder = "campaigns/performance"
    assert found == {f"{folder}/signup-form-short.yaml": f"{folder}/signup-form-fields.yaml"}


def test_a_moved_and_renamed_spec_in_the_working_tree(
    campc: CliRun, follow_up: Path, tmp_path: Path
) -> None:
    """Not committed: a `git mv` git knows of, and a plain `mv` only the contents tell."""
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", f"file://{follow_up}", str(clone))
    git(
        clone, "mv", "campaigns/performance/pricing-page-cta.yaml", "campaigns/performance/cta.yaml"
    )
    edit(clone, "performance/cta.yaml", ("id: pricing-page-cta", "id: cta"))
    edit(clone, "campagnes/pulse-launch-2027.yaml", ("[pricing-page-cta,", "[cta,"))
    moved = clone / "campaigns" / "acquisition" / "referral-programme-2027.yaml"
    moved.rename(moved.with_name("referrals.yaml"))
    edit(
        clone,
        "acquisition/referrals.yaml",
        ("id: referral-programme-2027", "id: referrals"),
    )
    run = campc("diff", "HEAD", cwd=clone)
    assert run.exit_code == 0, run.stderr
    assert "| renamed | experiment | pricing-page-cta -> cta |" in run.stdout
    assert "| renamed | campaign | referral-programme-2027 -> referrals |" in run.stdout
    assert "| added |" not in run.stdout
    assert "| removed |" not in run.stdout
    assert "### Calendar" not in run.stdout  # the same events, under the new ids


def test_a_total_changed_without_a_channel_shows(campc: CliRun, follow_up: Path) -> None:
    run = campc("diff", "HEAD~1", "HEAD", cwd=follow_up)
    assert (
        "| monthly-newsletter-q2 | (total) | EUR 1,800.00 | EUR 2,400.00 | +EUR 600.00 |"
        in run.stdout
    )
    assert "BUDGET001" in run.stdout  # and the finding it brings


def test_a_traffic_change_is_a_plan_change_with_its_cause(campc: CliRun, follow_up: Path) -> None:
    run = campc("diff", "HEAD~1", "HEAD", cwd=follow_up)
    assert (
        "| pricing-page-cta | duration 14 -> 21 days, ends 2027-04-27 -> 2027-05-04 | "
        "traffic 4,200 -> 3,000/day |"
    ) in run.stdout


def test_json_money_is_a_number_and_a_currency(campc: CliRun, follow_up: Path) -> None:
    run = campc("diff", "HEAD~1", "HEAD", "--format", "json", cwd=follow_up)
    data = json.loads(run.stdout)
    (row,) = data["budget"]
    assert row == {
        "campaign": "monthly-newsletter-q2",
        "channel": "(total)",
        "before": {"amount": 1800.0, "currency": "EUR"},
        "after": {"amount": 2400.0, "currency": "EUR"},
        "delta": {"amount": 600.0, "currency": "EUR"},
    }
    (experiment,) = data["experiments"]
    assert experiment["because"] == "traffic 4,200 -> 3,000/day"


def test_an_unchanged_file_is_one_model_on_both_sides(
    history: tuple[Path, list[str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through the cache, a file whose bytes and path both sides share is decoded and
    validated once and its document and model handed to both (what `campc diff` then
    compares is one object); a file
    the change edited has a model of its own on each side, and they differ."""
    from compiler.commands import pipeline
    from compiler.commands.diff import git as diff_git
    from compiler.commands.diff import sides

    root = tmp_path / "repo"
    shutil.copytree(history[0], root, ignore=shutil.ignore_patterns(".campc_cache"))
    monkeypatch.chdir(root)
    settings = pipeline.settings_for(root)
    store = pipeline.open_cache(settings)
    top = diff_git.toplevel(root)

    def load(folder: Path, display, content):  # type: ignore[no-untyped-def]
        return pipeline.load_checked(
            settings, folder, display, lambda s: pipeline.display_path(top / s, root), store
        )

    before, after = sides.sides(root, settings.campaigns, "HEAD~1", "HEAD", load)
    old = {s.path: s for s in before.repo.specs}
    new = {s.path: s for s in after.repo.specs}
    same = [p for p in old.keys() & new.keys() if old[p].doc.text == new[p].doc.text]
    edited = [p for p in old.keys() & new.keys() if old[p].doc.text != new[p].doc.text]
    assert len(same) >= 3
    assert "campaigns/campagnes/pulse-launch-2027.yaml" in edited
    assert store.active, store.notice
    assert [p for p in same if old[p].model is not new[p].model] == []
    assert [p for p in same if old[p].doc is not new[p].doc] == []  # read from the cache once
    from dataclasses import replace

    from compiler.analysis import budget
    from compiler.project.facts import Facts

    def shown(planned: list[budget.Plan]) -> list[tuple[object, ...]]:
        return [
            (p.campaign.id, p.spec.path, p.spec is old[p.spec.path], p.lines, p.held)
            for p in planned
        ]

    taken = budget.plans(replace(before.repo, facts=Facts()), alongside=budget.plans(after.repo))
    assert shown(taken) == shown(budget.plans(replace(before.repo, facts=Facts())))
    assert all(old[p].model is not new[p].model and old[p].model != new[p].model for p in edited)


def test_a_revision_is_written_to_memory_when_it_fits_and_to_disk_when_not(
    history: tuple[Path, list[str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The base revision goes to the memory filesystem (private, removed afterwards); a
    memory filesystem that fills up under the export (ENOSPC) leaves the same files in
    the system's temporary folder instead, and nothing behind in either."""
    import errno
    import os
    import stat

    from compiler.commands.diff import git as diff_git

    root, shas = history
    memory, disk = tmp_path / "shm", tmp_path / "tmp"
    memory.mkdir()
    disk.mkdir()
    monkeypatch.setattr(diff_git, "MEMORY", memory)
    monkeypatch.setattr("tempfile.tempdir", str(disk))
    folder = PurePosixPath("campaigns")

    def listing(at: Path) -> dict[str, bytes]:
        return {p.relative_to(at).as_posix(): p.read_bytes() for p in at.rglob("*") if p.is_file()}

    with diff_git.exported(root, shas[1], folder, "campc-diff-") as (where, found):
        assert where.parent.parent == memory
        assert found == []
        assert stat.S_IMODE(os.stat(where.parent).st_mode) == 0o700
        kept = listing(where)
        assert "campagnes/pulse-launch-2027.yaml" in kept
    assert not any(memory.iterdir())

    real = diff_git._write
    calls: list[Path] = []

    def full(into: Path, written: list[tuple[str, bytes]]) -> None:
        calls.append(into)
        if into.parent == memory:
            real(into, written[: len(written) // 2])
            raise OSError(errno.ENOSPC, "No space left on device")
        real(into, written)

    monkeypatch.setattr(diff_git, "_write", full)
    with diff_git.exported(root, shas[1], folder, "campc-diff-") as (where, _):
        assert where.parent.parent == disk
        assert listing(where) == kept
    assert [c.parent for c in calls] == [memory, disk]
    assert not any(memory.iterdir())
    assert not any(disk.iterdir())
