"""Which rules run on what: the selected rules, each on the specs the cache holds nothing
for (rules scoped to one spec, and what repository-wide rules collect of each spec), or
on the whole repository (the other rules)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any, TypeVar

from compiler.cache import Cache
from compiler.diagnostics import Diagnostic, Rule, from_data, to_data
from compiler.email.places import merge
from compiler.errors import InternalError
from compiler.project import inputs
from compiler.project import repository as project
from compiler.rules import RULES
from compiler.workers import PARALLEL_FROM, forked, jobs

T = TypeVar("T")


def _guarded(rule: Rule, work: Callable[[], T]) -> T:
    """What a rule computes; a crash is our bug, not the user's."""
    try:
        return work()
    except Exception as err:
        raise InternalError(f"rule {rule.code} ({rule.name}) failed: {err!r}") from err


def _run(rule: Rule, repo: project.Repository) -> list[Diagnostic]:
    check = rule.check
    assert check is not None
    return _guarded(rule, lambda: list(check(repo)))


def _collect(rule: Rule, repo: project.Repository) -> dict[str, Any]:
    collect = rule.collect
    assert collect is not None
    return _guarded(rule, lambda: collect(repo))


def _combine(rule: Rule, repo: project.Repository, collected: dict[str, Any]) -> list[Diagnostic]:
    combine = rule.combine
    assert combine is not None
    return _guarded(rule, lambda: list(combine(repo, collected)))


def lint(
    repo: project.Repository,
    cache: Cache | None = None,
    codes: Collection[str] | None = None,
    spread: bool = False,
) -> list[Diagnostic]:
    """Run the rules `codes` names (every registered rule by default) over a loaded
    repository: a rule that is not selected does not run.

    Rules scoped to one spec (`Rule.scope`) run only on specs the cache holds nothing
    for, together with the specs those are related to (a campaign's sequences and
    experiments, and the campaigns that link a sequence or experiment); the same goes
    for what repository-wide rules collect of each spec (`Rule.collect`), which their
    `combine` then turns into findings over every spec. Both are kept per spec, keyed by
    the bytes of the spec and of its related specs, and by the registries, conventions
    and template names every spec may read. Findings spec rules make on the registries
    themselves are kept under that context. The other rules run on the whole repository
    every time. A template's findings, kept spec by spec, are merged last.

    With `spread`, many specs to redo are shared among forked workers (a check that
    builds nothing next: in-process, what the rules compute, the schedule and the
    rendered emails, stays on the repository for the back-ends).
    """
    cache = cache or Cache.off()
    chosen = [RULES[code] for code in RULES if codes is None or code in codes]
    rules = [rule for rule in chosen if rule.check is not None]
    per_spec = [r for r in rules if r.scope == "spec"]
    gathered = [r for r in rules if r.collect is not None]
    context = _context(repo, cache, [*per_spec, *gathered])
    related = inputs.Related(repo)
    keys = {spec.path: _key(cache, context, spec, related.of(spec)) for spec in repo.specs}
    found: list[Diagnostic] = []
    collected: dict[str, dict[str, Any]] = {}
    todo = []
    for spec in repo.specs:
        cached = _cached(cache, keys[spec.path], gathered)
        if cached is None:
            todo.append(spec)
        else:
            found.extend(cached[0])
            collected[spec.path] = cached[1]
    registries = _cached(cache, context, [])
    if todo or registries is None:
        fresh, on_registries, data = _spread(repo, per_spec, gathered, todo, related, spread)
        for spec in todo:
            stored = {"found": [to_data(d) for d in fresh[spec.path]], "collected": data[spec.path]}
            cache.put("rules", keys[spec.path], stored)
        cache.put("rules", context, {"found": [to_data(d) for d in on_registries], "collected": {}})
        found.extend(d for diagnostics in fresh.values() for d in diagnostics)
        found.extend(on_registries)
        collected.update(data)
    else:
        found.extend(registries[0])
    for rule in gathered:
        of_rule = {spec.path: collected[spec.path][rule.code] for spec in repo.specs}
        try:
            found.extend(_combine(rule, repo, of_rule))
        except InternalError:  # data the cache held that is not this rule's: collect again
            found.extend(_combine(rule, repo, _collect(rule, repo)))
    for rule in rules:
        if rule.scope != "spec" and rule.collect is None:
            found.extend(_run(rule, repo))
    return merge(found)


def _context(repo: project.Repository, cache: Cache, rules: list[Rule]) -> str:
    """What every spec's findings depend on besides the spec and its related specs: the
    rules that run, the registries, the templates, the files that did not load."""
    return cache.key(b"rules", " ".join(r.code for r in rules).encode(), *inputs.shared(repo))


def _key(
    cache: Cache,
    context: str,
    spec: project.SpecFile,
    related: list[project.SpecFile],
) -> str:
    """The cache key of one spec's findings: the context, its bytes and its related specs'."""
    return cache.key(
        context.encode(),
        f"{spec.path}\0{spec.digest}".encode(),
        "\n".join(f"{d.path}\0{d.digest}" for d in related).encode(),
    )


PerSpec = tuple[dict[str, list[Diagnostic]], list[Diagnostic], dict[str, dict[str, Any]]]
"""Each redone spec's findings, those on the registries, and what each collecting rule
collected of each redone spec."""


def _spread(
    repo: project.Repository,
    per_spec: list[Rule],
    gathered: list[Rule],
    todo: list[project.SpecFile],
    related: inputs.Related,
    spread: bool,
) -> PerSpec:
    """`_per_spec`, in this process or shared among forked workers, each on its share
    of `todo` (`Related.shares`) and the specs related to it: every spec's
    findings and data are its own either way (a test holds the two runs equal); the
    registries' findings, made by each worker alike, are kept once."""
    workers = jobs() if spread and len(todo) >= PARALLEL_FROM else 1
    if workers < 2:
        return _per_spec(repo, per_spec, gathered, todo, related)
    shares = related.shares(todo, workers)

    def share(index: int) -> PerSpec:
        return _per_spec(repo, per_spec, gathered, shares[index], related)

    made = forked(share, workers, workers)
    if made is None:
        return _per_spec(repo, per_spec, gathered, todo, related)
    fresh: dict[str, list[Diagnostic]] = {}
    registries: list[Diagnostic] = []
    data: dict[str, dict[str, Any]] = {}
    for their_fresh, their_registries, their_data in made:
        fresh.update(their_fresh)
        registries.extend(d for d in their_registries if d not in registries)
        data.update(their_data)
    return fresh, registries, data


def _per_spec(
    repo: project.Repository,
    per_spec: list[Rule],
    gathered: list[Rule],
    todo: list[project.SpecFile],
    related: inputs.Related,
) -> PerSpec:
    """The spec-scoped rules on the specs to redo (with their related specs): each spec's
    findings (a template's included, by its origin), those on the registries, and what
    each collecting rule collects of each spec to redo."""
    wanted = {spec.path for spec in todo}
    # every spec to redo (no cache, or a cold one): the rules run on the repository
    # itself, so what they compute (the schedule, the rendered emails) serves the build
    part = related.part(repo, todo)
    others = {spec.path for spec in part.specs} - wanted
    fresh: dict[str, list[Diagnostic]] = {path: [] for path in wanted}
    registries: list[Diagnostic] = []
    shown = {f.path for f in repo.registries}
    for rule in per_spec:
        for diagnostic in _run(rule, part):
            if diagnostic.path in wanted:
                fresh[diagnostic.path].append(diagnostic)
            elif diagnostic.path in shown:
                registries.append(diagnostic)
            elif diagnostic.origin in wanted:  # a template's mistake, kept with the spec
                fresh[diagnostic.origin].append(diagnostic)
            elif diagnostic.origin in others or diagnostic.path in others:
                continue  # related specs have entries of their own
            else:
                raise InternalError(
                    f"rule {rule.code} is scoped to one spec but reported on {diagnostic.path}"
                )
    data: dict[str, dict[str, Any]] = {path: {} for path in wanted}
    for rule in gathered:
        of_part = _collect(rule, part)
        for path in wanted:
            data[path][rule.code] = of_part.get(path)
    return fresh, registries, data


def partial(repo: project.Repository) -> set[str]:
    """Specs that link a file that did not load (some rules could not run on them)."""
    if not repo.broken and not repo.refused_templates:
        return set()

    return {
        spec.path
        for spec in repo.specs
        for ref in spec.references()
        if repo.maybe_declared(ref.target, ref.value)
    }


def _cached(
    cache: Cache, key: str, gathered: list[Rule]
) -> tuple[list[Diagnostic], dict[str, Any]] | None:
    """The findings and the collected data the cache holds under `key` (data for every
    collecting rule in `gathered`), or None (a miss, or not such an entry)."""
    stored = cache.get("rules", key) if cache.active else None
    if not isinstance(stored, dict):
        return None
    found, collected = stored.get("found"), stored.get("collected")
    if not isinstance(found, list) or not isinstance(collected, dict):
        return None
    if any(rule.code not in collected for rule in gathered):
        return None
    try:
        return [from_data(d) for d in found], collected
    except (KeyError, TypeError, ValueError):
        return None
