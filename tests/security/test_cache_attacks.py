"""Promises 2, 3 and 7 (SECURITY.md), as they bear on the cache: no code from the
repository runs, a committed `.campc_cache/` is ignored and never written through, the
secret is whole or absent, and a cached result never hides what `--no-cache` finds.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from compiler import cache
from tests.conftest import ROOT, CliRun

FIXTURE = ROOT / "tests" / "golden" / "budget-repo"


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(FIXTURE / "campaigns", root / "campaigns")
    (root / "pyproject.toml").write_text('[tool.campc]\ncampaigns = "campaigns"\n', "utf-8")
    return root


class _Boom:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, ("touch PWNED",))


def _signed(secret: bytes, body: bytes) -> bytes:
    return hmac.new(secret, body, hashlib.sha256).digest() + body


def test_a_pickle_signed_with_the_real_secret_never_runs(tmp_path: Path, campc: CliRun) -> None:
    """Even an attacker who knows the key cannot run code: entries are JSON."""
    root = _project(tmp_path)
    assert campc("check", cwd=root).exit_code == 0
    secret = cache.secret_path().read_bytes()
    payload = pickle.dumps(_Boom())
    for pack in (root / cache.FOLDER).rglob("pack"):
        pack.write_bytes(_signed(secret, payload))
    for entry in (root / cache.FOLDER).rglob("checks/*"):
        entry.write_bytes(_signed(secret, payload))
    old = root / cache.FOLDER / "v2"
    old.mkdir()
    (old / "pack").write_bytes(_signed(secret, payload))
    run = campc("check", cwd=root)
    assert run.exit_code == 0
    assert not (root / "PWNED").exists()
    assert not Path("PWNED").exists()


@pytest.mark.parametrize("secret", [b"", b"short", b"\0" * 31])
def test_an_empty_or_short_secret_turns_the_cache_off(
    tmp_path: Path, campc: CliRun, secret: bytes
) -> None:
    """A disk that filled while the secret was written left it empty; a pack signed with
    the empty key then loaded and its pickle ran."""
    path = cache.secret_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(secret)
    root = _project(tmp_path)
    (root / cache.FOLDER / f"v{cache.FORMAT}").mkdir(parents=True)
    (root / cache.FOLDER / f"v{cache.FORMAT}" / "pack").write_bytes(
        _signed(secret, pickle.dumps(_Boom()))
    )
    store = cache.Cache.open(root)
    assert not store.active
    run = campc("check", cwd=root)
    assert run.exit_code == 0
    assert not (root / "PWNED").exists()
    assert path.read_bytes() == secret  # never "repaired" behind the user's back


def test_the_secret_is_never_left_short_when_the_disk_fills(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_write = os.write

    def full(descriptor: int, data: bytes) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "write", full)
    assert cache._secret() is None
    monkeypatch.setattr(os, "write", real_write)
    assert not cache.secret_path().exists()
    assert list(cache.secret_path().parent.iterdir()) == []  # no temporary left either
    made = cache._secret()
    assert made is not None
    assert len(made) >= cache.SECRET_BYTES


def test_a_committed_cache_folder_is_ignored_said_once_and_never_written(
    tmp_path: Path, campc: CliRun
) -> None:
    root = _project(tmp_path)
    committed = root / cache.FOLDER
    (committed / f"v{cache.FORMAT}" / "checks").mkdir(parents=True)
    (committed / f"v{cache.FORMAT}" / "pack").write_bytes(b"\0" * 64)
    (committed / "owner").write_text("0" * 64 + "\n", encoding="utf-8")
    before = {p: p.read_bytes() for p in committed.rglob("*") if p.is_file()}
    run = campc("check", cwd=root)
    assert run.exit_code == 0
    assert run.stderr.count("was not made by campc") == 1
    after = {p: p.read_bytes() for p in committed.rglob("*") if p.is_file()}
    assert after == before


def test_committed_links_inside_the_cache_are_never_followed(tmp_path: Path, campc: CliRun) -> None:
    root = _project(tmp_path)
    assert campc("check", cwd=root).exit_code == 0  # a cache this user made
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "precious").write_text("keep me\n", encoding="utf-8")
    folder = root / cache.FOLDER / f"v{cache.FORMAT}"
    shutil.rmtree(folder)
    folder.symlink_to(victim)  # a pull request commits .campc_cache/v3 -> somewhere
    edited = root / "campaigns" / "audiences.yaml"
    edited.write_text(edited.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    run = campc("check", cwd=root)
    assert run.exit_code == 0, run.stderr
    assert sorted(p.name for p in victim.iterdir()) == ["precious"]
    assert (victim / "precious").read_text(encoding="utf-8") == "keep me\n"


def test_a_cache_folder_that_is_a_link_is_ignored(tmp_path: Path, campc: CliRun) -> None:
    root = _project(tmp_path)
    victim = tmp_path / "victim"
    victim.mkdir()
    (root / cache.FOLDER).symlink_to(victim)
    run = campc("check", cwd=root)
    assert run.exit_code == 0
    assert "is a symbolic link" in run.stderr
    assert list(victim.iterdir()) == []


def test_the_fingerprint_covers_hidden_template_folders(tmp_path: Path) -> None:
    """A cached "All checks passed" must never hide what --no-cache finds."""
    root = tmp_path / "project"
    shutil.copytree(ROOT / "campaigns", root / "campaigns")
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    hidden = root / "campaigns" / "templates" / ".partials"
    hidden.mkdir()
    (hidden / "footer.html").write_text("<p>footer</p>\n", encoding="utf-8")
    layout = root / "campaigns" / "templates" / "layouts" / "base.html"
    text = layout.read_text(encoding="utf-8")
    assert "</body>" in text
    layout.write_text(
        text.replace("</body>", "{% include '.partials/footer.html' %}</body>"), "utf-8"
    )

    def check(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "compiler", "check", *args],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    first = check()
    assert first.returncode == 0, first.stdout
    (hidden / "footer.html").write_text("<p>{{ undefined_variable }}</p>\n", encoding="utf-8")
    cached = check()
    fresh = check("--no-cache")
    assert fresh.returncode == 1, fresh.stdout
    assert (cached.returncode, cached.stdout) == (fresh.returncode, fresh.stdout)


def _built(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root / "outputs").as_posix(): p.read_bytes()
        for p in sorted((root / "outputs").rglob("*"))
        if p.is_file()
    }


def test_a_damaged_artifact_pack_is_recompiled_not_trusted(tmp_path: Path, campc: CliRun) -> None:
    root = _project(tmp_path)
    assert campc("build", cwd=root).exit_code == 0
    first = _built(root)
    (pack,) = (root / cache.FOLDER).rglob(cache.ARTIFACTS)
    body = bytearray(pack.read_bytes())
    body[len(body) // 2] ^= 0xFF  # the signature no longer matches
    pack.write_bytes(bytes(body))
    shutil.rmtree(root / "outputs")
    assert campc("build", cwd=root).exit_code == 0
    assert _built(root) == first


def test_signed_artifacts_naming_paths_outside_the_outputs_are_recompiled(
    tmp_path: Path, campc: CliRun
) -> None:
    """Even an entry signed with the real secret never writes outside `outputs/`."""
    root = _project(tmp_path)
    assert campc("build", cwd=root).exit_code == 0
    first = _built(root)
    secret = cache.secret_path().read_bytes()
    (pack,) = (root / cache.FOLDER).rglob(cache.ARTIFACTS)
    records: list[bytes] = []
    for kind, key, payload in _records(pack.read_bytes()[32:]):
        entry = json.loads(payload)
        for artifact in entry:
            if isinstance(artifact, list):  # an artifact (a calendar's fragments are text)
                artifact[0] = f"../../escaped-{len(records)}.txt"
        forged = json.dumps(entry).encode()
        records.append(f"{kind}\t{key}\t{len(forged)}\n".encode() + forged)
    pack.write_bytes(_signed(secret, b"".join(records)))
    shutil.rmtree(root / "outputs")
    run = campc("build", cwd=root)
    assert run.exit_code == 0, run.stderr
    assert _built(root) == first
    assert not list(tmp_path.parent.rglob("escaped-*")), "wrote outside the project"


def _records(body: bytes) -> list[tuple[str, str, bytes]]:
    """The records of a pack: `kind TAB key TAB length LF payload`."""
    found, at = [], 0
    while at < len(body):
        end = body.index(b"\n", at)
        kind, key, length = body[at:end].decode().split("\t")
        found.append((kind, key, body[end + 1 : end + 1 + int(length)]))
        at = end + 1 + int(length)
    return found
