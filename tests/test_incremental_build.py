"""`campc build` after a change recompiles only what the change calls for, and writes
exactly what a build without a cache writes.

The oracle is a build with `--no-cache` into a folder of its own: after every kind of
edit (a campaign, the sequence it enrols, an experiment, a scoring model, a template,
a registry, a policy, SOURCE_DATE_EPOCH, a spec added and removed), the cached build's
files are byte for byte those. Counting the calls of each back-end's costly step shows
that an edit of one spec redoes that spec's artifacts (and those of the specs it is
related to) alone."""

from __future__ import annotations

import posixpath
import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from compiler import cache
from compiler.backends import calendar, registry, sequences, site, testplan
from compiler.backends.artifacts import BuildContext
from compiler.backends.scoring import sql
from compiler.commands import incremental, pipeline
from compiler.config import settings
from compiler.email import render
from compiler.project.facts import Facts
from compiler.project.repository import Repository
from tests.conftest import ROOT
from tests.golden_build import tree


@pytest.fixture
def root(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "campaigns", tmp_path / "campaigns")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How often each back-end's costly step ran, by what it ran on."""
    counted: Counter[str] = Counter()

    def counting(name: str, function: Callable[..., Any], label: Callable[..., str]) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            counted[f"{name} {label(*args)}"] += 1
            return function(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(
        calendar, "_vevent", counting("vevent", calendar._vevent, lambda e, *_: e.spec_id)
    )
    monkeypatch.setattr(
        "compiler.backends.scoring.markdown.render_targets",
        counting("sql", sql.render_targets, lambda m, *_: m.id),
    )
    monkeypatch.setattr(
        "compiler.backends.emails.eml",
        counting("eml", render.eml, lambda _, e, *__: e.send.spec.doc.data["id"]),
    )
    monkeypatch.setattr(
        testplan, "document", counting("plan", testplan.document, lambda _, s, *__: s.path)
    )
    monkeypatch.setattr(
        sequences, "document", counting("sequence", sequences.document, lambda m: m.id)
    )
    monkeypatch.setattr(  # a site page made from a Markdown page, by the spec's id
        site,
        "_markdown",
        counting("page", site._markdown, lambda _, path, *__: posixpath.basename(path)[:-3]),
    )
    return counted


def _build(root: Path, use_cache: bool = True, out: Path | None = None) -> dict[str, bytes]:
    store = pipeline.open_cache(settings.load(root), enabled=use_cache)
    result = pipeline.build(settings.load(root), out=out, cwd=root, cache=store)
    assert not result.check.failed, [d.message for d in result.check.diagnostics]
    assert result.out is not None
    return tree(result.out)


def _fresh(root: Path) -> dict[str, bytes]:
    """What a build without a cache writes, into a folder of its own that starts as the
    outputs folder is now (its manifest gives the calendar's revisions)."""
    out = root / "fresh"
    shutil.rmtree(out, ignore_errors=True)
    if (root / "outputs").is_dir():
        shutil.copytree(root / "outputs", out)
    return _build(root, use_cache=False, out=out)


def _counted(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> list[int]:
    """A list that gets a 1 for each call of `module.name` (which still runs)."""
    ran: list[int] = []
    original = getattr(module, name)

    def counting(*args: Any, **kwargs: Any) -> Any:
        ran.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, counting)
    return ran


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


EDITS: dict[str, tuple[str, str, str]] = {
    "campaign": (
        "campaigns/campagnes/pulse-launch-2027.yaml",
        "at: 2027-04-20T09:30",
        "at: 2027-04-20T10:30",
    ),
    "campaign cohort": (
        "campaigns/campagnes/pulse-launch-2027.yaml",
        "cohort_enters: 2027-04-13T10:00",
        "cohort_enters: 2027-04-14T10:00",
    ),
    "sequence": (
        "campaigns/automation/trial-onboarding-nurture.yaml",
        "subject: Three checks every pipeline should have",
        "subject: Four checks every pipeline should have",
    ),
    "campaign budget": (
        "campaigns/campagnes/pulse-launch-2027.yaml",
        "paid_social: 36000, events: 15000}",
        "paid_social: 35000, events: 16000}",
    ),
    "campaign owner": (
        "campaigns/campagnes/pulse-launch-2027.yaml",
        "owner: marketing-ops@fjord.example",
        "owner: growth-ops@fjord.example",
    ),
    "experiment": ("campaigns/performance/pricing-page-cta.yaml", "daily: 4200", "daily: 5200"),
    "scoring": (
        "campaigns/automation/b2b-lead-scoring.yaml",
        "value: [50, 199]",
        "value: [40, 199]",
    ),
    "template": ("campaigns/templates/launch/reminder.html", "</", " </"),
    "registry": ("campaigns/audiences.yaml", "size: 18500", "size: 19500"),
    "policy": ("pyproject.toml", 'unsubscribe-url = "https://', 'unsubscribe-url = "https://x.'),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_a_cached_build_after_an_edit_writes_what_a_fresh_build_writes(
    root: Path, edit: str
) -> None:
    _build(root)
    path, old, new = EDITS[edit]
    _edit(root / path, old, new)
    expected = _fresh(root)  # from the outputs the cached build replaces, as it does
    assert _build(root) == expected


def test_a_cached_build_after_a_spec_is_added_and_removed_writes_what_a_fresh_build_writes(
    root: Path,
) -> None:
    """A new campaign (with a send to an audience others mail too, and a budget) brings
    its artifacts and changes the shared ones (calendars, budget, manifest); removing it
    takes them away again."""
    _build(root)
    source = root / "campaigns" / "acquisition" / "monthly-newsletter-q2.yaml"
    added = source.with_name("monthly-newsletter-q3.yaml")
    text = source.read_text(encoding="utf-8")
    assert "id: monthly-newsletter-q2\n" in text
    added.write_text(
        text.replace("id: monthly-newsletter-q2\n", "id: monthly-newsletter-q3\n", 1),
        encoding="utf-8",
    )
    expected = _fresh(root)
    with_it = _build(root)
    assert with_it == expected
    assert any("monthly-newsletter-q3" in path for path in with_it)
    added.unlink()
    expected = _fresh(root)
    without = _build(root)
    assert without == expected
    assert not any("monthly-newsletter-q3" in path for path in without)


def test_the_budget_sheet_is_rebuilt_when_money_or_its_labels_move_and_only_then(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The budget artifacts are kept by what they are made from: a send moved is not
    a workbook written again; a channel's amount or the campaign's owner is."""
    from compiler.backends import budget

    made = _counted(monkeypatch, budget, "workbook")
    _build(root)
    for edit, rebuilt in (("campaign", 0), ("campaign budget", 1), ("campaign owner", 1)):
        made.clear()
        _edit(root / EDITS[edit][0], *EDITS[edit][1:])
        _build(root)
        assert len(made) == rebuilt, edit


def test_source_date_epoch_is_part_of_every_artifact_key(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _build(root)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    expected = _fresh(root)  # from the outputs the cached build replaces, as it does
    assert _build(root) == expected


def test_an_edit_of_one_campaign_recompiles_that_campaign_alone(
    root: Path, calls: Counter[str]
) -> None:
    _build(root)
    assert calls["sql b2b-lead-scoring"] == 1
    assert calls["vevent pulse-launch-2027"] > 0
    assert calls["page b2b-lead-scoring"] == 1
    calls.clear()
    expected = _fresh(root)  # from the outputs the cached build replaces, as it does
    assert _build(root) == expected
    assert calls["sql b2b-lead-scoring"] == 1  # the fresh build's: the cached one made none
    calls.clear()
    _build(root)
    assert sum(calls.values()) == 0, calls  # nothing changed: nothing compiled
    _edit(root / EDITS["campaign"][0], *EDITS["campaign"][1:])
    _build(root)
    made = {key.split()[1] for key in calls}
    # the campaign, and the sequence and experiments it links (their artifacts read it)
    experiments = ("pricing-page-cta", "launch-subject-line", "signup-form-fields")
    assert made <= {
        "pulse-launch-2027",
        "trial-onboarding-nurture",
        *experiments,
        *(f"campaigns/performance/{e}.yaml" for e in experiments),
    }, calls
    assert "pulse-launch-2027" in made
    assert not any(key.startswith("sql ") for key in calls)


REPOSITORIES = [
    ROOT,
    *sorted(p.parent for p in (ROOT / "tests" / "golden").glob("*/pyproject.toml")),
]


@pytest.mark.parametrize("project", REPOSITORIES, ids=lambda p: p.name)
@pytest.mark.parametrize("name", sorted(registry.PER_SPEC | set(registry.STAGED)))
def test_a_spec_compiled_with_its_related_specs_alone_gives_its_whole_repository_output(
    project: Path, name: str
) -> None:
    """What makes per-spec caching sound: each spec's part of a back-end's output, made
    on a repository of that spec and the specs it is related to, is its part of the
    output made on the whole repository."""
    checked = pipeline.check(settings.load(project), cwd=project)
    assert not checked.failed
    repo = checked.repositories[0]
    context = BuildContext(uid_domain="campc.invalid", source_date_epoch=None)
    keys = incremental.Keys(repo, context, cache.Cache.off())

    def made(part: Repository) -> dict[str, Any]:
        if name in registry.STAGED:
            return dict(registry.STAGED[name].fragments(part, context))
        by_id = {str(s.doc.data["id"]): s.path for s in part.specs}
        found: dict[str, list[tuple[str, bytes]]] = {}
        for artifact in registry.BACKENDS[name](part, context):
            (source,) = artifact.sources
            found.setdefault(by_id[source], []).append((artifact.path, artifact.content))
        return found

    whole = made(replace(repo, facts=Facts()))
    for spec in repo.specs:
        part = replace(repo, specs=[spec, *keys.related.of(spec)], facts=Facts())
        assert made(part).get(spec.path) == whole.get(spec.path), f"{name}: {spec.path}"


@pytest.mark.parametrize("project", REPOSITORIES, ids=lambda p: p.name)
@pytest.mark.parametrize("name", sorted(registry.KINDS))
def test_a_backend_of_some_kinds_gives_on_those_specs_alone_its_whole_repository_output(
    project: Path, name: str
) -> None:
    """What makes caching it by the specs of its kinds sound: the back-end's output on a
    repository of those specs (and the specs they are related to) is its output on the
    whole repository."""
    checked = pipeline.check(settings.load(project), cwd=project)
    assert not checked.failed
    repo = checked.repositories[0]
    context = BuildContext(uid_domain="campc.invalid", source_date_epoch=None)
    related = incremental.Keys(repo, context, cache.Cache.off()).related
    chosen = [s for s in repo.specs if s.kind in registry.KINDS[name]]
    part = related.part(repo, chosen)
    if project == ROOT:  # the example has specs of every kind: the part leaves some out
        assert len(part.specs) < len(repo.specs)

    def made(of: Repository) -> list[tuple[str, bytes, tuple[str, ...]]]:
        return [
            (a.path, a.content, a.sources)
            for a in registry.BACKENDS[name](replace(of, facts=Facts()), context)
        ]

    assert made(part) == made(repo)


def test_an_edit_of_a_campaign_leaves_the_dbt_project_to_the_cache(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from compiler.backends.scoring import dbt

    ran = _counted(monkeypatch, dbt, "files")
    _build(root)
    assert ran == [1]
    _edit(root / EDITS["campaign"][0], *EDITS["campaign"][1:])
    _build(root)
    assert ran == [1]  # the campaign is not one of its inputs
    _edit(root / EDITS["scoring"][0], *EDITS["scoring"][1:])
    expected = _fresh(root)
    assert len(ran) == 2
    assert _build(root) == expected
    assert len(ran) == 3


def test_a_build_that_compiles_no_scoring_model_never_imports_sqlglot(root: Path) -> None:
    """sqlglot (the slowest import of a build) is loaded only to compile a scoring model:
    after a campaign edit every model's SQL comes from the cache."""
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from compiler.commands import pipeline\n"
        "from compiler.config import settings\n"
        "root = settings.load(__import__('pathlib').Path('.'))\n"
        "result = pipeline.build(root, cwd=root.root, cache=pipeline.open_cache(root))\n"
        "assert not result.check.failed\n"
        "print('sqlglot' in sys.modules)\n"
    )

    def imports_sqlglot() -> bool:
        done = subprocess.run(
            [sys.executable, "-c", probe], cwd=root, capture_output=True, text=True, check=True
        )
        return done.stdout.strip() == "True"

    assert imports_sqlglot()  # the first build compiles the scoring model
    _edit(root / EDITS["campaign"][0], *EDITS["campaign"][1:])
    assert not imports_sqlglot()
    _edit(root / EDITS["scoring"][0], *EDITS["scoring"][1:])
    assert imports_sqlglot()
