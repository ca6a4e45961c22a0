"""What a spec's results are made from, for the caches that keep them per spec (the
lint runner's findings, the build's artifacts): the spec's bytes, the specs it links to
or is linked from, and what every spec may read (the registries, the templates, the
files that did not load)."""

from __future__ import annotations

import hashlib
from dataclasses import replace

from compiler import files
from compiler.cache import digest
from compiler.project.facts import Fact, Facts
from compiler.project.repository import Repository, SpecFile

_LINKED = {"sequence": "sequence", "experiment": "experiment"}
"""The references that make one spec's results depend on another's (a campaign's
sequences and experiments; and an experiment's `send`, below)."""


def links(repo: Repository) -> dict[str, list[SpecFile | None]]:
    """The specs each spec links to (None where a link does not resolve): an
    experiment's `send: <campaign or sequence>/<send>` links it to that spec (its list's
    audience, its emails' body)."""
    by_id = {(s.kind, str(s.doc.data["id"])): s for s in repo.specs}

    def target(kind: str, value: str) -> SpecFile | None:
        if kind == "send":
            owner = value.split("/", 1)[0]
            return by_id.get(("campaign", owner)) or by_id.get(("sequence", owner))
        return by_id.get((_LINKED[kind], value))

    return {
        spec.path: [
            target(ref.target, ref.value)
            for ref in spec.references()
            if ref.target in _LINKED or ref.target == "send"
        ]
        for spec in repo.specs
    }


def linked_from(forward: dict[str, list[SpecFile | None]]) -> dict[str, list[str]]:
    """Spec path -> the paths of the specs that link to it (the other way round)."""
    back: dict[str, list[str]] = {}
    for source, targets in forward.items():
        for target in targets:
            if target is not None:
                back.setdefault(target.path, []).append(source)
    return back


PARTS: Fact[dict[tuple[str, ...], Repository]] = Fact("parts")
"""The parts `Related.part` made of a repository, by the paths of their specs."""


class Related:
    """The specs each spec's results may read besides itself: those it links to and
    those that link to it (a sequence's email `Date` comes from the campaign's cohort)."""

    def __init__(self, repo: Repository) -> None:
        self.links = links(repo)
        self.linked_from = linked_from(self.links)
        self._by_path = {spec.path: spec for spec in repo.specs}

    def of(self, spec: SpecFile) -> list[SpecFile]:
        """The specs related to `spec`, each once, by path."""
        found = {d.path: d for d in self.links[spec.path] if d is not None}
        for path in self.linked_from.get(spec.path, []):
            found[path] = self._by_path[path]
        found.pop(spec.path, None)
        return [found[path] for path in sorted(found)]

    def part(self, repo: Repository, todo: list[SpecFile]) -> Repository:
        """A repository of the specs in `todo` and those they are related to, with facts
        of its own; the whole repository when `todo` is every spec, so that what one
        pass computed (the schedule, the rendered emails) serves the next."""
        if len(todo) == len(repo.specs):
            return repo
        # one part per set of specs and run: the rules' part after one change is the
        # back-ends' too, so the emails its rules rendered serve its back-ends
        made = repo.facts.get(PARTS, dict)
        key = tuple(spec.path for spec in todo)
        if key not in made:
            wanted = set(key)
            others = {d.path: d for spec in todo for d in self.of(spec) if d.path not in wanted}
            made[key] = replace(repo, specs=[*todo, *others.values()], facts=Facts())
        return made[key]

    def shares(self, todo: list[SpecFile], workers: int) -> list[list[SpecFile]]:
        """`todo` split among `workers` with as little overlap as may be: specs related
        to each other, directly or through another spec, stay together (a share's part
        then holds few specs of another's), and the groups, largest first, go where
        they least unbalance the count of each kind (every share gets its part of the
        scoring models, of the campaigns and of the sequences with their emails). Each
        share keeps the order of `todo`."""
        parent: dict[str, str] = {}

        def root(path: str) -> str:
            while parent.setdefault(path, path) != path:
                parent[path] = parent[parent[path]]
                path = parent[path]
            return path

        for spec in todo:
            for other in self.of(spec):
                first, second = root(spec.path), root(other.path)
                if first != second:
                    parent[max(first, second)] = min(first, second)
        groups: dict[str, list[SpecFile]] = {}
        for spec in todo:
            groups.setdefault(root(spec.path), []).append(spec)
        loads: list[dict[str, int]] = [{} for _ in range(workers)]
        chosen: dict[str, int] = {}
        for group in sorted(groups.values(), key=lambda g: (-len(g), g[0].path)):
            counts: dict[str, int] = {}
            for spec in group:
                counts[spec.kind] = counts.get(spec.kind, 0) + 1

            def cost(index: int, counts: dict[str, int] = counts) -> tuple[int, int]:
                load = loads[index]
                return sum(load.get(k, 0) * n for k, n in counts.items()), index

            best = min(range(workers), key=cost)
            for kind, n in counts.items():
                loads[best][kind] = loads[best].get(kind, 0) + n
            for spec in group:
                chosen[spec.path] = best
        found: list[list[SpecFile]] = [[] for _ in range(workers)]
        for spec in todo:
            found[chosen[spec.path]].append(spec)
        return found


def shared(repo: Repository) -> list[bytes]:
    """What every spec's results may depend on besides the spec and its links."""
    return [
        "\n".join(f"{f.path}\0{f.digest}" for f in repo.registries).encode(),
        "\n".join(
            f"{name}\0{template_digest(repo, name)}" for name in sorted(repo.templates)
        ).encode(),
        # files that did not load change what the rules may say about the others
        "\n".join(f"{b.path}\0{b.kind}\0{b.id}" for b in repo.broken).encode(),
        "\n".join(sorted(repo.refused_templates)).encode(),
        "\n".join(
            f"{name}\0{_data_digest(value)}" for name, value in sorted(repo.data_files.items())
        ).encode(),
    ]


def _data_digest(value: bytes | Exception) -> str:
    if isinstance(value, Exception):
        return f"unreadable {type(value).__name__}"
    return hashlib.sha256(value).hexdigest()


def template_digest(repo: Repository, name: str) -> str:
    """The digest of a template's bytes (or why it cannot be read: the email rules
    report it)."""
    try:
        return digest(repo.template_bytes(name))
    except (OSError, files.NotRegular) as err:
        return f"unreadable {err}"
