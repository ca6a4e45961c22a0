"""SARIF for code scanning: URIs percent-encoded and relative to the repository root
(the same whichever folder campc runs from), fingerprints that survive moved lines, and
the official 2.1.0 schema with format checking on."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.conftest import ROOT, CliRun, git

SCHEMA = json.loads(
    (ROOT / "tests" / "fixtures" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8")
)
CHECKER = jsonschema.Draft7Validator.FORMAT_CHECKER


def _validate(document: Any) -> None:
    jsonschema.Draft4Validator(SCHEMA, format_checker=CHECKER).validate(document)


def test_the_format_checker_really_checks_uri_references() -> None:
    """Without rfc3986-validator installed, jsonschema skips `uri-reference` silently."""
    assert not CHECKER.conforms("a b.yaml", "uri-reference")
    assert CHECKER.conforms("a%20b.yaml", "uri-reference")


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    top = tmp_path / "repo"
    project = top / "marketing"
    shutil.copytree(ROOT / "tests" / "golden" / "budget-repo" / "campaigns", project / "campaigns")
    (project / "pyproject.toml").write_text('[tool.campc]\ncampaigns = "campaigns"\n', "utf-8")
    odd = project / "campaigns" / "acquisition" / "néwsletter #2 (draft).yaml"
    odd.write_text("kind: campaign\nid: newsletter-2\nbudjet: 1\n", encoding="utf-8")
    git(top, "init", "-q")
    return project


def _results(campc: CliRun, cwd: Path, *paths: str) -> list[dict[str, Any]]:
    run = campc("check", "--no-cache", "--format", "sarif", *paths, cwd=cwd)
    assert run.exit_code == 1, run.stdout
    document = json.loads(run.stdout)
    _validate(document)
    results: list[dict[str, Any]] = document["runs"][0]["results"]
    return results


def _uris(results: list[dict[str, Any]]) -> list[str]:
    return [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results]


def test_uris_are_encoded_and_relative_to_the_repository_root(
    campc: CliRun, repository: Path
) -> None:
    from_project = _results(campc, repository)
    from_campaigns = _results(campc, repository / "campaigns", ".")
    uris = _uris(from_project)
    assert "marketing/campaigns/acquisition/n%C3%A9wsletter%20%232%20%28draft%29.yaml" in uris
    assert uris == _uris(from_campaigns)
    for result in from_project:
        location = result["locations"][0]["physicalLocation"]["artifactLocation"]
        assert location["uriBaseId"] == "%SRCROOT%"


def test_fingerprints_stay_when_lines_move(campc: CliRun, repository: Path) -> None:
    before = _results(campc, repository)
    spec = repository / "campaigns" / "acquisition" / "néwsletter #2 (draft).yaml"
    spec.write_text("# a comment\n\n" + spec.read_text(encoding="utf-8"), encoding="utf-8")
    after = _results(campc, repository)
    assert [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in after] != [
        r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in before
    ]
    assert [r["partialFingerprints"] for r in after] == [r["partialFingerprints"] for r in before]
    prints = [r["partialFingerprints"]["campc/v1"] for r in after]
    assert len(set(prints)) == len(prints)
