"""A content-addressed cache of checked specs under `.campc_cache/`, so that a check after
no change, or after one file changed, redoes only the work that change calls for.

Two stores, each entry keyed by a BLAKE2 hash of everything its value depends on:

- `checks/`: the last whole `campc check` result per working directory and options,
  with the fingerprint of every file the loader reads. When the fingerprint still
  matches, the findings are printed without loading a model or running a rule.
- `pack`: one file holding, for the last run, every file read (document and load
  findings; keyed by its bytes and the path it is shown as) and the findings of the
  rules that look at one spec (`Rule.scope == "spec"`; keyed by the spec's bytes, its
  links' and the registries'). One file, read and written once per run: thousands of
  small files cost more in system calls than the work they save. Each entry is kept
  encoded on its own inside it, so a run decodes only what it asks for and rewrites
  the pack by copying the bytes of the entries it did not change. Entries a run did
  not use are dropped when it writes the pack, so it never grows stale.
- `artifacts`: a pack of the same form that only `campc build` reads and writes: each
  back-end's artifacts of one spec, keyed by everything they are compiled from, the
  site's charts and pages, and the record of the outputs folder a build last compared
  (`BUILD_KINDS`).

Every key also holds the cache's salt: campc's version, Python's, the versions of the
libraries that decide findings (pydantic, ruamel.yaml, holidays) and the bytes of the
project's pyproject.toml, so an upgrade or a config change invalidates everything.

The cache sits inside a repository whose every file may come from a hostile pull
request, so it trusts nothing it did not write itself:

- Entries are plain data (JSON), never pickles: even a forged entry cannot run code.
  Models are rebuilt from the cached documents by validating them again.
- Every file is signed: an HMAC-SHA256 under a secret of at least 32 random bytes kept
  outside the repository (`$XDG_CACHE_HOME/campc/secret`, mode 0600), written in full
  to a temporary file and linked into place, so a disk that fills never leaves a short
  secret. An empty, short or unreadable secret turns the cache off.
- The folder holds an owner stamp signed with that secret. A `.campc_cache/` without a
  valid stamp (committed to the repository, restored from another machine, or left by
  an older campc) is ignored and never written into; `notice` says so once.
- Every file is opened component by component with `O_NOFOLLOW` (`compiler.files`), and
  written as a temporary file renamed into place inside a folder opened the same way,
  so a link planted in the folder is never followed. Concurrent runs never see half a
  file (the last one wins); an unreadable, corrupt or unsigned file is a miss.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import json
import os
import re
import secrets
import stat
import sys
from pathlib import Path
from typing import Any

import orjson

from compiler import __version__, files

FOLDER = ".campc_cache"
FORMAT = 4
"""Bumped when the shape of an entry changes (3: plain JSON, no pickle; 4: an entry
orjson would misread is marked)."""
SPARE = "outputs-"
"""What the name of a spare outputs folder in the cache starts with (`Cache.spare`)."""
DEPENDENCIES = ("pydantic", "pydantic-core", "ruamel.yaml", "holidays")
"""The libraries whose versions decide findings: part of every key."""
BUILD_DEPENDENCIES = (
    "jinja2",
    "markupsafe",
    "tzdata",
    "icalendar",
    "babel",
    "sqlglot",
    "css-inline",
    "lxml",
    "xlsxwriter",
    "python-dateutil",
    "matplotlib",
    "markdown-it-py",
)
"""The libraries whose versions decide artifacts: part of every artifact's key (looked
up by builds only, to keep a cached check's start quick)."""
SECRET_BYTES = 32
"""The shortest secret the cache accepts (and the length of the one it makes)."""
_SIGNATURE = 32
_OWNER = "owner"
_READ_LIMIT = 512_000_000


def disabled() -> bool:
    """`CAMPC_NO_CACHE` set to anything but empty or 0 turns the cache off."""
    return os.environ.get("CAMPC_NO_CACHE", "") not in ("", "0")


def secret_path() -> Path:
    """Where the per-user secret lives (outside every repository)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "campc" / "secret"


def _read_secret(path: Path) -> bytes | None:
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return None
        value = os.read(descriptor, 4096)
    except OSError:
        return None
    finally:
        os.close(descriptor)
    return value if len(value) >= SECRET_BYTES else None


def _secret() -> bytes | None:
    """The per-user secret, made on first use; None (cache off) when it cannot be had."""
    path = secret_path()
    try:
        return _read_secret(path)
    except FileNotFoundError:
        pass
    temporary = path.with_name(f".secret-{os.getpid()}-{secrets.token_hex(8)}")
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor = os.open(
            temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600
        )
        try:
            _write_all(descriptor, secrets.token_bytes(SECRET_BYTES))
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        with contextlib.suppress(FileExistsError):  # another run made it first
            os.link(temporary, path)  # whole or not at all
    except OSError:
        return None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
    try:
        return _read_secret(path)
    except FileNotFoundError:
        return None


def _write_all(descriptor: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(descriptor, view)
        view = view[written:]


def _versions(dependencies: tuple[str, ...] = DEPENDENCIES) -> bytes:
    parts = [f"campc {__version__}", f"python {sys.version}", f"format {FORMAT}"]
    installed = _installed()
    for name in dependencies:
        parts.append(f"{name} {installed.get(_normalized(name)) or _version(name)}")
    return "\n".join(parts).encode()


def _version(name: str) -> str:
    """The installed version of `name` as `importlib.metadata` reads it, or `-`."""
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "-"


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _installed() -> dict[str, str]:
    """Normalised distribution name -> version, from the `NAME-VERSION.dist-info` folder
    names on `sys.path` (the first one a name appears in wins, as for imports). This is
    what `importlib.metadata.version` finds, without parsing each METADATA file: 60 ms
    of a 0.4 s cached check. A name not found this way is asked of `importlib`."""
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for folder in names:
            stem = folder[: -len(".dist-info")]
            if folder.endswith(".dist-info") and stem.count("-") == 1:
                name, version = stem.split("-")
                found.setdefault(_normalized(name), version)
    return found


@functools.cache  # the installed libraries do not change while campc runs
def build_versions() -> bytes:
    """campc's version and those of the libraries that write artifacts."""
    return _versions(BUILD_DEPENDENCIES)


def digest(*parts: bytes) -> str:
    """The hex BLAKE2b-256 of `parts`, each length-prefixed so that no two splits collide."""
    hasher = hashlib.blake2b(digest_size=32)
    for part in parts:
        hasher.update(len(part).to_bytes(8, "little"))
        hasher.update(part)
    return hasher.hexdigest()


def _encode(value: Any) -> bytes:
    return _marked(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


_DIGITS = bytes(0 if 0x30 <= byte <= 0x39 else 1 for byte in range(256))
_LONG_NUMBER = bytes(19)
"""Nineteen digits in a row (after `translate(_DIGITS)`: each digit a zero byte, any
other byte a one): perhaps an integer past 64 bits, which orjson reads as a float (a
property test found it). Looked for this way, not by a regex: 17 times faster."""
_JSON_ONLY = b"\x01"
"""Leads an entry that only `json` reads back as written (no JSON text starts with it)."""


def _marked(text: bytes) -> bytes:
    """An entry's JSON text, marked when orjson could misread it (looked for once, when
    the entry is written, not each time it is read)."""
    return _JSON_ONLY + text if _LONG_NUMBER in text.translate(_DIGITS) else text


def _decode(blob: bytes) -> Any:
    """An entry's value, as `json.loads` gives it for the text `_encode` wrote: by orjson,
    several times faster on a build's thousands of entries, unless the entry is marked;
    by `json` for what orjson refuses and `json` writes (NaN, the infinities)."""
    if blob[:1] == _JSON_ONLY:
        return json.loads(blob[1:])
    return decode_json(blob)


def decode_json(blob: bytes) -> Any:
    """`json.loads(blob)` by orjson where it can (several times faster on a 25 MB
    manifest), by `json` where orjson refuses (NaN, the infinities, other encodings).
    The one difference: an integer past 64 bits comes back as a float, so a caller must
    range-check its integers (the manifest's are at most 2**31) or mark its text."""
    try:
        return orjson.loads(blob)
    except orjson.JSONDecodeError:
        return json.loads(blob)


def _pack(entries: dict[tuple[str, str], bytes]) -> bytes:
    """Entries as records `kind TAB key TAB length LF payload`, in key order."""
    parts: list[bytes] = []
    for (kind, key), payload in sorted(entries.items()):
        parts.append(f"{kind}\t{key}\t{len(payload)}\n".encode())
        parts.append(payload)
    return b"".join(parts)  # one copy of the pack's 35 MB on the bench repository


ARTIFACTS = "artifacts"
"""The kind of the build's entries (each back-end's artifacts of one spec), kept in a
pack of their own: a check never reads them."""
BUILD_KINDS = frozenset({ARTIFACTS, "site-chart", "site-page", "outputs"})
"""The kinds only a build reads, all in the `artifacts` pack: the check a build runs
first flushes the other pack with what it used, which would drop them."""


DIFF_KINDS = frozenset({"checked"})
"""The kinds only `campc diff` reads (a revision's findings, by its tree), in a pack of
their own: a check or a build, which flush the pack they used, would drop them."""


KEPT = "kept"
"""The pack of what is a function of its key alone (`Repository.kept`: experiment plans):
every command adds to it and none empties it, up to `KEPT_LIMIT`."""
KEPT_KINDS = frozenset({"plans"})
KEPT_LIMIT = 16 << 20
"""Bytes of entries the `kept` pack holds at most: past it, a flush keeps only what the
run used (a repository's plans: about 1 KB an experiment)."""


def _pack_of(kind: str) -> str:
    if kind in BUILD_KINDS:
        return ARTIFACTS
    if kind in KEPT_KINDS:
        return KEPT
    return "diff" if kind in DIFF_KINDS else "pack"


def _unpack(body: bytes) -> dict[tuple[str, str], bytes]:
    entries: dict[tuple[str, str], bytes] = {}
    at = 0
    while at < len(body):
        end = body.find(b"\n", at)
        if end < 0:
            raise ValueError("truncated pack")
        kind, key, length = body[at:end].decode("ascii").split("\t")
        start, at = end + 1, end + 1 + int(length)
        if at > len(body):
            raise ValueError("truncated pack")
        entries[(kind, key)] = body[start:at]
    return entries


class Cache:
    """One project's cache folder, or a no-op when the cache is off or unusable."""

    def __init__(
        self,
        folder: Path | None,
        salt: bytes,
        secret: bytes | None,
        root: Path | None = None,
        notice: str = "",
    ) -> None:
        self.folder = folder
        self.root = root
        self.salt = salt
        self.secret = secret
        self.notice = notice
        """Why the cache is off, when the user should know (printed once by the CLI)."""
        self.hits = 0
        self.misses = 0
        self._packs: dict[str, dict[tuple[str, str], bytes]] = {}
        """Each pack file as read (`pack`, and `artifacts`, which only a build reads)."""
        self._used: dict[str, dict[tuple[str, str], bytes]] = {}
        self._dirty: set[str] = set()
        self.shared: dict[str, object] = {}
        """What one run worked out and may hand out again within the run, by cache key
        (a file loaded twice, as `campc diff` loads an unchanged file on both sides, is
        one model): memory only, never written."""

    @classmethod
    def open(cls, root: Path, pyproject: bytes = b"") -> Cache:
        """The cache of the project at `root` (inactive when disabled, without a secret,
        or when the folder there is not one this user's campc made)."""
        if disabled():
            return cls.off()
        secret = _secret()
        if secret is None:
            return cls.off()
        top = root / FOLDER
        try:
            mode = os.lstat(top).st_mode
        except FileNotFoundError:
            mode = None
        except OSError as err:
            return cls.off(f"{FOLDER}/ cannot be read ({err.strerror}): running without a cache")
        if mode is not None:
            if not stat.S_ISDIR(mode):
                return cls.off(
                    f"{FOLDER} is {files.describe(mode)}, not a folder campc made: "
                    "ignored (never followed); running without a cache"
                )
            try:
                stamp = files.read_bytes(top / _OWNER, root, limit=4096)
            except (OSError, files.NotRegular):
                stamp = b""
            if not hmac.compare_digest(stamp, _stamp(secret, root)):
                return cls.off(
                    f"{FOLDER}/ was not made by campc for this user on this machine "
                    "(committed, restored from elsewhere, or left by an older campc): "
                    f"ignored, never read or written; delete it to let campc cache again"
                )
        return cls(top / f"v{FORMAT}", _versions() + b"\n" + pyproject, secret, root)

    @classmethod
    def off(cls, notice: str = "") -> Cache:
        """A cache that never hits and never writes."""
        return cls(None, b"", None, notice=notice)

    @property
    def active(self) -> bool:
        """Whether entries are read and written."""
        return self.folder is not None

    def key(self, *parts: bytes) -> str:
        """The key of an entry that depends on `parts` (and on the salt)."""
        return digest(self.salt, *parts)

    def get(self, kind: str, key: str) -> Any | None:
        """The pack's value for `key` (plain data: dicts, lists, text, numbers), or None."""
        if self.folder is None:
            return None
        name = _pack_of(kind)
        blob = self._pack(name).get((kind, key))
        value = None
        if blob is not None:
            try:
                value = _decode(blob)
            except (ValueError, RecursionError):  # an entry another campc wrote: recompute
                value = None
        if value is None or blob is None:
            self.misses += 1
            return None
        self.hits += 1
        self._used.setdefault(name, {})[(kind, key)] = blob
        return value

    def _pack(self, name: str) -> dict[tuple[str, str], bytes]:
        """The entries of the pack file `name` as read (once per run)."""
        assert self.folder is not None
        if name not in self._packs:
            body = self._read(self.folder / name)
            try:
                self._packs[name] = _unpack(body) if body else {}
            except (ValueError, UnicodeDecodeError):
                self._packs[name] = {}
        return self._packs[name]

    def put(self, kind: str, key: str, value: Any, encoded: bytes | None = None) -> None:
        """Add `value` (plain data) to the pack, written by `flush`; `encoded`, when the
        caller has its JSON already, saves encoding it again."""
        if self.folder is None:
            return
        if "\t" in kind or "\n" in kind or "\t" in key or "\n" in key:
            raise ValueError("cache kinds and keys are single words")
        name = _pack_of(kind)
        blob = _marked(encoded) if encoded is not None else _encode(value)
        self._used.setdefault(name, {})[(kind, key)] = blob
        if self._packs.get(name, {}).get((kind, key)) != blob:  # else the pack holds it
            self._dirty.add(name)

    def flush(self) -> None:
        """Write each pack this run added to: the entries it used, nothing else (a check
        never reads the artifacts, so it leaves their pack as it is; a build that put
        only what its pack held, as one where nothing changed, writes nothing); the
        `kept` pack keeps what it held too, while it stays under `KEPT_LIMIT`."""
        if self.folder is None:
            return
        for name in sorted(self._dirty):
            used = self._used.get(name, {})
            if name == KEPT:
                merged = {**self._pack(name), **used}
                if sum(len(blob) for blob in merged.values()) <= KEPT_LIMIT:
                    used = merged
            self._write((name,), _pack(used))
            self._packs[name] = dict(used)
        self._dirty.clear()

    def result(self, key: str, fingerprint: bytes) -> Any | None:
        """The whole-check result stored under `key`, if made from the same files."""
        if self.folder is None:
            return None
        body = self._read(self.folder / "checks" / key)
        if body is None:
            return None
        try:
            stored = _decode(body)
        except (ValueError, RecursionError):
            return None
        if not isinstance(stored, list) or len(stored) != 2 or stored[0] != digest(fingerprint):
            return None
        return stored[1]

    def keep_result(self, key: str, fingerprint: bytes, value: Any) -> None:
        """Store a whole-check result (plain data), replacing the previous one for `key`."""
        if self.folder is not None:
            self._write(("checks", key), _encode([digest(fingerprint), value]))

    def spare(self, folder: Path) -> Path | None:
        """Where a build of the outputs folder `folder` stages its artifacts and keeps the
        outputs it replaced, for the next build to bring up to date in place (their files
        are the outputs' own, hard-linked): a folder in the cache, or None when the
        cache is off or cannot be written, or is on another file system than `folder`
        (a hard link and the swap need one)."""
        if self.folder is None or self.root is None:
            return None
        top = self.folder.parent
        try:
            self._prepare()
            if os.lstat(top).st_dev != os.lstat(folder.parent).st_dev:
                return None
        except (OSError, files.NotRegular):
            return None
        return top / f"{SPARE}{digest(os.fsencode(os.path.abspath(folder)))[:16]}"

    def _read(self, path: Path) -> bytes | None:
        """The body of a signed file, or None (missing, a link, unsigned, tampered)."""
        assert self.secret is not None
        assert self.root is not None
        try:
            blob = files.read_bytes(path, self.root, limit=_READ_LIMIT)
        except (OSError, files.NotRegular):
            return None
        signature, body = blob[:_SIGNATURE], blob[_SIGNATURE:]
        expected = hmac.new(self.secret, body, hashlib.sha256).digest()
        if not hmac.compare_digest(signature, expected):
            return None
        return body

    def _write(self, where: tuple[str, ...], body: bytes) -> None:
        """Sign and write `folder/where...` atomically, never through a link; a cache that
        cannot be written is skipped silently."""
        assert self.secret is not None
        assert self.folder is not None
        assert self.root is not None
        signature = hmac.new(self.secret, body, hashlib.sha256).digest()
        try:
            self._prepare()
            folder = self._open(self.folder.relative_to(self.root).parts + where[:-1])
            try:
                files.replace_in(folder, where[-1], (signature, body), 0o600)
            finally:
                os.close(folder)
        except (OSError, files.NotRegular):
            return

    def _open(self, parts: tuple[str, ...]) -> int:
        """A descriptor of the folder `root/parts...`, made where missing, each component
        opened with O_NOFOLLOW."""
        assert self.root is not None
        return files.open_folder(self.root, parts, create=0o700)

    def _prepare(self) -> None:
        """Make the folder (with its owner stamp, .gitignore and CACHEDIR.TAG) if missing."""
        assert self.secret is not None
        assert self.root is not None
        top = self._open((FOLDER,))
        try:
            try:
                os.stat(_OWNER, dir_fd=top, follow_symlinks=False)
                return
            except FileNotFoundError:
                pass
            files.replace_in(top, ".gitignore", b"# made by campc: never commit the cache\n*\n")
            files.replace_in(
                top,
                "CACHEDIR.TAG",
                b"Signature: 8a477f597d28d172789f06886806bc55\n"
                b"# This folder is campc's cache; see https://bford.info/cachedir/\n",
            )
            files.replace_in(top, _OWNER, _stamp(self.secret, self.root), 0o600)
        finally:
            os.close(top)


def _stamp(secret: bytes, root: Path) -> bytes:
    """The owner stamp of a cache folder made by this user's campc for `root`."""
    mac = hmac.new(
        secret, b"campc cache owner\0" + os.fsencode(os.path.abspath(root)), hashlib.sha256
    )
    return mac.hexdigest().encode() + b"\n"


def for_project(root: Path, config_file: Path | None, enabled: bool = True) -> Cache:
    """The cache of the project whose settings file is `config_file` (inactive when
    `enabled` is False or CAMPC_NO_CACHE is set)."""
    if not enabled:
        return Cache.off()
    config = b""
    if config_file is not None:
        config = files.read_bytes(config_file, config_file.parent)
    return Cache.open(root, config)
