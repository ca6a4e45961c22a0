"""`campc build`: check first, atomic swap, --check, manifest, determinism."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from compiler.backends import manifest, registry
from compiler.backends.artifacts import Artifact
from compiler.commands import pipeline
from tests.conftest import ROOT, CliRun
from tests.golden_build import tree


def project(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "campaigns", tmp_path / "campaigns")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")  # its policies too
    return tmp_path


def test_committed_outputs_are_up_to_date(campc: CliRun) -> None:
    run = campc("build", "--check")
    assert run.exit_code == 0, run.stdout + run.stderr
    assert "is up to date" in run.stdout


def test_build_then_check_lists_stale_missing_and_extra(campc: CliRun, tmp_path: Path) -> None:
    root = project(tmp_path)
    assert campc("build", cwd=root).exit_code == 0
    assert campc("build", "--check", cwd=root).exit_code == 0
    out = root / "outputs"
    (out / "calendar" / "README.md").write_text("# edited by hand\n")
    (out / "calendar" / "all.ics").unlink()
    (out / "notes.txt").write_text("stray\n")
    run = campc("build", "--check", cwd=root)
    assert run.exit_code == 1
    assert "stale: outputs/calendar/README.md" in run.stdout
    assert "-# edited by hand" in run.stdout  # a short diff for text files
    assert "missing: outputs/calendar/all.ics" in run.stdout
    assert "extra: outputs/notes.txt" in run.stdout
    assert (out / "notes.txt").exists()  # --check writes nothing
    assert campc("build", cwd=root).exit_code == 0
    assert not (out / "notes.txt").exists()  # files no spec produces disappear
    assert campc("build", "--check", cwd=root).exit_code == 0


def test_errors_stop_the_build_and_nothing_is_written(campc: CliRun, tmp_path: Path) -> None:
    root = project(tmp_path)
    campc("build", cwd=root)
    before = tree(root / "outputs")
    spec = root / "campaigns" / "campagnes" / "pulse-launch-2027.yaml"
    spec.write_text(spec.read_text().replace("total: 60000", "total: lots"))
    run = campc("build", cwd=root)
    assert run.exit_code == 1
    assert "SCHEMA001" in run.stdout
    assert "nothing was written" in run.stderr
    assert tree(root / "outputs") == before


def test_a_back_end_failing_halfway_leaves_outputs_untouched(
    campc: CliRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path)
    campc("build", cwd=root)
    before = tree(root / "outputs")
    (root / "campaigns" / "campagnes" / "data-quality-roadshow.yaml").unlink()

    def broken(repo: object, context: object) -> list[Artifact]:
        raise RuntimeError("disk on fire")

    monkeypatch.setitem(registry.BACKENDS, "zz-broken", broken)
    run = campc("build", cwd=root)
    assert run.exit_code == 2
    assert "back-end zz-broken failed" in run.stderr
    assert tree(root / "outputs") == before
    names = sorted(p.name for p in root.iterdir() if p.name != ".campc_cache")
    assert names == ["campaigns", "outputs", "pyproject.toml"]


def test_a_write_failing_halfway_leaves_outputs_untouched(
    campc: CliRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path)
    campc("build", cwd=root)
    before = tree(root / "outputs")
    (root / "campaigns" / "campagnes" / "data-quality-roadshow.yaml").unlink()
    calls = {"n": 0}
    real = os.fdopen

    def flaky(descriptor: int, *args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1  # the writer opens each artifact it stages with os.fdopen
        if calls["n"] == 3:
            os.close(descriptor)
            raise OSError("no space left on device")
        return real(descriptor, *args, **kwargs)

    monkeypatch.setattr(os, "fdopen", flaky)
    with pytest.raises(OSError, match="no space left"):
        pipeline.build(pipeline.settings_for(root), cwd=root)
    monkeypatch.undo()
    assert tree(root / "outputs") == before
    names = sorted(p.name for p in root.iterdir() if p.name != ".campc_cache")
    assert names == ["campaigns", "outputs", "pyproject.toml"]


def test_the_cache_is_written_beside_the_outputs_and_a_failure_of_either_is_raised(
    campc: CliRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cache's packs are written in a thread while the outputs are: a failed write
    still waits for the cache (the next build reads it), and a failed cache write is
    raised once the outputs are in place."""
    from compiler.cache import Cache
    from compiler.output import writer

    root = project(tmp_path)
    campc("build", cwd=root)
    spec = root / "campaigns" / "campagnes" / "data-quality-roadshow.yaml"
    settings = pipeline.settings_for(root)
    order: list[str] = []
    real_flush = Cache.flush

    def slow_flush(self: Cache) -> None:
        order.append("flush started")
        real_flush(self)
        order.append("flush done")

    def failing_write(*args: Any, **kwargs: Any) -> list[str]:
        order.append("write")
        raise OSError("no space left on device")

    monkeypatch.setattr(Cache, "flush", slow_flush)
    monkeypatch.setattr(writer, "write", failing_write)
    spec.write_text(spec.read_text() + "# one\n")
    with pytest.raises(OSError, match="no space left"):
        pipeline.build(settings, cwd=root, cache=Cache.open(root))
    # every flush had finished when the failure reached the caller
    assert order.count("flush done") == order.count("flush started") == 2, order
    assert "write" in order
    monkeypatch.undo()

    calls: list[int] = []

    def broken_flush(self: Cache) -> None:
        calls.append(1)
        if len(calls) == 2:  # the build's, after the check's own
            raise RuntimeError("the cache broke")
        real_flush(self)

    monkeypatch.setattr(Cache, "flush", broken_flush)
    spec.write_text(spec.read_text() + "# two\n")
    with pytest.raises(RuntimeError, match="the cache broke"):
        pipeline.build(settings, cwd=root, cache=Cache.open(root))
    monkeypatch.undo()
    manifest_now = json.loads((root / "outputs" / "manifest.json").read_text())
    digest = hashlib.sha256(spec.read_bytes()).hexdigest()
    assert digest in {s["sha256"] for s in manifest_now["specs"]}, "the outputs were written"


def test_manifest_lists_specs_and_artifacts_with_hashes() -> None:
    manifest = json.loads((ROOT / "outputs" / "manifest.json").read_text())
    assert manifest["version"] == 1
    ids = [s["id"] for s in manifest["specs"]]
    assert ids == sorted(ids)
    assert "pulse-launch-2027" in ids
    launch = next(s for s in manifest["specs"] if s["id"] == "pulse-launch-2027")
    spec_bytes = (ROOT / launch["path"]).read_bytes()
    assert launch["sha256"] == hashlib.sha256(spec_bytes).hexdigest()
    for artifact in manifest["artifacts"]:
        content = (ROOT / "outputs" / artifact["path"]).read_bytes()
        assert artifact["sha256"] == hashlib.sha256(content).hexdigest()
    launch_ics = next(
        a for a in manifest["artifacts"] if a["path"] == "calendar/pulse-launch-2027.ics"
    )
    assert "trial-onboarding-nurture" in launch_ics["specs"]


def test_a_site_page_names_the_specs_its_content_comes_from() -> None:
    """The site's page of an outputs page lists that page's specs, a section's index the
    specs of its pages, the front page every spec, and the copied assets none (the
    manifest stays small: 25 MB of ids on the 1,000-spec bench repository before)."""
    manifest = json.loads((ROOT / "outputs" / "manifest.json").read_text())
    made = {a["path"]: a["specs"] for a in manifest["artifacts"]}
    every = sorted(s["id"] for s in manifest["specs"])
    for path, specs in made.items():
        if path.startswith("site/sequences/") and path != "site/sequences/index.html":
            name = path.removeprefix("site/sequences/").removesuffix(".html")
            assert specs == made[f"sequences/{name}.md"], path
    pages = [p for p in made if p.startswith("site/sequences/") and p.endswith(".html")]
    assert len(pages) > 1
    assert made["site/sequences/index.html"] == sorted(
        {s for p in pages if not p.endswith("index.html") for s in made[p]}
    )
    scoring = [p for p in made if p.startswith("site/scoring/") and "index" not in p]
    for path in scoring:
        name = path.removeprefix("site/scoring/").removesuffix(".html")
        assert set(made[f"scoring/{name}.md"]) <= set(made[path]), path
    assert scoring
    assert made["site/index.html"] == every
    assert made["site/assets/site.css"] == []


def _build_in_subprocess(root: Path, out: Path, env: dict[str, str]) -> dict[str, bytes]:
    full = {**os.environ, **env}
    subprocess.run(
        [sys.executable, "-m", "compiler", "build", "--out", str(out)],
        cwd=root,
        env=full,
        check=True,
        capture_output=True,
    )
    return tree(out)


def test_builds_are_identical_across_timezones_and_locales(tmp_path: Path) -> None:
    root = project(tmp_path)
    for out in ("a", "b"):  # each build revises the calendar from the committed outputs
        shutil.copytree(ROOT / "outputs", tmp_path / out)
    first = _build_in_subprocess(root, tmp_path / "a", {"TZ": "Pacific/Kiritimati", "LC_ALL": "C"})
    second = _build_in_subprocess(
        root, tmp_path / "b", {"TZ": "America/Adak", "LC_ALL": "C.UTF-8", "LANG": "fr_FR.UTF-8"}
    )
    assert first == second
    assert first == tree(ROOT / "outputs")


def test_source_date_epoch_is_the_only_clock(tmp_path: Path) -> None:
    root = project(tmp_path)
    built = _build_in_subprocess(root, tmp_path / "a", {"SOURCE_DATE_EPOCH": "1800000000"})
    assert b"DTSTAMP:20270115T080000Z" in built["calendar/all.ics"]


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(), _JSON, max_size=5))
@example({"path": "a\ud800b"})
@example({"text": '"\\\x00\x1f\x7f\u2028\U0001f600', "nested": [[], {}, [{"a": []}]]})
def test_the_manifest_is_written_as_json_dumps_writes_it(document: dict[str, Any]) -> None:
    """orjson writes the manifest; the bytes are those `json.dumps(indent=2)` writes
    (the outside oracle), whatever the strings hold: quotes, controls, U+2028, emoji;
    a lone surrogate, which orjson refuses, fails as it does with `json` alone."""
    try:
        expected = (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    except UnicodeEncodeError:
        with pytest.raises(UnicodeEncodeError):
            manifest.dumps(document)
        return
    assert manifest.dumps(document) == expected


def _display_path_by_pathlib(path: Path, cwd: Path) -> str:
    """`pipeline.display_path` as pathlib alone computes it (the reference)."""
    resolved = Path(os.path.normpath(path)) if path.is_absolute() else path.resolve()
    try:
        return resolved.relative_to(cwd.resolve()).as_posix()
    except ValueError:
        return resolved.as_posix()


_SEGMENT = st.sampled_from(["a", "b", "ab", ".", "..", "", "a.yaml", "a b", "é"])


@given(
    path=st.lists(_SEGMENT, min_size=0, max_size=6),
    cwd=st.lists(st.sampled_from(["a", "b", "ab"]), min_size=0, max_size=3),
)
@settings(max_examples=300, deadline=None)
@example(path=["a", "b"], cwd=["a"])
@example(path=["ab", "c"], cwd=["a"])
@example(path=["a"], cwd=["a"])
@example(path=[], cwd=[])
def test_display_path_is_what_pathlib_says(path: list[str], cwd: list[str]) -> None:
    # below a folder that exists, so resolving the working directory moves nothing
    base = Path(tempfile.gettempdir()).resolve() / "campc-display"
    folder = base.joinpath(*cwd)
    shown = Path("/".join([str(base), *path]))  # "", "." and ".." kept as written
    folder.mkdir(parents=True, exist_ok=True)
    assert pipeline.display_path(shown, folder) == _display_path_by_pathlib(shown, folder)
