"""Loading a campaigns folder: every file read, validated and indexed for the rules."""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from pydantic import BaseModel

from compiler import files
from compiler.cache import Cache, digest
from compiler.conventions.models import Metrics, Routing, UtmConventions
from compiler.conventions.registry import Conventions, conventions
from compiler.diagnostics import Diagnostic
from compiler.kinds import SPEC_KINDS, Audiences
from compiler.model.audience import Audience
from compiler.policy import Policy
from compiler.rules.load import finding
from compiler.source import Document, read
from compiler.validate import validate

TEMPLATES_DIR = "templates"
YAML_SUFFIXES = (".yaml", ".yml")
READ_LIMIT = 16_000_000
"""Most bytes read of one spec (the reader refuses a spec past 1 MB; this bounds the read)."""
PARALLEL_FROM = 200
"""Files to read (not in the cache) from which reading is spread over worker processes."""


@dataclass(frozen=True)
class SpecFile:
    """A valid file: where it is, what it said, and its model."""

    path: str
    """Display path (relative to the working directory where possible)."""
    rel: PurePosixPath
    """Path relative to the campaigns folder."""
    doc: Document
    model: BaseModel
    digest: str = ""
    """Hash of the file's bytes (what the cache keys the spec's findings by)."""

    @property
    def kind(self) -> str:
        """The document's kind."""
        return str(self.doc.data["kind"])


@dataclass(frozen=True)
class DeclaredAudience:
    """An audience with the file and list index it is declared at."""

    audience: Audience
    file: SpecFile
    index: int


@dataclass
class Repository:
    """Everything the rules and back-ends read: valid specs, registries, conventions."""

    root: Path
    specs: list[SpecFile] = field(default_factory=list)
    registries: list[SpecFile] = field(default_factory=list)
    templates: frozenset[str] = frozenset()
    conventions: Conventions = field(default_factory=conventions)
    paths: list[Path] = field(default_factory=list)
    """Every YAML file read, in path order."""
    display: Callable[[Path], str] = str
    """How paths are shown in findings."""
    policy: Policy = field(default_factory=Policy)
    """The project's calendar and budget policies (from pyproject.toml)."""
    derived: dict[str, object] = field(default_factory=dict)
    """Computations several rules share (the schedule...), made once per run."""
    cache: Cache = field(default_factory=Cache.off)
    """The project's cache, for what rules compute from libraries (public holidays)."""

    @property
    def templates_dir(self) -> Path:
        """Where the email templates live."""
        return self.root / TEMPLATES_DIR

    def template_bytes(self, name: str) -> bytes:
        """A template file's bytes, read only if it is a regular file (see `files`)."""
        return files.read_bytes(self.templates_dir / name, self.root)

    def audiences(self) -> Iterator[DeclaredAudience]:
        """Every declared audience, in file order."""
        for file in self.registries:
            if isinstance(file.model, Audiences):
                for index, audience in enumerate(file.model.audiences):
                    yield DeclaredAudience(audience, file, index)

    def audience(self, audience_id: str) -> Audience | None:
        """The audience declared under `audience_id` (the last declaration where an id is
        repeated, as a dict built from `audiences()` gives; REF001 reports repeats). The
        table is built once per run: a back-end asks once per spec."""
        table = self.derived.get("audience-table")
        if not isinstance(table, dict):
            table = self.derived["audience-table"] = {
                d.audience.id: d.audience for d in self.audiences()
            }
        found = table.get(audience_id)
        return found if isinstance(found, Audience) else None

    def ids(self, kind: str) -> dict[str, SpecFile]:
        """Specs of one kind by id (the first one where an id is duplicated)."""
        found: dict[str, SpecFile] = {}
        for spec in self.specs:
            if spec.kind == kind:
                found.setdefault(str(spec.doc.data["id"]), spec)
        return found


@dataclass(frozen=True)
class Inventory:
    """What the loader reads in a campaigns folder, and what it refuses to."""

    specs: list[Path]
    """Every YAML file, sorted by path (hidden folders and `templates/` left out)."""
    templates: list[str]
    """Every template file, relative to the templates folder (hidden ones included)."""
    refused: list[tuple[Path, str]]
    """Links, FIFOs, devices and sockets where a spec, a folder or a template would be."""


def inventory(root: Path) -> Inventory:
    """Every file the loader would read under `root`, found without following a link."""

    def skip(folder: Path, name: str) -> bool:
        return name.startswith(".") or (folder == root and name == TEMPLATES_DIR)

    specs: list[Path] = []
    refused: list[tuple[Path, str]] = []
    for entry in files.scan(root, skip, lambda name: name.endswith(YAML_SUFFIXES)):
        if entry.refused is None:
            specs.append(entry.path)
        else:
            refused.append((entry.path, entry.refused))
    base = root / TEMPLATES_DIR
    templates: list[str] = []
    try:
        files.check_folder(base, root)
        for entry in files.scan(base):
            if entry.refused is None:
                templates.append(entry.path.relative_to(base).as_posix())
            else:
                refused.append((entry.path, entry.refused))
    except files.NotRegular as err:
        refused.append((err.path, err.what))
    specs.sort(key=lambda p: p.relative_to(root).as_posix())
    refused.sort(key=lambda item: item[0].relative_to(root).as_posix())
    return Inventory(specs, sorted(templates), refused)


def discover(root: Path) -> list[Path]:
    """Every YAML file under `root`, sorted; skips `templates/`, hidden folders and links."""
    return inventory(root).specs


def refusal(shown: str, what: str) -> Diagnostic:
    """The FILE001 finding of a path campc will not read."""
    return finding(
        "FILE001",
        shown,
        1,
        1,
        f"`{shown}` is {what}: campc never follows or reads it",
        "commit the file itself (campc reads only regular files inside the project)",
    )


def read_spec(path: Path, root: Path) -> bytes:
    """A spec file's bytes, read only if it is a regular file below `root` (see `files`)."""
    return files.read_bytes(path, root, limit=READ_LIMIT)


def load(
    root: Path,
    display: Callable[[Path], str],
    policy: Policy | None = None,
    cache: Cache | None = None,
) -> tuple[Repository, list[Diagnostic]]:
    """Read and validate every file of a campaigns folder; findings for what is invalid.
    With a cache, a file whose bytes (and shown path) were read before is not read again."""
    cache = cache or Cache.off()
    found = inventory(root)
    repo = Repository(
        root=root,
        templates=frozenset(found.templates),
        display=display,
        policy=policy or Policy(),
        cache=cache,
    )
    problems = [refusal(display(path), what) for path, what in found.refused]
    repo.paths = found.specs
    listed = []
    for path in repo.paths:
        shown = display(path)
        try:
            raw = read_spec(path, root)
        except files.NotRegular as err:  # replaced by a link since it was listed
            problems.append(refusal(shown, err.what))
            continue
        key = cache.key(b"file", shown.encode(), raw) if cache.active else ""
        listed.append((path, shown, raw, key, cache.get("files", key) if cache.active else None))
    missing = [(shown, raw) for _, shown, raw, _, entry in listed if entry is None]
    fresh = iter(_read_all(missing))
    for path, shown, raw, key, entry in listed:
        hashed = digest(raw)
        if entry is None:
            entry, pickled = next(fresh)
            cache.put("files", key, entry, pickled)
        doc, model, found = entry
        problems.extend(found)
        if doc is None or model is None:
            continue
        rel = PurePosixPath(path.relative_to(root).as_posix())
        spec = SpecFile(shown, rel, doc, model, hashed)
        (repo.specs if spec.kind in SPEC_KINDS else repo.registries).append(spec)
    routing = next((f.model for f in repo.registries if isinstance(f.model, Routing)), None)
    metrics = next((f.model for f in repo.registries if isinstance(f.model, Metrics)), None)
    assert routing is None or isinstance(routing, Routing)
    utm = next((f.model for f in repo.registries if isinstance(f.model, UtmConventions)), None)
    assert metrics is None or isinstance(metrics, Metrics)
    assert utm is None or isinstance(utm, UtmConventions)
    repo.conventions = conventions(routing, metrics, utm)
    return repo, problems


Entry = tuple[Document | None, BaseModel | None, list[Diagnostic]]


def jobs() -> int:
    """Worker processes for reading: `CAMPC_JOBS`, else the CPUs this process may use (at
    most 4: past that, sending the results back costs more than parsing saves). Where the
    usable CPUs are unknown (macOS, whose Python prefers not to fork), one."""
    given = os.environ.get("CAMPC_JOBS", "").strip()
    if given.isdigit() and int(given) > 0:
        return int(given)
    return max(1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1))


def _read_all(files: list[tuple[str, bytes]]) -> list[tuple[Entry, bytes | None]]:
    """`_read_file` over every file, in order; spread over forked workers when there are
    many (Unix only: a fork shares the imported modules, so a worker starts at once). A
    worker that dies leaves the reading to this process. Workers send each entry back
    pickled, and the bytes go to the cache as they are (no second pickling here)."""
    import multiprocessing

    workers = jobs()
    if (
        workers < 2
        or len(files) < PARALLEL_FROM
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        return [(_read_file(shown, raw), None) for shown, raw in files]
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    chunks = [files[i : i + 64] for i in range(0, len(files), 64)]
    try:
        with ProcessPoolExecutor(workers, multiprocessing.get_context("fork")) as pool:
            blobs = [blob for chunk in pool.map(_read_chunk, chunks) for blob in chunk]
    except (BrokenProcessPool, OSError):
        return [(_read_file(shown, raw), None) for shown, raw in files]
    return [(pickle.loads(blob), blob) for blob in blobs]


def _read_chunk(files: list[tuple[str, bytes]]) -> list[bytes]:
    return [pickle.dumps(_read_file(shown, raw), pickle.HIGHEST_PROTOCOL) for shown, raw in files]


def _read_file(shown: str, raw: bytes) -> Entry:
    doc, found = read(shown, raw)
    if doc is None:
        return None, None, found
    model, invalid = validate(doc)
    return doc, model, found + invalid
