"""The real CLI, in-process: exit codes, formats, colour, paths and usage errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.conftest import ROOT, CliRun, modules_after

INVALID = ROOT / "tests" / "examples" / "invalid"


def copy_repo(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "campaigns", tmp_path / "campaigns")
    (tmp_path / "pyproject.toml").write_text("[tool.campc]\n")
    return tmp_path


def test_check_clean_repository_exits_0(campc: CliRun) -> None:
    run = campc("check")
    assert run.exit_code == 0
    assert run.stdout.strip().startswith("All checks passed (17 files checked)")


def test_check_findings_exit_1_in_path_line_col_code_form(campc: CliRun) -> None:
    run = campc("check", str(INVALID / "duplicate-key"))
    assert run.exit_code == 1
    first = run.stdout.splitlines()[0]
    assert first.endswith("mini.yaml:10:1: YAML002 duplicate key `name`")


def test_json_format_is_stable_and_documented(campc: CliRun) -> None:
    run = campc("check", "--format", "json", ".", cwd=INVALID / "unknown-key")
    assert run.exit_code == 1
    document = json.loads(run.stdout)
    assert document["version"] == 1
    assert document["summary"] == {"files": 1, "errors": 2, "warnings": 0}
    assert document["diagnostics"][0] == {
        "path": "mini.yaml",
        "line": 10,
        "col": 1,
        "code": "SCHEMA002",
        "name": "unknown-key",
        "severity": "error",
        "message": "unknown key `budjet`",
        "hint": "did you mean `budget`?",
    }


def test_findings_are_sorted_by_path_then_position(campc: CliRun) -> None:
    run = campc("check", "--format", "json", ".", cwd=INVALID / "unresolved-references")
    found = [(d["path"], d["line"], d["col"]) for d in json.loads(run.stdout)["diagnostics"]]
    assert found == sorted(found)
    assert len(found) > 5


def test_single_file_is_checked_against_its_whole_repository(campc: CliRun, tmp_path: Path) -> None:
    root = copy_repo(tmp_path)
    spec = root / "campaigns" / "campagnes" / "pulse-launch-2027.yaml"
    assert campc("check", str(spec), cwd=root).exit_code == 0  # references resolve
    broken = spec.read_text().replace("trial-onboarding-nurture", "trial-onboarding")
    spec.write_text(broken)
    run = campc("check", "campaigns/campagnes/pulse-launch-2027.yaml", cwd=root)
    assert run.exit_code == 1
    assert "campaigns/campagnes/pulse-launch-2027.yaml:" in run.stdout
    assert "REF002 sequence `trial-onboarding` does not exist" in run.stdout
    # findings in other files are not reported when files are named
    other = root / "campaigns" / "campagnes" / "webinar-data-contracts.yaml"
    other.write_text(other.read_text().replace("domain: campagnes", "domain: nowhere"))
    run = campc("check", "campaigns/campagnes/pulse-launch-2027.yaml", cwd=root)
    assert "webinar-data-contracts" not in run.stdout


def test_no_colour_when_piped_or_with_no_color(campc: CliRun) -> None:
    run = campc("check", str(INVALID / "yaml-syntax"), env={"NO_COLOR": "1"})
    assert "\x1b[" not in run.stdout
    run = campc("check", str(INVALID / "yaml-syntax"))
    assert "\x1b[" not in run.stdout


def test_colour_on_a_terminal_unless_no_color(campc: CliRun) -> None:
    run = campc("check", str(INVALID / "yaml-syntax"), env={"FORCE_COLOR": "1"})
    assert "\x1b[" in run.stdout
    run = campc("check", str(INVALID / "yaml-syntax"), env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert "\x1b[" not in run.stdout


def test_missing_path_is_a_usage_error(campc: CliRun) -> None:
    run = campc("check", "no/such/folder")
    assert run.exit_code == 2
    assert "no such file or folder" in run.stderr


def test_unknown_option_is_a_usage_error(campc: CliRun) -> None:
    assert campc("check", "--formt", "json").exit_code == 2
    assert campc("check", "--format", "yaml").exit_code == 2


def test_missing_campaigns_folder_is_a_usage_error(campc: CliRun, tmp_path: Path) -> None:
    run = campc("check", cwd=tmp_path)
    assert run.exit_code == 2
    assert "no campaigns folder" in run.stderr


def test_unknown_config_option_names_the_key(campc: CliRun, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.campc]\ncampaign = "specs"\n')
    run = campc("check", cwd=tmp_path)
    assert run.exit_code == 2
    assert "tool.campc.campaign" in run.stderr


def test_config_paths_are_relative_to_pyproject(campc: CliRun, tmp_path: Path) -> None:
    shutil.copytree(ROOT / "campaigns", tmp_path / "specs")
    (tmp_path / "pyproject.toml").write_text('[tool.campc]\ncampaigns = "specs"\n')
    (tmp_path / "sub").mkdir()
    run = campc("check", cwd=tmp_path / "sub")
    assert run.exit_code == 0, run.stdout + run.stderr


def test_rules_lists_every_code(campc: CliRun) -> None:
    from compiler.rules import RULES

    run = campc("rules")
    assert run.exit_code == 0
    for code in RULES:
        assert code in run.stdout


def test_explain_by_code_or_name(campc: CliRun) -> None:
    by_code = campc("explain", "ref002")
    by_name = campc("explain", "unresolved-reference")
    assert by_code.exit_code == by_name.exit_code == 0
    assert by_code.stdout == by_name.stdout
    assert "## Example" in by_code.stdout
    assert "## Use instead" in by_code.stdout
    assert "[spring-nurture]" in by_code.stdout  # not eaten as markup


def test_explain_unknown_code_exits_2(campc: CliRun) -> None:
    run = campc("explain", "NOPE999")
    assert run.exit_code == 2
    assert "campc rules" in run.stderr


def test_specs_are_never_written(campc: CliRun, tmp_path: Path) -> None:
    root = copy_repo(tmp_path)
    before = {p: p.read_bytes() for p in (root / "campaigns").rglob("*") if p.is_file()}
    campc("check", cwd=root)
    after = {p: p.read_bytes() for p in (root / "campaigns").rglob("*") if p.is_file()}
    assert before == after


def test_fix_rewrites_aliases_and_percents_keeping_comments_order_and_quotes(
    campc: CliRun, tmp_path: Path
) -> None:
    fixtures = ROOT / "tests" / "fixtures" / "fix"
    spec = tmp_path / "campaigns" / "acquisition" / "newsletter.yaml"
    spec.parent.mkdir(parents=True)
    shutil.copy(fixtures / "before.yaml", spec)
    (tmp_path / "pyproject.toml").write_text(
        "[tool.campc]\n[tool.campc.lint]\nignore = ['METRIC003']\n"
    )
    run = campc("check", "--fix", cwd=tmp_path)
    assert spec.read_text() == (fixtures / "after.yaml").read_text()
    assert "Fixed 4 findings." in run.stderr
    # 150 is no percent: reported, not rewritten; the noqa'd alias stays as written
    assert run.exit_code == 1
    assert "METRIC004 `deliverability_rate` is a rate, but the target is 150" in run.stdout
    again = campc("check", "--fix", cwd=tmp_path)
    assert "Fixed 0 findings." in again.stderr
    assert spec.read_text() == (fixtures / "after.yaml").read_text()


def test_fix_lists_the_git_mv_for_misfiled_specs(campc: CliRun, tmp_path: Path) -> None:
    root = copy_repo(tmp_path)
    source = root / "campaigns" / "acquisition" / "monthly-newsletter-q2.yaml"
    source.rename(root / "campaigns" / "campagnes" / source.name)
    run = campc("check", "--fix", cwd=root)
    assert (
        "git mv campaigns/campagnes/monthly-newsletter-q2.yaml "
        "campaigns/acquisition/monthly-newsletter-q2.yaml"
    ) in run.stderr
    assert (root / "campaigns" / "campagnes" / source.name).is_file()  # moves are not done for you


def test_route_shows_the_decision_and_its_evidence(campc: CliRun) -> None:
    run = campc("route", "campaigns/acquisition/monthly-newsletter-q2.yaml")
    assert run.exit_code == 0
    assert run.stdout.splitlines()[:4] == [
        "campaigns/acquisition/monthly-newsletter-q2.yaml (campaign)",
        "  declared: acquisition, folder: acquisition",
        "  derived:  acquisition (agrees)",
        "  because:  acquisition 2 ('newsletter' in name, 'email' in tags[1])",
    ]
    decided = json.loads(campc("route", "--format", "json", "campaigns/automation").stdout)
    assert {d["derived"] for d in decided} == {"automation"}
    assert all(d["by_kind"] for d in decided)
    launch = json.loads(
        campc("route", "--format", "json", "campaigns/campagnes/pulse-launch-2027.yaml").stdout
    )[0]
    assert launch["derived"] == "campagnes"
    assert {
        "team": "paid-media",
        "keyword": "paid_social",
        "field": "channels[1]",
        "handed_off": True,
    } in launch["partners"]


def test_route_refuses_a_file_that_does_not_load(campc: CliRun) -> None:
    run = campc("route", str(INVALID / "yaml-syntax" / "mini.yaml"))
    assert run.exit_code == 2
    assert "campc check" in run.stderr


def test_check_format_choices_are_the_report_formatters() -> None:
    from compiler.cli import common as cli
    from compiler.report import formats as report

    assert set(cli.CHECK_FORMATS) == set(report.FORMATTERS)


def test_help_imports_nothing_heavy() -> None:
    loaded = modules_after("--help")
    assert [m for m in ("pydantic", "rich", "compiler.commands.pipeline") if m in loaded] == []
