"""Which back-ends run on what in a build: a back-end whose every artifact comes from
one spec runs only on the specs the cache holds no artifacts for; one that reads the
specs of some kinds only runs when one of them changed; one whose artifacts are made
from a part of every spec (the budget sheet, from the budgets) only runs when that part
changed; the others run on the whole repository every time.

A spec's artifacts are keyed by everything they are compiled from: the back-end, the
spec's bytes and those of the specs it links to or is linked from (a sequence's emails
carry the dates of the campaign that enrols its cohort), what every spec may read (the
registries, the templates, the files that did not load), the build context, and the
versions of campc and of the libraries that write artifacts. The project's
pyproject.toml is in every cache key already. A back-end that breaks the rule (an
artifact from two specs) is our bug and stops the build."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any, TypeVar

from compiler import cache as cache_module
from compiler.backends.artifacts import Artifact, BuildContext
from compiler.backends.registry import Backend, Staged
from compiler.cache import Cache
from compiler.errors import InternalError
from compiler.output import writer
from compiler.project import inputs
from compiler.project.repository import Repository, SpecFile
from compiler.workers import PARALLEL_FROM, forked, jobs


class Keys:
    """The cache key of each spec's artifacts, for one build."""

    def __init__(self, repo: Repository, context: BuildContext, cache: Cache) -> None:
        self.related = inputs.Related(repo)
        self._cache = cache
        self.shared = cache.key(
            b"artifacts",
            cache_module.build_versions(),
            f"{context.uid_domain}\0{context.source_date_epoch}".encode(),
            *inputs.shared(repo),
        )
        """What every artifact depends on: versions, build context, what every spec reads."""
        self._specs: dict[str, str] = {}

    def of(self, backend: str, spec: SpecFile) -> str:
        """The key of the artifacts `backend` compiles from `spec` (what the spec and
        those related to it contribute is hashed once per build, not once per back-end)."""
        part = self._specs.get(spec.path)
        if part is None:
            part = self._specs[spec.path] = self._cache.key(
                self.shared.encode(),
                f"{spec.path}\0{spec.digest}".encode(),
                "\n".join(f"{d.path}\0{d.digest}" for d in self.related.of(spec)).encode(),
            )
        return self._cache.key(part.encode(), backend.encode())


T = TypeVar("T")


def fragments(
    name: str,
    compute: Callable[[Repository], dict[str, T]],
    read: Callable[[Any], T | None],
    write: Callable[[T], Any],
    empty: T,
    repo: Repository,
    cache: Cache,
    keys: Keys,
) -> dict[str, T]:
    """Spec path -> what `compute` makes of that spec (`empty` when nothing): from the
    cache (through `read`, None when it does not hold that shape) for specs it holds it
    for; `compute` runs on the others, with the specs they are related to, and what it
    makes of them is kept (through `write`, as plain data)."""
    found: dict[str, T] = {}
    todo: list[SpecFile] = []
    for spec in repo.specs:
        stored = cache.get(cache_module.ARTIFACTS, keys.of(name, spec))
        value = read(stored) if stored is not None else None
        if value is None:
            todo.append(spec)
        else:
            found[spec.path] = value
    if not todo:
        return found
    fresh = _compute(compute, repo, todo, keys)
    for spec in todo:
        value = fresh.get(spec.path, empty)
        cache.put(cache_module.ARTIFACTS, keys.of(name, spec), write(value))
        found[spec.path] = value
    return found


def _compute(
    compute: Callable[[Repository], dict[str, T]],
    repo: Repository,
    todo: list[SpecFile],
    keys: Keys,
) -> dict[str, T]:
    """`compute` over the specs in `todo`: in this process, or, for many specs, split
    among forked workers (`workers`), each on a repository of its share and the specs
    they are related to (a test holds that each spec's part is the same either way)."""
    workers = jobs() if len(todo) >= PARALLEL_FROM else 1
    if workers < 2:
        return compute(keys.related.part(repo, todo))
    shares = keys.related.shares(todo, workers)

    def share(index: int) -> dict[str, T]:
        mine = {spec.path for spec in shares[index]}
        made = compute(keys.related.part(repo, shares[index]))
        # only its own specs: a related spec in its repository may lack specs of its own
        return {p: v for p, v in made.items() if p in mine}

    made = forked(share, workers, workers)
    if made is None:
        return compute(keys.related.part(repo, todo))
    found: dict[str, T] = {}
    for part in made:
        found.update(part)
    return found


def per_spec(
    name: str, backend: Backend, repo: Repository, context: BuildContext, cache: Cache, keys: Keys
) -> list[Artifact]:
    """`backend`'s artifacts, each compiled from one spec: from the cache for specs it
    holds them for; the back-end runs on the rest, with the specs they are related to."""

    ids = [str(spec.doc.data["id"]) for spec in repo.specs]
    if len(set(ids)) != len(ids):  # REF001 keeps ids apart; ignored, nothing is cached
        return backend(repo, context)

    def compute(part: Repository) -> dict[str, list[Artifact]]:
        owner = {str(spec.doc.data["id"]): spec.path for spec in part.specs}
        made: dict[str, list[Artifact]] = {}
        for artifact in backend(part, context):
            if len(artifact.sources) != 1 or artifact.sources[0] not in owner:
                raise InternalError(
                    f"back-end {name} is compiled spec by spec but made {artifact.path} "
                    f"from {', '.join(artifact.sources) or 'no spec'}"
                )
            made.setdefault(owner[artifact.sources[0]], []).append(artifact)
        return made

    def write(artifacts: list[Artifact]) -> list[list[Any]]:
        return [_data(a) for a in artifacts]

    none: list[Artifact] = []
    found = fragments(name, compute, _artifacts, write, none, repo, cache, keys)
    return [artifact for spec in repo.specs for artifact in found[spec.path]]


def of_kinds(
    name: str,
    backend: Backend,
    kinds: frozenset[str],
    repo: Repository,
    context: BuildContext,
    cache: Cache,
    keys: Keys,
) -> list[Artifact]:
    """`backend`'s artifacts, which it compiles from the specs of `kinds` alone: from the
    cache when it holds them for those specs as they are, else compiled and kept."""
    chosen = [spec for spec in repo.specs if spec.kind in kinds]
    key = cache.key(
        b"kinds", name.encode(), "\n".join(keys.of(name, spec) for spec in chosen).encode()
    )
    return _kept(cache, key, lambda: backend(repo, context))


def by_inputs(
    name: str,
    backend: Backend,
    read: Callable[[Repository], bytes],
    repo: Repository,
    context: BuildContext,
    cache: Cache,
    keys: Keys,
) -> list[Artifact]:
    """`backend`'s artifacts, which are made from what `read` gives alone (with what every
    spec may read, the build context and the versions): from the cache while that is
    the same, else compiled and kept."""
    key = cache.key(keys.shared.encode(), b"inputs", name.encode(), read(repo))
    return _kept(cache, key, lambda: backend(repo, context))


def _kept(cache: Cache, key: str, make: Callable[[], list[Artifact]]) -> list[Artifact]:
    """A whole back-end's artifacts under `key`: from the cache, else made and kept."""
    stored = cache.get(cache_module.ARTIFACTS, key)
    found = _artifacts(stored) if stored is not None else None
    if found is not None:
        return found
    made = make()
    cache.put(cache_module.ARTIFACTS, key, [_data(a) for a in made])
    return made


def staged(
    name: str, stages: Staged, repo: Repository, context: BuildContext, cache: Cache, keys: Keys
) -> list[Artifact]:
    """A staged back-end's artifacts, assembled from its fragments: from the cache for
    specs it holds them for, compiled for the others."""

    def compute(part: Repository) -> dict[str, list[str]]:
        return stages.fragments(part, context)

    none: list[str] = []
    made = fragments(name, compute, _texts, list, none, repo, cache, keys)
    return stages.assemble(repo, context, made)


def _texts(stored: Any) -> list[str] | None:
    """A list of texts as the cache keeps it, or None."""
    if isinstance(stored, list) and all(isinstance(t, str) for t in stored):
        return stored
    return None


def _data(artifact: Artifact) -> list[Any]:
    """An artifact as plain data: its text when it is UTF-8, else base64."""
    try:
        return [artifact.path, "t", artifact.content.decode("utf-8"), list(artifact.sources)]
    except UnicodeDecodeError:
        return [
            artifact.path,
            "b",
            base64.b64encode(artifact.content).decode("ascii"),
            list(artifact.sources),
        ]


def _artifacts(stored: Any) -> list[Artifact] | None:
    """Artifacts as `_data` keeps them, or None (a miss, or not artifacts)."""
    if not isinstance(stored, list):
        return None
    try:
        found = []
        for path, form, body, sources in stored:
            if not isinstance(path, str) or not isinstance(body, str) or form not in ("t", "b"):
                return None
            writer.safe_parts(path)  # never a path outside the outputs, even signed
            content = body.encode("utf-8") if form == "t" else base64.b64decode(body)
            found.append(Artifact(path, content, tuple(str(s) for s in sources)))
        return found
    except (TypeError, ValueError):
        return None
