"""Which rules run on what: the selected rules, each on the specs the cache holds no
findings for (rules scoped to one spec) or on the whole repository (the others)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

from compiler.cache import Cache
from compiler.diagnostics import Diagnostic, Rule, from_data, to_data
from compiler.email.places import merge
from compiler.errors import InternalError
from compiler.model.references import references
from compiler.project import inputs
from compiler.project import repository as project
from compiler.project.facts import Facts
from compiler.rules import RULES


def _run(rule: Rule, repo: project.Repository) -> list[Diagnostic]:
    assert rule.check is not None
    try:
        return list(rule.check(repo))
    except Exception as err:  # a crashing rule is our bug, not the user's
        raise InternalError(f"rule {rule.code} ({rule.name}) failed: {err!r}") from err


def lint(
    repo: project.Repository, cache: Cache | None = None, codes: Collection[str] | None = None
) -> list[Diagnostic]:
    """Run the rules `codes` names (every registered rule by default) over a loaded
    repository: a rule that is not selected does not run.

    Rules scoped to one spec (`Rule.scope`) run only on specs the cache holds no findings
    for, together with the specs those link to (a campaign's sequences and experiments);
    their findings are keyed by the bytes of the spec and of its links, and by the
    registries, conventions and template names every spec may read. Findings such rules
    make on the registries themselves are kept under that context. The other rules run
    on the whole repository every time. A template's findings, kept spec by spec, are
    merged last.
    """
    cache = cache or Cache.off()
    chosen = [RULES[code] for code in RULES if codes is None or code in codes]
    rules = [rule for rule in chosen if rule.check is not None]
    per_spec = [r for r in rules if r.scope == "spec"]
    context = _context(repo, cache, per_spec)
    links = inputs.links(repo)
    keys = {spec.path: _key(cache, context, spec, links[spec.path]) for spec in repo.specs}
    found: list[Diagnostic] = []
    todo = []
    for spec in repo.specs:
        cached = _cached_findings(cache, keys[spec.path])
        if cached is None:
            todo.append(spec)
        else:
            found.extend(cached)
    registries = _cached_findings(cache, context)
    if todo or registries is None:
        fresh, registries = _per_spec(repo, per_spec, todo, links)
        for spec in todo:
            cache.put("rules", keys[spec.path], [to_data(d) for d in fresh[spec.path]])
        cache.put("rules", context, [to_data(d) for d in registries])
        found.extend(d for diagnostics in fresh.values() for d in diagnostics)
    found.extend(registries)
    for rule in rules:
        if rule.scope != "spec":
            found.extend(_run(rule, repo))
    return merge(found)


def _context(repo: project.Repository, cache: Cache, per_spec: list[Rule]) -> str:
    """What every spec's findings depend on besides the spec and its links: the rules
    that run, the registries, the templates, the files that did not load."""
    return cache.key(b"rules", " ".join(r.code for r in per_spec).encode(), *inputs.shared(repo))


def _key(
    cache: Cache,
    context: str,
    spec: project.SpecFile,
    linked: list[project.SpecFile | None],
) -> str:
    """The cache key of one spec's findings: the context, its bytes and its links'."""
    return cache.key(
        context.encode(),
        f"{spec.path}\0{spec.digest}".encode(),
        "\n".join(f"{d.path}\0{d.digest}" if d else "-" for d in linked).encode(),
    )


def _per_spec(
    repo: project.Repository,
    per_spec: list[Rule],
    todo: list[project.SpecFile],
    links: dict[str, list[project.SpecFile | None]],
) -> tuple[dict[str, list[Diagnostic]], list[Diagnostic]]:
    """The spec-scoped rules on the specs to redo (with the specs they link): each spec's
    findings (a template's included, by its origin), and those on the registries."""
    wanted = {spec.path for spec in todo}
    linked = {d.path: d for spec in todo for d in links[spec.path] if d is not None}
    # every spec to redo (no cache, or a cold one): the rules run on the repository
    # itself, so what they compute (the schedule, the rendered emails) serves the build
    part = (
        repo
        if len(todo) == len(repo.specs)
        else replace(
            repo,
            specs=[*todo, *(d for p, d in linked.items() if p not in wanted)],
            facts=Facts(),
        )
    )
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
            elif diagnostic.origin in linked or diagnostic.path in linked:
                continue  # linked specs have entries of their own
            else:
                raise InternalError(
                    f"rule {rule.code} is scoped to one spec but reported on {diagnostic.path}"
                )
    return fresh, registries


def partial(repo: project.Repository) -> set[str]:
    """Specs that link a file that did not load (some rules could not run on them)."""
    if not repo.broken and not repo.refused_templates:
        return set()

    return {
        spec.path
        for spec in repo.specs
        for ref in references(spec.model)
        if repo.maybe_declared(ref.target, ref.value)
    }


def _cached_findings(cache: Cache, key: str) -> list[Diagnostic] | None:
    """Findings the cache holds under `key`, or None (a miss, or not findings)."""
    stored = cache.get("rules", key) if cache.active else None
    if not isinstance(stored, list):
        return None
    try:
        return [from_data(d) for d in stored]
    except (KeyError, TypeError, ValueError):
        return None
