"""A content-addressed cache of checked specs under `.campc_cache/`, so that a check after
no change, or after one file changed, redoes only the work that change calls for.

Three kinds of entry, each keyed by a BLAKE2 hash of everything its value depends on:

- `check`: a whole `campc check` result, keyed by every file under the folders checked,
  the options and the working directory. A hit prints the findings without loading a
  model or running a rule.
- `files`: one file read and validated (its document, model and load findings), keyed
  by its bytes and the path it is shown as.
- `rules`: the findings of the rules that look at one spec alone (`Rule.scope ==
  "spec"`), keyed by the spec's bytes and by the repository context those rules may
  read (registries, conventions, template names).

Every key also holds the cache's salt: campc's version, Python's, the versions of the
libraries that decide findings (pydantic, ruamel.yaml, holidays) and the bytes of the
project's pyproject.toml, so an upgrade or a config change invalidates everything.

Entries are pickles, so they are signed: each starts with an HMAC-SHA256 under a
secret kept outside the repository (`$XDG_CACHE_HOME/campc/secret`, made on first use,
mode 0600). A cache folder committed by someone else, or written on another machine,
fails the signature and is ignored, never unpickled. Writes go to a temporary file
renamed into place, so concurrent runs never see half an entry; an unreadable or
corrupt entry is a miss.
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
FORMAT = 1
"""Bumped when the shape of an entry changes."""
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

    @classmethod
    def open(cls, root: Path, pyproject: bytes = b"") -> Cache:
        """The cache of the project at `root` (inactive when disabled or without a secret)."""
        if disabled():
            return cls(None, b"", None)
        secret = _secret()
        if secret is None:
            return cls(None, b"", None)
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

    def _path(self, kind: str, key: str) -> Path:
        assert self.folder is not None
        return self.folder / kind / key[:2] / key

    def get(self, kind: str, key: str) -> Any | None:
        """The value stored under `key`, or None (missing, corrupt or not signed by us)."""
        if self.folder is None or self.secret is None:
            return None
        try:
            blob = self._path(kind, key).read_bytes()
        except OSError:
            self.misses += 1
            return None
        signature, body = blob[:_SIGNATURE], blob[_SIGNATURE:]
        expected = hmac.new(self.secret, body, hashlib.sha256).digest()
        if not hmac.compare_digest(signature, expected):
            self.misses += 1
            return None
        try:
            value = pickle.loads(body)
        except Exception:  # a stale entry from an incompatible class: recompute
            self.misses += 1
            return None
        self.hits += 1
        return value

    def put(self, kind: str, key: str, value: Any) -> None:
        """Store `value` under `key`; a cache that cannot be written is skipped silently."""
        if self.folder is None or self.secret is None:
            return
        body = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        blob = hmac.new(self.secret, body, hashlib.sha256).digest() + body
        target = self._path(kind, key)
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
