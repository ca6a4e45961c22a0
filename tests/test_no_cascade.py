"""One mistake, one finding, in the file that holds it.

Every spec and registry file of the example repository (which checks clean) is broken in
turn, three ways: a YAML syntax error, a schema error, and a symbolic link in its
place. Whatever the rules say then, they say it about that file alone: a file that did
not load still exists for the others (its references are not dangling, what it links
is not unused, suppressions waiting for it are not stale).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from compiler import pipeline
from tests.conftest import ROOT

FILES = sorted(
    p.relative_to(ROOT).as_posix()
    for p in (ROOT / "campaigns").rglob("*.yaml")
    if "templates" not in p.parts
)
BREAKS = {
    "yaml": lambda text: text + "\nbroken: [unclosed\n",
    "schema": lambda text: text + "\nunknown_key_typo: 1\n",
    "link": None,
}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cascade") / "project"
    shutil.copytree(ROOT / "campaigns", root / "campaigns")
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    return root


@pytest.mark.parametrize("how", sorted(BREAKS))
@pytest.mark.parametrize("name", FILES)
def test_a_broken_file_gets_the_findings_and_no_other_file_does(
    project: Path, name: str, how: str
) -> None:
    target = project / name
    original = target.read_bytes()
    text = original.decode("utf-8")
    try:
        if BREAKS[how] is None:
            elsewhere = project.parent / "elsewhere.yaml"
            elsewhere.write_bytes(original)
            target.unlink()
            target.symlink_to(elsewhere)
        else:
            target.write_text(BREAKS[how](text), encoding="utf-8")
        result = pipeline.check(pipeline.settings_for(project), cwd=project)
    finally:
        target.unlink()
        target.write_bytes(original)
    assert result.diagnostics, f"breaking {name} ({how}) went unnoticed"
    elsewhere = [
        f"{d.location()}: {d.code} {d.message}" for d in result.diagnostics if d.path != name
    ]
    assert elsewhere == [], f"breaking {name} ({how}) reported in other files"
