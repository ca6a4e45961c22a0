"""Loading a campaigns folder: every file read, validated and indexed for the rules."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import BaseModel

from compiler import files
from compiler.cache import Cache, digest
from compiler.config.policy import Policy
from compiler.conventions.models import Metrics, Routing, UtmConventions
from compiler.conventions.registry import conventions
from compiler.diagnostics import Diagnostic, from_data, to_data
from compiler.errors import InternalError
from compiler.load.codes import finding
from compiler.load.holidays import CachedHolidays
from compiler.load.inventory import Snapshot, inventory
from compiler.load.kept import Kept
from compiler.load.kinds import SPEC_KINDS
from compiler.load.source import positions, read
from compiler.load.validate import validate
from compiler.model.references import TARGETS, Reference, references
from compiler.project.document import Document
from compiler.project.layout import (
    DATA_SUFFIXES,
    MAX_DATA,
    MAX_TEMPLATE,
    TEMPLATES_DIR,
    YAML_SUFFIXES,
)
from compiler.project.repository import BrokenFile, Repository, SpecFile
from compiler.workers import PARALLEL_FROM, forked, jobs

READ_LIMIT = files.SOURCE_LIMIT
"""Most bytes read of one spec (the reader refuses a spec past 1 MB; this bounds the read)."""


def read_templates(
    folder: Path, names: Iterable[str], snapshot: Snapshot | None = None
) -> dict[str, bytes | Exception]:
    """Each template's bytes (at most MAX_TEMPLATE + 1), read as a regular file inside the
    templates folder (or taken from what `snapshot` read), or the error that stopped the
    read (the email rules report it)."""
    try:
        files.check_folder(folder, folder.parent)
    except (OSError, files.NotRegular) as err:
        return {name: err for name in names}
    found: dict[str, bytes | Exception] = {}
    for name in sorted(names):
        try:
            if snapshot is not None:
                found[name] = snapshot.read(folder / name, folder, MAX_TEMPLATE)
            else:
                found[name] = files.read_bytes(folder / name, folder, limit=MAX_TEMPLATE)
        except (OSError, files.NotRegular) as err:
            found[name] = err
    return found


def read_data(
    root: Path, paths: Iterable[Path], snapshot: Snapshot | None = None
) -> dict[str, bytes | Exception]:
    """Each data file's bytes (at most MAX_DATA + 1) by its path below `root`, or the
    error that stopped the read (the scoring rules report it)."""
    found: dict[str, bytes | Exception] = {}
    for path in paths:
        name = path.relative_to(root).as_posix()
        try:
            if snapshot is not None:
                found[name] = snapshot.read(path, root, MAX_DATA)
            else:
                found[name] = files.read_bytes(path, root, limit=MAX_DATA)
        except (OSError, files.NotRegular) as err:
            found[name] = err
    return found


def discover(root: Path) -> list[Path]:
    """Every YAML file under `root`, sorted; skips `templates/`, hidden folders and links."""
    return inventory(root).specs


_TOP_LEVEL = re.compile(r"^(kind|id):[ \t]*['\"]?([A-Za-z0-9_-]+)", re.MULTILINE)


def _broken(
    shown: str, path: Path, root: Path, doc: Document | None, raw: bytes = b""
) -> BrokenFile:
    data = doc.data if doc is not None else None
    if data is not None:
        kind, spec_id = data.get("kind"), data.get("id")
    else:  # not YAML: its top-level `kind:` and `id:` lines are the best guess there is
        text = raw.decode("utf-8", "replace")
        said: dict[str, str] = {m.group(1): m.group(2) for m in _TOP_LEVEL.finditer(text)}
        kind, spec_id = said.get("kind"), said.get("id")
    return BrokenFile(
        path=shown,
        rel=PurePosixPath(path.relative_to(root).as_posix()),
        kind=kind if isinstance(kind, str) else None,
        id=spec_id if isinstance(spec_id, str) else path.stem,
        data=data,
    )


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


def load(
    root: Path,
    display: Callable[[Path], str],
    policy: Policy | None = None,
    cache: Cache | None = None,
    snapshot: Snapshot | None = None,
) -> tuple[Repository, list[Diagnostic]]:
    """Read and validate every file of a campaigns folder; findings for what is invalid.
    With a cache, a file whose bytes (and shown path) were read before is not validated
    again; with a snapshot, the listing and the bytes are those a fingerprint read."""
    cache = cache or Cache.off()
    listing = snapshot.listing(root) if snapshot is not None else inventory(root)
    repo = Repository(
        root=root,
        templates=frozenset(listing.templates),
        display=display,
        policy=policy or Policy(),
        holidays=CachedHolidays(cache),
        kept=Kept(cache),
    )
    problems = [refusal(display(path), what) for path, what in listing.refused]
    templates_dir = root / TEMPLATES_DIR
    repo.refused_templates = frozenset(
        path.relative_to(templates_dir).as_posix()
        for path, _ in listing.refused
        if templates_dir in path.parents
    )
    repo.template_files = read_templates(
        templates_dir, repo.templates | repo.refused_templates, snapshot
    )
    repo.data_files = read_data(root, listing.data, snapshot)
    for path, what in listing.refused:  # a linked CSV is refused (FILE001), not missing
        if path.name.endswith(DATA_SUFFIXES) and templates_dir not in path.parents:
            repo.data_files[path.relative_to(root).as_posix()] = files.NotRegular(path, what)
    for path, _ in listing.refused:
        if path.name.endswith(YAML_SUFFIXES) and templates_dir not in path.parents:
            repo.broken.append(_broken(display(path), path, root, None))
    repo.paths = listing.specs
    listed: list[tuple[Path, str, bytes, str, Any]] = []
    # without a snapshot, one reader walks the folders: each is opened once, not once
    # per spec in it (a diff's base side: 0.04 s of 1,088 specs)
    with files.Reader(root) as reader:
        for path in repo.paths:
            shown = display(path)
            try:
                if snapshot is not None:
                    raw = snapshot.read(path, root, READ_LIMIT)
                else:
                    raw = reader.read_bytes(path, limit=READ_LIMIT)
            except files.NotRegular as err:  # replaced by a link since it was listed
                problems.append(refusal(shown, err.what))
                continue
            key = cache.key(b"file", shown.encode(), raw) if cache.active else ""
            known = cache.shared.get(key) if key else None
            if isinstance(known, _Once):
                listed.append((path, shown, raw, key, known))  # loaded already in this run
                continue
            stored = cache.get("files", key) if cache.active else None
            listed.append((path, shown, raw, key, stored))
    # a file the cache holds is rebuilt here, its model validated only when asked for;
    # the others are read and validated, by workers when there are many
    fresh = iter(_read_all([(shown, raw) for _, shown, raw, _, stored in listed if stored is None]))
    for path, shown, raw, key, stored in listed:
        hashed = digest(raw)
        rel = PurePosixPath(path.relative_to(root).as_posix())
        doc: Document
        model: BaseModel | Callable[[Document], BaseModel]
        if isinstance(stored, _Once):  # a valid file this run loaded already
            (doc, found, refs), model = stored.entry, stored
            problems.extend(found)
        else:
            entry = _entry_from_data(stored) if stored is not None else None
            if entry is None:
                read_doc, read_model, found = (
                    next(fresh) if stored is None else _read_file(shown, raw)
                )
                refs = None if read_model is None else tuple(references(read_model))
                cache.put("files", key, _entry_data(read_doc, read_model, found, refs))
                entry = (read_doc, read_model, found, refs)
            loaded, validator, found, refs = entry
            problems.extend(found)
            if loaded is None or validator is None:
                repo.broken.append(_broken(shown, path, root, loaded, raw))
                continue
            doc = loaded
            model = _shared(cache, key, validator, (doc, found, refs)) if key else validator
        spec = SpecFile.of(shown, rel, doc, hashed, model, refs)
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
"""A file read: its document, its model (None where it is not valid) and its findings."""
Stored = tuple[
    Document | None,
    BaseModel | Callable[[Document], BaseModel] | None,
    list[Diagnostic],
    tuple[Reference, ...] | None,
]
"""A file the cache held: the same, with a validator in place of the model, and the
references the model makes."""


Job = tuple[str, bytes]
"""A file to read: its shown path and its bytes."""


def _read_all(todo: list[Job]) -> list[Entry]:
    """`_read_file` over every file, in order; spread over forked workers (`workers`)
    from `PARALLEL_FROM` files that need work."""
    workers = jobs()
    if workers < 2 or len(todo) < PARALLEL_FROM:
        return [_read_file(*job) for job in todo]
    chunks = [todo[i : i + 64] for i in range(0, len(todo), 64)]

    def read_chunk(index: int) -> list[Entry]:
        return [_read_file(*job) for job in chunks[index]]

    read = forked(read_chunk, len(chunks), workers)
    if read is None:
        return [_read_file(*job) for job in todo]
    return [entry for chunk in read for entry in chunk]


def _read_file(shown: str, raw: bytes) -> Entry:
    """Read and validate one file."""
    doc, found = read(shown, raw)
    if doc is None:
        return None, None, found
    model, invalid = validate(doc)
    return doc, model, found + invalid


def _entry_data(
    doc: Document | None,
    model: BaseModel | None,
    found: list[Diagnostic],
    refs: tuple[Reference, ...] | None,
) -> Any:
    """A read file as plain data for the cache (its document, findings and references:
    the model is validated again from the document when it is needed)."""
    return {
        "doc": None if doc is None else {"path": doc.path, "data": doc.data, "text": doc.text},
        "valid": model is not None,
        "found": [to_data(d) for d in found],
        "refs": [[r.target, r.value, list(r.loc)] for r in refs or ()],
    }


Loaded = tuple[Document, list[Diagnostic], tuple[Reference, ...] | None]
"""A valid file as loaded: its document, its findings and the references it makes."""


class _Once:
    """A validator that validates once and hands the same model to every spec file that
    asks (the files' bytes and shown paths are one cache key, so their models are equal;
    a model is frozen, so sharing it is safe), and the file's document, findings and
    references, which a second load in the run takes instead of decoding its entry."""

    def __init__(self, model: BaseModel | Callable[[Document], BaseModel], entry: Loaded) -> None:
        self.model = model if isinstance(model, BaseModel) else None
        self._validate = None if isinstance(model, BaseModel) else model
        self.entry = entry

    def __call__(self, doc: Document) -> BaseModel:
        if self.model is None:
            assert self._validate is not None
            self.model = self._validate(doc)
        return self.model


def _shared(
    cache: Cache,
    key: str,
    model: BaseModel | Callable[[Document], BaseModel],
    entry: Loaded,
) -> BaseModel | Callable[[Document], BaseModel]:
    """The one validator of the file with this cache key in this run (the model itself
    where it was just validated: a spec counts as validated once its model is asked for)."""
    found = cache.shared.get(key)
    if not isinstance(found, _Once):
        found = cache.shared[key] = _Once(model, entry)
        if isinstance(model, BaseModel):
            return model
    return found


def _validated(doc: Document) -> BaseModel:
    """The model of a document the cache holds as valid."""
    model, _ = validate(doc)
    if model is None:  # only a cache another campc wrote could say so
        raise InternalError(f"{doc.path}: the cache holds it as valid, but it is not")
    return model


def _entry_from_data(stored: Any) -> Stored | None:
    """The entry `_entry_data` stored, or None if it is not one."""
    try:
        found = [from_data(d) for d in stored["found"]]
        doc = None
        if stored["doc"] is not None:
            fields = stored["doc"]
            if not isinstance(fields["data"], dict):
                return None
            doc = Document(
                path=str(fields["path"]),
                data=fields["data"],
                text=str(fields["text"]),
                locate=positions,
            )
        if doc is None or not stored["valid"]:
            return doc, None, found, None
        refs = tuple(_reference(item) for item in stored["refs"])
        return doc, _validated, found, refs
    except (KeyError, TypeError, ValueError):
        return None


def _reference(item: Any) -> Reference:
    target, value, loc = item
    if target not in TARGETS or not isinstance(value, str) or not isinstance(loc, list):
        raise ValueError("not a reference")
    if not all(isinstance(part, (str, int)) for part in loc):
        raise ValueError("not a location")
    return Reference(target, value, tuple(loc))
