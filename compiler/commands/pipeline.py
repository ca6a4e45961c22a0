"""The whole run as one readable function per command: load -> validate -> lint."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from compiler import files
from compiler.analysis import routing
from compiler.backends.artifacts import Artifact, BuildContext
from compiler.cache import Cache, digest, for_project
from compiler.config.lint import LintSettings
from compiler.config.settings import Settings
from compiler.diagnostics import Diagnostic, Rule, Severity, from_data, to_data
from compiler.errors import InternalError, UsageError
from compiler.lint import engine
from compiler.load import repository
from compiler.output import writer
from compiler.project import repository as project
from compiler.project.facts import Facts
from compiler.rules import RULES, selects


@dataclass
class CheckResult:
    """What `campc check` found (and the repositories it loaded)."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: int = 0
    repositories: list[project.Repository] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        """Whether any finding is an error."""
        return any(d.severity is Severity.ERROR for d in self.diagnostics)

    def check_errors(self) -> list[Diagnostic]:
        """Only the errors."""
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]


def open_cache(settings: Settings, enabled: bool = True) -> Cache:
    """The project's cache (inactive when `enabled` is False or CAMPC_NO_CACHE is set)."""
    return for_project(settings.root, settings.config_file, enabled)


def settings_for(root: Path) -> Settings:
    """The settings of the project at `root` (its pyproject.toml, or the defaults)."""
    from compiler.config import settings as settings_module

    return settings_module.load(root, selects)


@lru_cache(maxsize=64)
def _resolved(folder: Path) -> Path:
    return folder.resolve()


def display_path(path: Path, cwd: Path) -> str:
    """A path as findings show it: relative to the working directory when below it.
    (An absolute path is only normalised: discovered files already sit under a resolved
    folder, and resolving each again would cost a system call per path component.)"""
    resolved = Path(os.path.normpath(path)) if path.is_absolute() else path.resolve()
    try:
        return resolved.relative_to(_resolved(cwd)).as_posix()
    except ValueError:
        return resolved.as_posix()


@dataclass
class _Target:
    """A campaigns folder to load, and the files and folders in it to report on (all if empty)."""

    root: Path
    only: list[Path] = field(default_factory=list)
    everything: bool = False

    def shows(self, path: Path) -> bool:
        """Whether findings in `path` are reported."""
        if self.everything:
            return True
        resolved = path.resolve()
        return any(resolved == p or resolved.is_relative_to(p) for p in self.only)


def _targets(settings: Settings, paths: Sequence[Path]) -> list[_Target]:
    """Campaign folders to load: the configured one (whole, or the named files and sub-folders
    in it), plus any other folder named, loaded as a repository of its own."""
    campaigns = settings.campaigns.resolve()
    if not paths:
        if not settings.campaigns.is_dir():
            raise UsageError(f"no campaigns folder at {settings.campaigns}")
        return [_Target(campaigns, everything=True)]
    targets: dict[Path, _Target] = {}
    for given in paths:
        path = given.resolve()
        if not path.exists():
            raise UsageError(f"{given}: no such file or folder")
        if path.is_relative_to(campaigns):
            root = campaigns
        else:
            root = path if path.is_dir() else path.parent
        target = targets.setdefault(root, _Target(root))
        target.everything = target.everything or path == root
        target.only.append(path)
    return list(targets.values())


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
    on the whole repository every time.
    """
    cache = cache or Cache.off()
    rules = [
        r for r in RULES.values() if r.check is not None and (codes is None or r.code in codes)
    ]
    per_spec = [r for r in rules if r.scope == "spec"]
    context = cache.key(
        b"rules",
        " ".join(r.code for r in per_spec).encode(),
        "\n".join(f"{f.path}\0{f.digest}" for f in repo.registries).encode(),
        "\n".join(
            f"{name}\0{_template_digest(repo, name)}" for name in sorted(repo.templates)
        ).encode(),
        # files that did not load change what the rules may say about the others
        "\n".join(f"{b.path}\0{b.kind}\0{b.id}" for b in repo.broken).encode(),
        "\n".join(sorted(repo.refused_templates)).encode(),
    )
    links = _links(repo)
    keys = {
        s.path: cache.key(
            context.encode(),
            f"{s.path}\0{s.digest}".encode(),
            "\n".join(f"{d.path}\0{d.digest}" if d else "-" for d in links[s.path]).encode(),
        )
        for s in repo.specs
    }
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
        registries = []
        shown = {f.path for f in repo.registries}
        for rule in per_spec:
            for diagnostic in _run(rule, part):
                if diagnostic.path in wanted:
                    fresh[diagnostic.path].append(diagnostic)
                elif diagnostic.path in shown:
                    registries.append(diagnostic)
                elif diagnostic.path not in linked:  # linked specs have entries of their own
                    raise InternalError(
                        f"rule {rule.code} is scoped to one spec but reported on {diagnostic.path}"
                    )
        for spec in todo:
            cache.put("rules", keys[spec.path], [to_data(d) for d in fresh[spec.path]])
        cache.put("rules", context, [to_data(d) for d in registries])
        found.extend(d for diagnostics in fresh.values() for d in diagnostics)
    found.extend(registries)
    for rule in rules:
        if rule.scope != "spec":
            found.extend(_run(rule, repo))
    return found


def _partial(repo: project.Repository) -> set[str]:
    """Specs that link a file that did not load (some rules could not run on them)."""
    if not repo.broken and not repo.refused_templates:
        return set()
    from compiler.model.references import references

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


def _template_digest(repo: project.Repository, name: str) -> str:
    try:
        return digest(repo.template_bytes(name))
    except (OSError, files.NotRegular) as err:  # the email rules report it
        return f"unreadable {err}"


def _links(repo: project.Repository) -> dict[str, list[project.SpecFile | None]]:
    """The specs each spec links to (None where a link does not resolve)."""
    from compiler.model.references import references

    by_id = {(s.kind, str(s.doc.data["id"])): s for s in repo.specs}
    kinds = {"sequence": "sequence", "experiment": "experiment"}
    return {
        spec.path: [
            by_id.get((kinds[ref.target], ref.value))
            for ref in references(spec.model)
            if ref.target in kinds
        ]
        for spec in repo.specs
    }


def check(
    settings: Settings,
    paths: Sequence[Path] = (),
    cwd: Path | None = None,
    lint_settings: LintSettings | None = None,
    cache: Cache | None = None,
) -> CheckResult:
    """Load, validate and lint; findings sorted by path and position."""
    here = cwd or Path(os.getcwd())
    rules = lint_settings or settings.lint
    cache = cache or Cache.off()

    def project_path(shown: str) -> str:
        return display_path(here / shown, settings.root)

    result = CheckResult()
    for target in _targets(settings, paths):
        repo, problems = repository.load(
            target.root, lambda p: display_path(p, here), settings.policy, cache
        )
        docs = {f.path: f.doc for f in (*repo.specs, *repo.registries)}
        found = engine.apply(
            problems + lint(repo, cache, engine.enabled_codes(rules)),
            docs,
            rules,
            project_path,
            _partial(repo),
        )
        found = [d for d in found if target.shows(here / d.path)]
        result.files += sum(target.shows(p) for p in repo.paths)
        result.repositories.append(repo)
        result.diagnostics.extend(found)
    result.diagnostics.sort(key=Diagnostic.sort_key)
    cache.flush()
    return result


def load_checked(
    settings: Settings,
    root: Path,
    display: Callable[[Path], str],
    project_path: Callable[[str], str],
    cache: Cache | None = None,
) -> tuple[project.Repository, list[Diagnostic]]:
    """One campaigns folder loaded, validated and linted as `campc check` does (for
    `campc diff`, which shows paths its own way)."""
    repo, problems = repository.load(root, display, settings.policy, cache)
    docs = {f.path: f.doc for f in (*repo.specs, *repo.registries)}
    found = engine.apply(
        problems + lint(repo, cache, engine.enabled_codes(settings.lint)),
        docs,
        settings.lint,
        project_path,
        _partial(repo),
    )
    return repo, sorted(found, key=Diagnostic.sort_key)


def route(
    settings: Settings, paths: Sequence[Path], cwd: Path | None = None
) -> list[routing.RouteReport]:
    """The routing decision of each named spec (its repository's conventions apply)."""
    here = cwd or Path(os.getcwd())
    reports = []
    for target in _targets(settings, paths):
        repo, problems = repository.load(target.root, lambda p: display_path(p, here))
        broken = sorted({d.path for d in problems if target.shows(here / d.path)})
        if broken:
            raise UsageError(f"{broken[0]} does not load: run `campc check` first")
        for spec in repo.specs:
            if not target.shows(here / spec.path):
                continue
            table = repo.conventions.routing
            reports.append(
                routing.RouteReport(
                    path=spec.path,
                    kind=spec.kind,
                    declared=str(spec.doc.data["domain"]),
                    folder=spec.rel.parts[0] if len(spec.rel.parts) > 1 else None,
                    decision=routing.decide(spec.model, spec.kind, table),
                    partners=tuple(routing.partner_work(spec.model, table)),
                    handoffs=tuple(h.team for h in getattr(spec.model, "handoffs", [])),
                )
            )
    return reports


@dataclass
class BuildResult:
    """What `campc build` did: the check's findings, then what changed (or would)."""

    check: CheckResult
    artifacts: list[Artifact] = field(default_factory=list)
    changes: writer.Changes | None = None
    out: Path | None = None
    repaired: list[str] = field(default_factory=list)
    """What was done to finish or undo a swap an interrupted build left half-done."""


def compile_artifacts(
    repo: project.Repository,
    context: BuildContext,
    shown: Callable[[Path], str],
    progress: Callable[[str], None] | None = None,
) -> list[Artifact]:
    """Run every back-end, then the manifest of what they produced."""
    from compiler.backends import (
        BACKENDS,
        manifest,  # heavy (icalendar, xlsxwriter): build only
    )

    artifacts: list[Artifact] = []
    for name, backend in BACKENDS.items():
        if progress is not None:
            progress(name)
        try:
            produced = backend(repo, context)
        except Exception as err:  # a crashing back-end is our bug
            raise InternalError(f"back-end {name} failed: {err!r}") from err
        artifacts.extend(produced)
    paths = Counter(a.path for a in artifacts)
    twice = sorted(path for path, count in paths.items() if count > 1)
    if twice:  # the check's rules (REF001, REF007) keep ids apart: this is our bug
        raise InternalError(f"two artifacts at one output path: {', '.join(twice[:3])}")
    return [*artifacts, manifest.build(repo, artifacts, shown)]


def build(
    settings: Settings,
    out: Path | None = None,
    check_only: bool = False,
    cwd: Path | None = None,
    progress: Callable[[str], None] | None = None,
    cache: Cache | None = None,
) -> BuildResult:
    """Check the repository; if clean, compile every artifact and write (or compare) them."""
    here = cwd or Path(os.getcwd())
    folder = outputs_folder(settings, out)
    with writer.locked(folder):
        repaired = writer.repair(folder)
    checked = check(settings, cwd=here, cache=cache)
    result = BuildResult(check=checked, out=folder, repaired=repaired)
    if checked.failed:
        return result
    repo = checked.repositories[0]
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is not None and not epoch.isdigit():
        raise UsageError(f"SOURCE_DATE_EPOCH must be a whole number of seconds, got `{epoch}`")
    context = BuildContext(
        uid_domain=settings.uid_domain,
        source_date_epoch=int(epoch) if epoch is not None else None,
    )
    result.artifacts = compile_artifacts(
        repo, context, lambda p: display_path(p, settings.root), progress
    )
    assert result.out is not None
    result.changes = writer.compare(result.out, result.artifacts)
    if not check_only and (result.changes or result.changes.refused):
        result.repaired += writer.write(result.out, result.artifacts)
    return result


def outputs_folder(settings: Settings, out: Path | None) -> Path:
    """The folder a build replaces, once it is known to be safe to replace (UsageError
    naming the setting or the link otherwise)."""
    folder = out if out is not None else settings.outputs
    if out is not None:
        setting = "--out"
    elif settings.config_file is not None:
        setting = f"{display_path(settings.config_file, settings.root)}: tool.campc.outputs"
    else:
        setting = "outputs (the default)"
    protected = [
        ("the campaigns folder", settings.campaigns),
        ("the schemas folder", settings.schemas),
    ]
    try:
        writer.check_target(folder, settings.root, protected, setting, inside=out is None)
    except writer.UnsafeTarget as err:
        raise UsageError(str(err)) from None
    return folder
