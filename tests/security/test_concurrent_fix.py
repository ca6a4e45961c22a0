"""Promise 7 (SECURITY.md): two `campc check --fix` at once never corrupt a spec.

Each file is replaced under the project's lock, and only if its bytes are still the
ones that were checked; the run that finds them changed writes nothing and exits 2.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from compiler.commands import pipeline
from compiler.lint import fixes
from tests.conftest import CliRun

SPEC = """\
kind: campaign
id: newsletter
name: Newsletter
domain: acquisition
owner: ops@acme.example
timezone: Europe/Paris
window: {start: 2027-04-01, end: 2027-06-30}
kpis:
  - {metric: "taux d'ouverture", target: 0.4, primary: true}  # keep this comment
  - {metric: CTR, target: 0.05}
"""
FIXED = SPEC.replace('"taux d\'ouverture"', "open_rate").replace("CTR", "click_through_rate")


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "campaigns" / "acquisition").mkdir(parents=True)
    (root / "campaigns" / "acquisition" / "newsletter.yaml").write_text(SPEC, encoding="utf-8")
    (root / "pyproject.toml").write_text('[tool.campc]\ncampaigns = "campaigns"\n', "utf-8")
    return root


def test_a_fix_is_not_written_over_bytes_that_changed_since_the_check(tmp_path: Path) -> None:
    root = _project(tmp_path)
    spec = root / "campaigns" / "acquisition" / "newsletter.yaml"
    result = pipeline.check(pipeline.settings_for(root), cwd=root)
    checked = {s.path: s.digest for r in result.repositories for s in r.specs}
    assert any(d.fix is not None for d in result.diagnostics)
    edited = SPEC.replace("name: Newsletter", "name: Newsletter (edited meanwhile)")
    spec.write_text(edited, encoding="utf-8")
    with pytest.raises(fixes.Conflict, match="changed since it was checked"):
        fixes.apply(result.diagnostics, root, checked, root)
    assert spec.read_text(encoding="utf-8") == edited


def test_the_cli_reports_the_conflict_and_exits_2(
    tmp_path: Path, campc: CliRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(tmp_path)
    spec = root / "campaigns" / "acquisition" / "newsletter.yaml"
    real_check = pipeline.check

    def check_then_someone_writes(*args: object, **kwargs: object) -> pipeline.CheckResult:
        result = real_check(*args, **kwargs)  # type: ignore[arg-type]
        spec.write_text(SPEC + "# another run was here\n", encoding="utf-8")
        return result

    monkeypatch.setattr(pipeline, "check", check_then_someone_writes)
    run = campc("check", "--fix", "--no-cache", cwd=root)
    assert run.exit_code == 2
    assert "changed since it was checked" in run.stderr
    assert spec.read_text(encoding="utf-8") == SPEC + "# another run was here\n"


def test_concurrent_fixes_leave_the_spec_fixed_once_and_whole(tmp_path: Path) -> None:
    root = _project(tmp_path)
    spec = root / "campaigns" / "acquisition" / "newsletter.yaml"
    for _ in range(3):
        spec.write_text(SPEC, encoding="utf-8")
        runs = [
            subprocess.Popen(
                [sys.executable, "-m", "compiler", "check", "--fix", "--no-cache"],
                cwd=root,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env={**os.environ, "NO_COLOR": "1"},
            )
            for _ in range(4)
        ]
        results = [run.communicate(timeout=120) for run in runs]
        codes = [run.returncode for run in runs]
        assert set(codes) <= {0, 2}, results
        for code, (_, err) in zip(codes, results, strict=True):
            assert "Traceback" not in err
            if code == 2:
                assert "changed since it was checked" in err
        assert spec.read_text(encoding="utf-8") == FIXED
