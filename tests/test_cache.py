"""The cache: a cached check says exactly what an uncached one says, spec-scoped rules
really depend on one spec (and its links), and entries nobody here signed are ignored."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import settings as examples
from hypothesis import strategies as st

from compiler import cache, files
from compiler.commands import pipeline
from compiler.config.settings import Settings
from compiler.diagnostics import Diagnostic
from compiler.load import inventory, repository
from compiler.project import inputs
from compiler.project.facts import Facts
from compiler.rules import RULES
from tests.conftest import ROOT, CliRun
from tests.rules.test_rule_cases import CASE_FILES, _load

SPEC_RULES = [r for r in RULES.values() if r.check is not None and r.scope == "spec"]


def _case_repositories(tmp_path: Path) -> list[Path]:
    """The example repository and every rule case, each written as a folder."""
    folders = [ROOT / "campaigns"]
    for path in CASE_FILES:
        data = _load(path)
        for index, case in enumerate(data["cases"]):
            folder = tmp_path / f"{path.stem}-{index}"
            for name, content in {**data.get("files", {}), **case.get("files", {})}.items():
                if name == "pyproject.toml":
                    continue
                target = folder / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(content, encoding="utf-8")
            if folder.is_dir():
                folders.append(folder)
    return folders


def _key(d: Diagnostic) -> tuple[str, int, int, str, str]:
    return d.path, d.line, d.col, d.code, d.message


def test_spec_scoped_rules_see_only_their_spec_and_its_links(tmp_path: Path) -> None:
    assert {"CAL003", "EXP006", "ROUTE001", "BUDGET001"} <= {r.code for r in SPEC_RULES}
    for folder in _case_repositories(tmp_path):
        repo, _ = repository.load(folder, str)
        links = inputs.links(repo)
        specs = {s.path for s in repo.specs}
        for rule in SPEC_RULES:
            assert rule.check is not None
            whole = sorted(_key(d) for d in rule.check(repo) if d.path in specs)
            alone = []
            for spec in repo.specs:
                linked = [d for d in links[spec.path] if d is not None and d is not spec]
                part = replace(repo, specs=[spec, *linked], facts=Facts())
                alone += [_key(d) for d in rule.check(part) if d.path == spec.path]
            assert sorted(alone) == whole, f"{rule.code} in {folder}"


def _settings(root: Path) -> Settings:
    return pipeline.settings_for(root)


def _copy_example(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(ROOT / "campaigns", root / "campaigns")
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    return root


def _check(root: Path, store: cache.Cache) -> list[tuple[str, int, int, str, str]]:
    result = pipeline.check(_settings(root), cwd=root, cache=store)
    return [_key(d) for d in result.diagnostics]


def test_cached_checks_agree_with_uncached_ones_cold_warm_and_after_edits(
    tmp_path: Path,
) -> None:
    root = _copy_example(tmp_path)
    store = pipeline.open_cache(_settings(root))
    assert store.active
    assert _check(root, store) == _check(root, cache.Cache.off())  # cold: fills the cache
    misses = store.misses
    assert _check(root, store) == _check(root, cache.Cache.off())  # warm: only hits
    assert store.misses == misses
    edits = {
        # a campaign's own finding (BUDGET001), a linked sequence's change seen by the
        # campaign that schedules it (CAL rules), and a registry change (CAL003 markets)
        "campaigns/campagnes/pulse-launch-2027.yaml": ("total: ", "total: 1"),
        "campaigns/automation/trial-onboarding-nurture.yaml": ("duration: 2d", "duration: 18d"),
        "campaigns/audiences.yaml": ("{country: DE}", "{country: XX}"),
        "campaigns/blackouts.yaml": ("2027-", "2027-"),
    }
    before = _check(root, store)
    for name, (old, new) in edits.items():
        path = root / name
        text = path.read_text(encoding="utf-8")
        assert old in text, name
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        after = _check(root, store)
        assert after == _check(root, cache.Cache.off()), name
        if name.endswith("nurture.yaml"):  # the campaign's cohort now gets a send on May 1
            assert any(
                code == "CAL003" and path.endswith("pulse-launch-2027.yaml")
                for path, _, _, code, _ in set(after) - set(before)
            )
        before = after


def test_entries_signed_with_another_secret_or_tampered_are_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = cache.Cache.open(tmp_path)
    key = store.key(b"x")
    store.put("files", key, {"answer": 42})
    store.flush()
    assert cache.Cache.open(tmp_path).get("files", key) == {"answer": 42}
    assert (tmp_path / cache.FOLDER / ".gitignore").read_text().splitlines()[-1] == "*"
    pack = next((tmp_path / cache.FOLDER).rglob("pack"))
    blob = pack.read_bytes()
    pack.write_bytes(blob[:-1] + bytes([blob[-1] ^ 1]))
    assert cache.Cache.open(tmp_path).get("files", key) is None
    pack.write_bytes(blob)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "elsewhere"))
    assert cache.Cache.open(tmp_path).get("files", key) is None  # another machine's secret


def test_a_signed_entry_that_does_not_decode_is_a_miss(tmp_path: Path) -> None:
    store = cache.Cache.open(tmp_path)
    assert store.folder is not None
    store._write(("pack",), cache._pack({("files", "bad"): b"not json", ("files", "ok"): b"null"}))
    again = cache.Cache.open(tmp_path)
    assert again.get("files", "bad") is None
    assert again.get("files", "ok") is None
    assert (again.hits, again.misses) == (0, 2)


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()  # NaN and the infinities too: json writes them, orjson refuses them
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@examples(max_examples=300, deadline=None)
@given(_JSON)
def test_an_entry_decodes_to_what_json_decodes(value: object) -> None:
    """Entries are read by orjson, and by `json` where orjson refuses them: the value is
    always the one `json` itself reads back (compared as JSON text, NaN included)."""
    import json

    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    assert json.dumps(cache._decode(cache._encode(value))) == json.dumps(json.loads(text))


def test_a_run_keeps_only_the_entries_it_used(tmp_path: Path) -> None:
    first = cache.Cache.open(tmp_path)
    first.put("files", "old", 1)
    first.put("files", "kept", 2)
    first.flush()
    second = cache.Cache.open(tmp_path)
    assert second.get("files", "kept") == 2
    second.put("files", "new", 3)
    second.flush()
    third = cache.Cache.open(tmp_path)
    assert (third.get("files", "old"), third.get("files", "kept"), third.get("files", "new")) == (
        None,
        2,
        3,
    )


def test_a_run_that_puts_only_what_the_pack_holds_writes_nothing(tmp_path: Path) -> None:
    """A build where nothing changed puts back the record of the outputs it read: the
    pack (35 MB of artifacts on the bench repository) is not written again; a run that
    puts something new writes it, with what it used."""
    first = cache.Cache.open(tmp_path)
    first.put("artifacts", "a", ["x"])
    first.put("artifacts", "b", ["y"])
    first.flush()
    (pack,) = (tmp_path / cache.FOLDER).rglob(cache.ARTIFACTS)
    written = pack.stat().st_ino  # a write replaces the file: a new inode
    second = cache.Cache.open(tmp_path)
    assert second.get("artifacts", "a") == ["x"]
    second.put("artifacts", "a", ["x"])  # what it holds
    second.flush()
    assert pack.stat().st_ino == written
    third = cache.Cache.open(tmp_path)
    assert third.get("artifacts", "b") == ["y"]  # not dropped: nothing was written
    third.put("artifacts", "a", ["changed"])
    third.flush()
    assert pack.stat().st_ino != written
    fourth = cache.Cache.open(tmp_path)
    assert fourth.get("artifacts", "a") == ["changed"]
    assert fourth.get("artifacts", "b") == ["y"]  # used by the third run


def test_a_build_where_nothing_changed_rewrites_no_pack(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from compiler.commands import pipeline
    from compiler.config import settings
    from compiler.output import writer

    monkeypatch.setattr(writer, "_RACY_NS", 0)  # every file's stamp vouches at once

    shutil.copytree(ROOT / "campaigns", tmp_path / "campaigns")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")

    def build() -> None:
        store = pipeline.open_cache(settings.load(tmp_path))
        result = pipeline.build(settings.load(tmp_path), cwd=tmp_path, cache=store)
        assert not result.check.failed

    build()
    build()  # the record of the outputs now lists every file
    packs = {p: p.stat().st_ino for p in (tmp_path / cache.FOLDER).rglob("*") if p.is_file()}
    build()
    assert {p: p.stat().st_ino for p in packs} == packs


def test_cache_is_off_with_campc_no_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAMPC_NO_CACHE", "1")
    store = cache.Cache.open(tmp_path)
    assert not store.active
    store.put("files", "k", 1)
    store.flush()
    assert not (tmp_path / cache.FOLDER).exists()


def _run_campc(
    root: Path, *args: str, watch: tuple[str, ...] = ("pydantic", "compiler.rules")
) -> subprocess.CompletedProcess[str]:
    code = (
        "import sys\n"
        "from compiler.cli.main import main\n"
        "try:\n"
        "    main(list(sys.argv[1:]))\n"
        "except SystemExit as done:\n"
        f"    heavy = sorted(m for m in {watch!r} if m in sys.modules)\n"
        "    print('loaded:', ','.join(heavy) or '-', file=sys.stderr)\n"
        "    raise\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
        check=False,
    )


def test_a_check_with_nothing_changed_loads_no_model_and_runs_no_rule(tmp_path: Path) -> None:
    root = _copy_example(tmp_path)
    # rule selectors and policies in the settings: validating them needs pydantic and
    # the registry, which a cached check skips (its key holds the settings file's bytes)
    config = root / "pyproject.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + '\n[tool.campc.lint]\nextend-select = ["ALL"]\nseverity = {META002 = "warning"}\n',
        encoding="utf-8",
    )
    (root / "campaigns/campagnes/pulse-launch-2027.yaml").write_text(
        (ROOT / "campaigns/campagnes/pulse-launch-2027.yaml")
        .read_text(encoding="utf-8")
        .replace("total: 60000", "total: 160000", 1),
        encoding="utf-8",
    )
    cold = _run_campc(root, "check")
    warm = _run_campc(root, "check")
    assert cold.returncode == warm.returncode
    assert cold.stdout == warm.stdout
    assert "BUDGET001" in warm.stdout
    assert "loaded: compiler.rules,pydantic" in cold.stderr
    assert "loaded: -" in warm.stderr
    fresh = _run_campc(root, "check", "--no-cache")
    assert fresh.stdout == warm.stdout


def test_public_holidays_come_from_the_cache_after_the_first_check(tmp_path: Path) -> None:
    root = _copy_example(tmp_path)
    edit = root / "campaigns/campagnes/pulse-launch-2027.yaml"
    original = edit.read_text(encoding="utf-8")
    cold = _run_campc(root, "check", watch=("holidays",))
    assert "loaded: holidays" in cold.stderr
    # Labour Day in France: CAL003 must still see it, from the cached table
    edit.write_text(original.replace("at: 2027-04-20T09:30", "at: 2027-05-01T09:30"), "utf-8")
    edited = _run_campc(root, "check", watch=("holidays",))
    assert "loaded: -" in edited.stderr
    assert "CAL003" in edited.stdout
    assert "falls on Sat 2027-05-01: Labor Day" in edited.stdout
    fresh = _run_campc(root, "check", "--no-cache")
    assert fresh.stdout == edited.stdout


def test_a_config_change_invalidates_the_cache(tmp_path: Path) -> None:
    root = _copy_example(tmp_path)
    edit = root / "campaigns" / "campagnes" / "pulse-launch-2027.yaml"
    edit.write_text(
        edit.read_text(encoding="utf-8").replace("total: 60000", "total: 160000", 1),
        encoding="utf-8",
    )
    first = _run_campc(root, "check")
    assert "BUDGET001" in first.stdout
    config = root / "pyproject.toml"
    config.write_text(
        config.read_text(encoding="utf-8") + '\n[tool.campc.lint]\nignore = ["BUDGET001"]\n',
        encoding="utf-8",
    )
    second = _run_campc(root, "check")
    assert "BUDGET001" not in second.stdout
    assert second.returncode == 0


def test_concurrent_checks_share_the_cache_safely(tmp_path: Path) -> None:
    root = _copy_example(tmp_path)
    code = "from compiler.cli.main import main; main(['check'])"
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", code],
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    outputs = [run.communicate() for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0, 0], outputs
    assert len({out for out, _ in outputs}) == 1
    assert not list((root / cache.FOLDER).rglob(".tmp-*"))  # every write completed
    again = _run_campc(root, "check")
    assert again.stdout == outputs[0][0]
    assert "loaded: -" in again.stderr


def test_a_template_mistake_shown_by_many_specs_is_one_finding_cached_spec_by_spec(
    tmp_path: Path,
) -> None:
    """The email rules keep a template's finding with each spec that shows it (so a
    one-file check renders one spec's emails); the runner joins them into one finding."""
    root = _copy_example(tmp_path)
    footer = root / "campaigns" / "templates" / "partials" / "footer.html"
    footer.write_text(
        footer.read_text(encoding="utf-8") + '<a href="http://fjord.example/help">Help</a>\n',
        encoding="utf-8",
    )
    store = pipeline.open_cache(_settings(root))

    def unsafe_links() -> list[tuple[str, int, int, str, str]]:
        return [k for k in _check(root, store) if k[3] == "EMAIL003"]

    cold = unsafe_links()
    assert len(cold) == 1, cold
    assert cold[0][0] == "campaigns/templates/partials/footer.html"
    assert "more specs)" in cold[0][4]
    spec = root / "campaigns" / "acquisition" / "monthly-newsletter-q2.yaml"
    spec.write_text(spec.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    misses = store.misses
    assert unsafe_links() == cold
    # that spec alone is read again; it and the sequence it links are checked again
    assert store.misses == misses + 3
    assert _check(root, store) == _check(root, cache.Cache.off())


def test_a_check_reads_each_file_once_and_keeps_the_result_of_those_bytes(
    tmp_path: Path, campc: CliRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The loader takes the bytes the fingerprint read: no file is read twice, and a file
    edited while a check runs cannot leave a result under a fingerprint it does not fit."""
    root = _copy_example(tmp_path)
    spec = root / "campaigns/campagnes/pulse-launch-2027.yaml"
    clean = spec.read_text(encoding="utf-8")
    reads: Counter[str] = Counter()
    read_bytes = files.Reader.read_bytes  # every read goes through it (`files.read_bytes` too)

    def counted(reader: files.Reader, path: Path, limit: int | None = None) -> bytes:
        reads[str(path)] += 1
        return read_bytes(reader, path, limit)

    monkeypatch.setattr(files.Reader, "read_bytes", counted)
    assert campc("check", cwd=root).exit_code == 0
    specs = [k for k in reads if k.endswith(".yaml") and "/campaigns/" in k]
    assert specs, reads
    assert max(reads[k] for k in specs) == 1, {k: reads[k] for k in specs if reads[k] > 1}

    fingerprint = inventory.fingerprint

    def edited_meanwhile(*args: Any) -> bytes:
        found = fingerprint(*args)
        spec.write_text(clean.replace("total: 60000", "total: 160000", 1), encoding="utf-8")
        return found

    spec.write_text(clean + "# touched\n", encoding="utf-8")
    monkeypatch.setattr(inventory, "fingerprint", edited_meanwhile)
    assert campc("check", cwd=root).exit_code == 0  # what it read was clean
    monkeypatch.setattr(inventory, "fingerprint", fingerprint)
    spec.write_text(clean + "# touched\n", encoding="utf-8")  # back to the bytes it read
    run = campc("check", cwd=root)
    assert run.exit_code == 0, run.stdout


def test_the_salt_holds_the_versions_importlib_reads() -> None:
    """The cache's salt names each library with its installed version, as
    `importlib.metadata` reads it (found from the dist-info folder names, which is
    quicker than parsing each METADATA file on every cached check)."""
    from importlib import metadata

    names = (*cache.DEPENDENCIES, *cache.BUILD_DEPENDENCIES)
    salt = cache._versions(names).decode().splitlines()
    for name in names:
        assert f"{name} {metadata.version(name)}" in salt
    assert "no-such-library-campc -" in cache._versions(("no-such-library-campc",)).decode()
