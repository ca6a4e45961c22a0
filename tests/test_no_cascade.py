"""One mistake, one finding, in the file that holds it.

Every spec and registry file of the example repository (which checks clean) is broken in
turn, three ways: a YAML syntax error, a schema error, and a symbolic link in its
place. Whatever the rules say then, they say it about that file alone: a file that did
not load still exists for the others (its references are not dangling, what it links
is not unused, suppressions waiting for it are not stale).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from compiler.commands import pipeline
from tests.conftest import ROOT

FILES = sorted(
    p.relative_to(ROOT).as_posix()
    for p in (ROOT / "campaigns").rglob("*.yaml")
    if "templates" not in p.parts
)
BREAKS: dict[str, Callable[[str], str] | None] = {
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
    breaking = BREAKS[how]
    try:
        if breaking is None:
            linked_to = project.parent / "elsewhere.yaml"
            linked_to.write_bytes(original)
            target.unlink()
            target.symlink_to(linked_to)
        else:
            target.write_text(breaking(text), encoding="utf-8")
        result = pipeline.check(pipeline.settings_for(project), cwd=project)
    finally:
        target.unlink()
        target.write_bytes(original)
    assert result.diagnostics, f"breaking {name} ({how}) went unnoticed"
    elsewhere = [
        f"{d.location()}: {d.code} {d.message}" for d in result.diagnostics if d.path != name
    ]
    assert elsewhere == [], f"breaking {name} ({how}) reported in other files"


INVALID = sorted(p for p in (ROOT / "tests" / "examples" / "invalid").iterdir() if p.is_dir())


@pytest.mark.parametrize("case", INVALID, ids=lambda p: p.name)
def test_an_invalid_example_added_to_the_example_repository_is_reported_alone(
    tmp_path: Path, case: Path
) -> None:
    """Each invalid example, dropped into the (clean) example repository: every finding
    is in one of its files, none in the repository's own."""
    root = tmp_path / "project"
    shutil.copytree(ROOT / "campaigns", root / "campaigns")
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    added = set()
    for source in sorted(case.rglob("*")):
        if source.is_dir() or source.name == "expected.txt":
            continue
        relative = source.relative_to(case)
        # the case's templates join the repository's; its specs get a folder of their own
        folder = root / "campaigns" / ("" if relative.parts[0] == "templates" else "zz-case")
        target = folder / relative
        assert not target.exists(), f"{case.name}: {relative} would replace a file"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, target, follow_symlinks=False)
        added.add(target.relative_to(root).as_posix())
    result = pipeline.check(pipeline.settings_for(root), cwd=root)
    assert any(d.path in added for d in result.diagnostics), f"{case.name} went unnoticed"
    elsewhere = [
        f"{d.location()}: {d.code} {d.message}" for d in result.diagnostics if d.path not in added
    ]
    assert elsewhere == [], f"{case.name} reported in the repository's own files"


def test_every_rule_case_is_reported_in_the_files_it_changes() -> None:
    """A rule case that changes some of its shared files finds its mistakes there: a
    template's mistake on the template, not on the spec that sends it. (tests/rules
    runs the cases; this reads their expectations.)"""
    from ruamel.yaml import YAML

    misplaced = []
    for path in sorted((ROOT / "tests" / "rules" / "cases").glob("*.yaml")):
        data = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
        for case in data["cases"]:
            changed = set(case.get("files") or {})
            if not data.get("files") or not changed:
                continue  # the shared files are the case
            misplaced += [
                f"{path.stem} {case['name']!r}: {found}"
                for found in case["expect"]
                if found[0] not in changed
            ]
    assert misplaced == []
