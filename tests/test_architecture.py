"""The layers hold: the import contracts in pyproject.toml pass, and they do fail on a
violation; loading a file imports no rule; rules and back-ends touch no file, clock or
environment of their own."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

import pytest

from tests.conftest import ROOT, modules_after

LINT_IMPORTS = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")


def _contracts(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [LINT_IMPORTS, "--config", str(root / "pyproject.toml"), "--no-cache"],
        cwd=root,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        check=False,
    )


def test_the_import_contracts_hold() -> None:
    run = _contracts(ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert (
        "broken" not in run.stdout.split("Contracts:")[-1].split(",")[0] or "0 broken" in run.stdout
    )


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("compiler/model/common.py", "from compiler.rules import RULES", "Models import nothing"),
        (
            "compiler/rules/ref/ref001_duplicate_id.py",
            "from compiler.load import source",
            "Rules, back-ends",
        ),
        ("compiler/load/source.py", "from compiler.rules import RULES", "Phases in layers"),
        ("compiler/backends/budget.py", "from compiler.rules import RULES", "Only the lint runner"),
        ("compiler/email/sandbox.py", "from compiler.email import render", "No import circle"),
    ],
)
def test_a_violation_breaks_its_contract(
    tmp_path: Path, module: str, line: str, contract: str
) -> None:
    copy = tmp_path / "project"
    shutil.copytree(ROOT / "compiler", copy / "compiler")
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    target = copy / module
    text = target.read_text(encoding="utf-8")
    header_end = text.index("from __future__ import annotations\n") + len(
        "from __future__ import annotations\n"
    )
    target.write_text(
        text[:header_end] + f"\n{line}  # noqa: F401\n" + text[header_end:], encoding="utf-8"
    )
    run = _contracts(copy)
    assert run.returncode != 0, run.stdout
    broken = run.stdout.split("Broken contracts")[-1]
    assert contract in broken, run.stdout


def test_loading_a_file_imports_no_rule() -> None:
    code = (
        "import sys\n"
        "from compiler.load import repository\n"
        "print(sorted(m for m in sys.modules if m.startswith('compiler.rules')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    assert out.strip() == "[]"


def test_the_packaged_conventions_read_alike_by_both_loaders() -> None:
    """The defaults are read with the plain safe loader (the conventions sit below the
    strict reader); they must mean what the strict reader reads."""
    from importlib.resources import files

    from ruamel.yaml import YAML

    from compiler.load.source import read

    for name in ("routing.yaml", "metrics.yaml", "utm.yaml"):
        raw = files("compiler.conventions").joinpath(name).read_bytes()
        doc, problems = read(name, raw)
        assert problems == []
        assert doc is not None
        assert YAML(typ="safe").load(raw) == doc.data


def test_domains_and_kinds_are_named_in_one_place() -> None:
    """`model/names.py` is the list; the Literal types the checker reads spell the same."""
    from typing import get_args

    from compiler.conventions.models import SpecKind
    from compiler.load.kinds import SPEC_KINDS as MODELS
    from compiler.model.common import Domain
    from compiler.model.names import DOMAINS, SPEC_KINDS

    assert get_args(Domain) == DOMAINS
    assert get_args(SpecKind) == SPEC_KINDS
    assert tuple(MODELS) == SPEC_KINDS


def test_rules_and_back_ends_read_no_file_of_the_project(tmp_path: Path) -> None:
    """Everything the rules and back-ends read is handed to them by `load/`: with the
    project moved away after loading, the environment emptied and the machine in another
    time zone, every finding and every artifact is the same."""
    from compiler.backends.artifacts import BuildContext
    from compiler.commands import pipeline
    from compiler.lint import runner
    from compiler.load import repository
    from compiler.project.repository import Repository

    root = tmp_path / "project"
    shutil.copytree(ROOT / "campaigns", root / "campaigns")
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    settings = pipeline.settings_for(root)
    context = BuildContext(uid_domain=settings.policy.calendar.uid_domain)

    def shown(path: Path) -> str:
        return path.relative_to(root).as_posix()

    def outcome(repo: Repository) -> tuple[object, object]:
        findings = sorted(runner.lint(repo), key=lambda d: d.sort_key())
        return findings, pipeline.compile_artifacts(repo, context, shown)

    in_place, _ = repository.load(settings.campaigns, str, settings.policy)
    expected = outcome(in_place)
    loaded, _ = repository.load(settings.campaigns, str, settings.policy)
    root.rename(tmp_path / "elsewhere")
    # nor the environment, nor the machine's time zone
    with mock.patch.dict(os.environ, {"TZ": "Pacific/Kiritimati", "LC_ALL": "C"}, clear=True):
        time.tzset()
        moved = outcome(loaded)
    time.tzset()  # the session's own zone again
    assert moved == expected


def test_a_check_imports_no_back_end() -> None:
    """Back-ends and their libraries (icalendar, XlsxWriter, css-inline) are a build's."""
    loaded = modules_after("check", "--no-cache")
    heavy = [m for m in loaded if m.split(".")[0] in ("icalendar", "xlsxwriter")]
    ours = [m for m in loaded if m.startswith("compiler.backends.")]
    assert ours + heavy == ["compiler.backends.artifacts"]


def test_the_architecture_names_every_module() -> None:
    """compiler/ARCHITECTURE.md has a word for every module (rule modules aside: the
    registry and docs/rules.md list them)."""
    import re

    text = (ROOT / "compiler" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    unnamed = [
        path.relative_to(ROOT).as_posix()
        for path in sorted((ROOT / "compiler").rglob("*.py"))
        if path.name not in ("__init__.py", "__main__.py")
        and not re.match(r"[a-z]+\d{3}_", path.stem)
        and path.name not in text
    ]
    assert unnamed == []
