"""Output formats: github annotations, SARIF 2.1.0 against the official schema, text."""

from __future__ import annotations

import io
import json
from pathlib import Path

import jsonschema
import pytest

from compiler.diagnostics import Diagnostic, Severity
from compiler.report import github
from tests.conftest import ROOT, CliRun

INVALID = ROOT / "tests" / "examples" / "invalid"
SARIF_SCHEMA = json.loads(
    (ROOT / "tests" / "fixtures" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8")
)

TRICKY = Diagnostic(
    code="ROUTE001",
    name="domain-mismatch",
    severity=Severity.WARNING,
    message="100% wrong:\nnext, line\r",
    path="campaigns/a,b:c.yaml",
    line=4,
    col=9,
    hint="set `domain: x`",
)


def test_github_annotation_escapes_data_and_properties() -> None:
    out = io.StringIO()
    github.github([TRICKY], 1, out)
    first = out.getvalue().splitlines()[0]
    assert first == (
        "::warning file=campaigns/a%2Cb%3Ac.yaml,line=4,col=9,title=ROUTE001 (domain-mismatch)"
        "::100%25 wrong:%0Anext, line%0D%0Ahint: set `domain: x`"
    )
    # the full list follows, since GitHub shows only about ten annotations per kind
    assert "campaigns/a,b:c.yaml:4:9: ROUTE001" in out.getvalue()


def test_github_format_appends_a_job_summary(
    campc: CliRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("previous step\n")
    run = campc(
        "check",
        ".",
        cwd=INVALID / "unknown-key",
        env={"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)},
    )
    assert run.exit_code == 1
    assert run.stdout.startswith("::error file=mini.yaml,line=10,col=1,title=SCHEMA002")
    written = summary.read_text()
    assert written.startswith("previous step\n## campc check\n")
    assert "| `mini.yaml:10:1` | SCHEMA002 | error | unknown key \\`budjet\\` |" in written


def test_sarif_output_validates_against_the_official_schema(campc: CliRun) -> None:
    run = campc("check", "--format", "sarif", ".", cwd=INVALID / "unresolved-references")
    assert run.exit_code == 1
    document = json.loads(run.stdout)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(document)
    driver = document["runs"][0]["tool"]["driver"]
    results = document["runs"][0]["results"]
    assert results, "expected findings"
    for result in results:
        rule = driver["rules"][result["ruleIndex"]]
        assert rule["id"] == result["ruleId"]
        assert result["level"] in {"none", "note", "warning", "error"}
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert not uri.startswith(("/", "file:"))
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1
        assert region["startColumn"] >= 1
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"]
        assert rule["fullDescription"]["text"]
        assert rule["help"]["text"]


def test_clean_sarif_is_valid_too(campc: CliRun) -> None:
    run = campc("check", "--format", "sarif")
    assert run.exit_code == 0
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(json.loads(run.stdout))


def test_text_shows_the_source_line_and_a_caret_under_the_column(campc: CliRun) -> None:
    run = campc("check", ".", cwd=INVALID / "yaml-syntax")
    lines = run.stdout.splitlines()
    assert lines[1] == "  3 | name: Q2: launch"
    assert lines[2] == "    |         ^"


def test_concise_is_one_line_per_finding(campc: CliRun) -> None:
    run = campc("check", "--format", "concise", ".", cwd=INVALID / "unknown-key")
    assert run.stdout.splitlines() == [
        "mini.yaml:10:1: SCHEMA002 unknown key `budjet`",
        "mini.yaml:11:1: SCHEMA002 unknown key `window_x`",
        "Found 2 errors and 0 warnings in 1 file (1 file checked).",
    ]
