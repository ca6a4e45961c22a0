"""A content-addressed cache of checked specs under `.campc_cache/`, so that a check after
no change, or after one file changed, redoes only the work that change calls for.

Two stores, each entry keyed by a BLAKE2 hash of everything its value depends on:

- `checks/`: the last whole `campc check` result per working directory and options,
  with the fingerprint of every file under the folders checked. When the fingerprint
  still matches, the findings are printed without loading a model or running a rule.
- `pack`: one file holding, for the last run, every file read and validated (document,
  model, load findings; keyed by its bytes and the path it is shown as) and the findings
  of the rules that look at one spec (`Rule.scope == "spec"`; keyed by the spec's bytes,
  its links' and the registries'). One file, read and written once per run: thousands
  of small files cost more in system calls than the work they save. Each entry is kept
  pickled on its own inside it, so a run unpickles only what it asks for and rewrites
  the pack by copying the bytes of the entries it did not change. Entries a run did
  not use are dropped when it writes the pack, so it never grows stale.

Every key also holds the cache's salt: campc's version, Python's, the versions of the
libraries that decide findings (pydantic, ruamel.yaml, holidays) and the bytes of the
project's pyproject.toml, so an upgrade or a config change invalidates everything.

Entries are pickles, so they are signed: each file starts with an HMAC-SHA256 under a
secret kept outside the repository (`$XDG_CACHE_HOME/campc/secret`, made on first use,
mode 0600). A cache folder committed by someone else, or written on another machine,
fails the signature and is ignored, never unpickled. Writes go to a temporary file
renamed into place, so concurrent runs never see half a file (the last one wins); an
unreadable or corrupt file is a miss.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import secrets
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

FOLDER = ".campc_cache"
FORMAT = 2
"""Bumped when the shape of an entry changes (2: the pack holds each entry pickled)."""
DEPENDENCIES = ("pydantic", "pydantic-core", "ruamel.yaml", "holidays")
_SIGNATURE = 32


def disabled() -> bool:
    """`CAMPC_NO_CACHE` set to anything but empty or 0 turns the cache off."""
    return os.environ.get("CAMPC_NO_CACHE", "") not in ("", "0")


def _secret() -> bytes | None:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    path = Path(base) / "campc" / "secret"
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    except OSError:
        return None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another run made it first
        return path.read_bytes()
    except OSError:
        return None
    with os.fdopen(descriptor, "wb") as file:
        file.write(secrets.token_bytes(32))
    return path.read_bytes()


def _versions() -> bytes:
    from importlib import metadata

    from compiler import __version__

    parts = [f"campc {__version__}", f"python {sys.version}", f"format {FORMAT}"]
    for name in DEPENDENCIES:
        try:
            parts.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{name} -")
    return "\n".join(parts).encode()


def digest(*parts: bytes) -> str:
    """The hex BLAKE2b-256 of `parts`, each length-prefixed so that no two splits collide."""
    hasher = hashlib.blake2b(digest_size=32)
    for part in parts:
        hasher.update(len(part).to_bytes(8, "little"))
        hasher.update(part)
    return hasher.hexdigest()


class Cache:
    """One project's cache folder, or a no-op when the cache is off or unusable."""

    def __init__(self, folder: Path | None, salt: bytes, secret: bytes | None) -> None:
        self.folder = folder
        self.salt = salt
        self.secret = secret
        self.hits = 0
        self.misses = 0
        self._pack: dict[tuple[str, str], bytes] | None = None
        self._used: dict[tuple[str, str], bytes] = {}
        self._dirty = False

    @classmethod
    def open(cls, root: Path, pyproject: bytes = b"") -> Cache:
        """The cache of the project at `root` (inactive when disabled or without a secret)."""
        if disabled():
            return cls.off()
        secret = _secret()
        if secret is None:
            return cls.off()
        return cls(root / FOLDER / f"v{FORMAT}", _versions() + b"\n" + pyproject, secret)

    @classmethod
    def off(cls) -> Cache:
        """A cache that never hits and never writes."""
        return cls(None, b"", None)

    @property
    def active(self) -> bool:
        """Whether entries are read and written."""
        return self.folder is not None

    def key(self, *parts: bytes) -> str:
        """The key of an entry that depends on `parts` (and on the salt)."""
        return digest(self.salt, *parts)

    def get(self, kind: str, key: str) -> Any | None:
        """The pack's value for `key`, or None."""
        if self.folder is None:
            return None
        if self._pack is None:
            loaded = self._read(self.folder / "pack")
            self._pack = loaded if isinstance(loaded, dict) else {}
        blob = self._pack.get((kind, key))
        value = None
        if isinstance(blob, bytes):
            try:
                value = pickle.loads(blob)
            except Exception:  # an entry an incompatible campc wrote: recompute it
                value = None
        if value is None or blob is None:
            self.misses += 1
            return None
        self.hits += 1
        self._used[(kind, key)] = blob
        return value

    def put(self, kind: str, key: str, value: Any, pickled: bytes | None = None) -> None:
        """Add `value` to the pack (written by `flush`); `pickled`, when the caller has
        its pickle already, saves pickling it again."""
        if self.folder is None:
            return
        blob = pickled or pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        self._used[(kind, key)] = blob
        self._dirty = True

    def flush(self) -> None:
        """Write the pack if this run added to it: the entries it used, nothing else."""
        if self.folder is None or not self._dirty:
            return
        self._write(self.folder / "pack", self._used)
        self._pack = dict(self._used)
        self._dirty = False

    def result(self, key: str, fingerprint: bytes) -> Any | None:
        """The whole-check result stored under `key`, if made from the same files."""
        if self.folder is None:
            return None
        stored = self._read(self.folder / "checks" / key)
        if not isinstance(stored, tuple) or stored[0] != digest(fingerprint):
            return None
        return stored[1]

    def keep_result(self, key: str, fingerprint: bytes, value: Any) -> None:
        """Store a whole-check result (replacing the previous one for the same `key`)."""
        if self.folder is not None:
            self._write(self.folder / "checks" / key, (digest(fingerprint), value))

    def _read(self, path: Path) -> Any | None:
        assert self.secret is not None
        try:
            blob = path.read_bytes()
        except OSError:
            return None
        signature, body = blob[:_SIGNATURE], blob[_SIGNATURE:]
        expected = hmac.new(self.secret, body, hashlib.sha256).digest()
        if not hmac.compare_digest(signature, expected):
            return None
        try:
            return pickle.loads(body)
        except Exception:  # written by an incompatible campc: recompute
            return None

    def _write(self, target: Path, value: Any) -> None:
        """Sign and write atomically; a cache that cannot be written is skipped silently."""
        assert self.secret is not None
        body = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        blob = hmac.new(self.secret, body, hashlib.sha256).digest() + body
        try:
            self._prepare()
            target.parent.mkdir(parents=True, exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
            with os.fdopen(descriptor, "wb") as file:
                file.write(blob)
            os.replace(temporary, target)
        except OSError:
            return

    def _prepare(self) -> None:
        assert self.folder is not None
        top = self.folder.parent
        if (top / ".gitignore").exists():
            return
        top.mkdir(parents=True, exist_ok=True)
        (top / ".gitignore").write_text("# made by campc: never commit the cache\n*\n")
        (top / "CACHEDIR.TAG").write_text(
            "Signature: 8a477f597d28d172789f06886806bc55\n"
            "# This folder is campc's cache; see https://bford.info/cachedir/\n"
        )


def for_project(root: Path, config_file: Path | None, enabled: bool = True) -> Cache:
    """The cache of the project whose settings file is `config_file` (inactive when
    `enabled` is False or CAMPC_NO_CACHE is set)."""
    if not enabled:
        return Cache.off()
    return Cache.open(root, config_file.read_bytes() if config_file else b"")


def fingerprint(folders: Iterable[Path]) -> bytes:
    """Every file under `folders` (hidden folders skipped) as `path NUL digest` lines,
    sorted: what a whole-check entry depends on besides the options."""
    lines: list[str] = []
    for folder in folders:
        if folder.is_file():
            lines.append(f"{folder}\0{digest(folder.read_bytes())}")
            continue
        for where, dirs, names in os.walk(folder):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            for name in names:
                path = os.path.join(where, name)
                with open(path, "rb") as file:
                    lines.append(f"{path}\0{digest(file.read())}")
    return "\n".join(sorted(lines)).encode()
