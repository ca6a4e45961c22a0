"""The incremental check: after one change, only the changed spec and its related specs
are validated and linted again, and the repository-wide rules combine what they
collected of every spec (kept per spec in the cache) into the findings a check without
the cache makes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from compiler import cache
from compiler.commands import pipeline
from compiler.config.lint import LintSettings
from compiler.config.settings import Settings
from compiler.config.settings import load as load_settings
from compiler.diagnostics import Diagnostic, Rule
from compiler.load import repository
from compiler.project import inputs
from compiler.rules import RULES
from tests.conftest import ROOT
from tests.rules.test_rule_cases import CASE_FILES, _load

COLLECTING = [r for r in RULES.values() if r.collect is not None]


def _key(d: Diagnostic) -> tuple[str, int, int, str, str]:
    return d.path, d.line, d.col, d.code, d.message


def _write_case(folder: Path, files: dict[str, str]) -> Settings:
    """A rule case as a project: its specs under `folder`, its pyproject's policies."""
    for name, content in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
    policy = load_settings(folder).policy
    (folder / "pyproject.toml").unlink(missing_ok=True)
    return Settings(
        root=folder,
        campaigns=folder,
        outputs=folder / "outputs",
        schemas=folder / "schemas",
        lint=LintSettings(),
        policy=policy,
    )


def _cases(tmp_path: Path) -> list[tuple[str, Settings]]:
    """Every case of every collecting rule, and the example repository."""
    found = []
    codes = {r.code for r in COLLECTING}
    for path in CASE_FILES:
        data = _load(path)
        if data["rule"] not in codes:
            continue
        for index, case in enumerate(data["cases"]):
            files = {**data.get("files", {}), **case.get("files", {})}
            folder = tmp_path / f"{path.stem}-{index}"
            found.append((f"{path.stem}:{case['name']}", _write_case(folder, files)))
    example = tmp_path / "example"
    shutil.copytree(ROOT / "campaigns", example / "campaigns")
    shutil.copy(ROOT / "pyproject.toml", example / "pyproject.toml")
    found.append(("example", pipeline.settings_for(example)))
    return found


def _check(settings: Settings, store: cache.Cache) -> list[tuple[str, int, int, str, str]]:
    result = pipeline.check(settings, cwd=settings.root, cache=store)
    return [_key(d) for d in result.diagnostics]


def _plain(value: Any) -> Any:
    return json.loads(json.dumps(value))


def test_the_collecting_rules_are_the_repository_wide_rules_that_read_models() -> None:
    assert {r.code for r in COLLECTING} == {"BUDGET005", "CAL001", "CAL007", "REF002", "SCORE005"}
    for rule in COLLECTING:
        assert rule.scope == "repository"
        assert rule.check is not None  # combine over collect, for callers of `check`


def test_what_a_rule_collects_is_plain_data_and_the_same_in_a_part(tmp_path: Path) -> None:
    """Each spec's data, collected in a repository of that spec and its related specs, is
    what a collection over the whole repository says of it; and it is JSON's types
    exactly (a tuple would come back from the cache as a list)."""
    for name, settings in _cases(tmp_path):
        repo, _ = repository.load(settings.campaigns, str, settings.policy)
        related = inputs.Related(repo)
        for rule in COLLECTING:
            assert rule.collect is not None
            whole = rule.collect(repo)
            assert whole == _plain(whole), f"{rule.code} in {name}"
            assert set(whole) <= {spec.path for spec in repo.specs}
            for spec in repo.specs:
                part = rule.collect(related.part(repo, [spec]))
                assert part.get(spec.path) == whole.get(spec.path), f"{rule.code} {name}"


@pytest.mark.parametrize("rule", COLLECTING, ids=lambda r: r.code)
def test_combining_cached_and_fresh_data_gives_the_uncached_findings(
    tmp_path: Path, rule: Rule
) -> None:
    """For every case of a collecting rule: after each spec in turn is edited (so that
    its data is collected again and the others' come from the cache), a cached check
    says what an uncached one says, the rule's own findings included."""
    for name, settings in _cases(tmp_path / rule.code):
        if not name.startswith(f"{rule.code}:"):
            continue
        store = pipeline.open_cache(settings)
        assert store.active
        cold = _check(settings, store)
        assert cold == _check(settings, cache.Cache.off()), name
        for spec in sorted(settings.campaigns.rglob("*.yaml")):
            text = spec.read_text(encoding="utf-8")
            spec.write_text(f"{text}# edited\n", encoding="utf-8")
            assert _check(settings, store) == cold, f"{name}: {spec.name}"


def test_a_check_after_one_change_validates_only_that_spec_and_its_related_specs(
    tmp_path: Path,
) -> None:
    """The models of the specs nothing changed for stay unbuilt: the repository-wide
    rules work from what they collected, the links from the references the cache kept."""
    ((_, settings),) = [c for c in _cases(tmp_path) if c[0] == "example"]
    store = pipeline.open_cache(settings)
    _check(settings, store)
    edited = settings.campaigns / "campagnes" / "pulse-launch-2027.yaml"
    edited.write_text(edited.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    result = pipeline.check(settings, cwd=settings.root, cache=store)
    (repo,) = result.repositories
    (spec,) = [s for s in repo.specs if s.path.endswith("pulse-launch-2027.yaml")]
    related = inputs.Related(repo)
    redone = {spec.path, *(d.path for d in related.of(spec))}
    # and what those are related to: the part a related spec is linted in
    around = {
        d.path for path in redone for s in repo.specs if s.path == path for d in related.of(s)
    }
    validated = {s.path for s in repo.specs if s.validated}
    assert spec.path in validated
    assert validated <= redone | around, sorted(validated - redone - around)
    assert len(validated) < len(repo.specs) / 2, (len(validated), len(repo.specs))
    assert [_key(d) for d in result.diagnostics] == _check(settings, cache.Cache.off())


def test_a_cached_model_is_validated_from_the_cached_document(tmp_path: Path) -> None:
    """A spec the cache held is the same spec a fresh read gives: its model, its
    references and its links."""
    ((_, settings),) = [c for c in _cases(tmp_path) if c[0] == "example"]
    store = pipeline.open_cache(settings)
    fresh, _ = repository.load(settings.campaigns, str, settings.policy, store)
    store.flush()
    again = pipeline.open_cache(settings)
    cached, _ = repository.load(settings.campaigns, str, settings.policy, again)
    assert again.hits >= len(fresh.specs)
    assert not any(s.validated for s in cached.specs)
    for before, after in zip(fresh.specs, cached.specs, strict=True):
        assert after.references() == before.references()
        assert not after.validated  # references came from the cache
        assert after.model == before.model
