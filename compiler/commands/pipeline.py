"""The whole run as one readable function per command: load -> validate -> lint."""

from __future__ import annotations

import functools
import os
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from compiler.analysis import routing
from compiler.backends.artifacts import Artifact, BuildContext
from compiler.cache import Cache, for_project
from compiler.config import settings as settings_module
from compiler.config.lint import LintSettings
from compiler.config.settings import Settings
from compiler.diagnostics import Diagnostic, Severity, from_data, to_data
from compiler.errors import InternalError, UsageError
from compiler.lint import engine, runner
from compiler.load import repository
from compiler.load.inventory import Snapshot
from compiler.output import writer
from compiler.project import repository as project
from compiler.rules import selects


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

    return settings_module.load(root, selects)


@lru_cache(maxsize=64)
def _resolved(folder: Path) -> Path:
    return folder.resolve()


def display_path(path: Path, cwd: Path) -> str:
    """A path as findings show it: relative to the working directory when below it.
    (An absolute path is only normalised: discovered files already sit under a resolved
    folder, and resolving each again would cost a system call per path component.)"""
    if path.is_absolute() and os.sep == "/":
        # the common case as strings: a normalised path below the folder (a check
        # shows 1,088 paths; pathlib's relative_to took 0.03 s of them)
        text, base = os.path.normpath(path), _resolved_text(cwd)
        if base != "/" and text.startswith(base + "/"):
            return text[len(base) + 1 :]
    resolved = Path(os.path.normpath(path)) if path.is_absolute() else path.resolve()
    try:
        return resolved.relative_to(_resolved(cwd)).as_posix()
    except ValueError:
        return resolved.as_posix()


@lru_cache(maxsize=64)
def _resolved_text(folder: Path) -> str:
    return str(_resolved(folder))


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


def check(
    settings: Settings,
    paths: Sequence[Path] = (),
    cwd: Path | None = None,
    lint_settings: LintSettings | None = None,
    cache: Cache | None = None,
    snapshot: Snapshot | None = None,
    base: project.Baseline | None = None,
    spread: bool = False,
) -> CheckResult:
    """Load, validate and lint; findings sorted by path and position. `snapshot` holds
    the files a fingerprint read, which the loader then takes instead of reading them;
    `base` is the revision the lock compares with (`--base`); `spread` shares the rules'
    work among worker processes (`runner.lint`: for a check that builds nothing)."""
    here = cwd or Path(os.getcwd())
    rules = lint_settings or settings.lint
    cache = cache or Cache.off()

    def project_path(shown: str) -> str:
        return display_path(here / shown, settings.root)

    result = CheckResult()
    for target in _targets(settings, paths):
        repo, problems = repository.load(
            target.root, lambda p: display_path(p, here), settings.policy, cache, snapshot
        )
        repo.base = base
        docs = {f.path: f.doc for f in (*repo.specs, *repo.registries)}
        found = engine.apply(
            problems + runner.lint(repo, cache, engine.enabled_codes(rules), spread),
            docs,
            rules,
            project_path,
            runner.partial(repo),
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
    content: str | None = None,
) -> tuple[project.Repository, list[Diagnostic]]:
    """One campaigns folder loaded, validated and linted as `campc check` does (for
    `campc diff`, which shows paths its own way). `content`, when given, names the
    folder's files for good (a revision's tree, and where its paths are shown): the
    findings are kept in the cache under it, and the rules do not run again for it."""
    repo, problems = repository.load(root, display, settings.policy, cache)
    key = None
    if cache is not None and cache.active and content is not None:
        key = cache.key(b"checked", content.encode())
        kept = _kept_findings(cache.get("checked", key))
        if kept is not None:
            return repo, kept
    docs = {f.path: f.doc for f in (*repo.specs, *repo.registries)}
    found = engine.apply(
        problems + runner.lint(repo, cache, engine.enabled_codes(settings.lint)),
        docs,
        settings.lint,
        project_path,
        runner.partial(repo),
    )
    found = sorted(found, key=Diagnostic.sort_key)
    if key is not None and cache is not None:
        cache.put("checked", key, [to_data(d) for d in found])
    return repo, found


def _kept_findings(stored: Any) -> list[Diagnostic] | None:
    """Findings as `load_checked` keeps them (plain data), or None."""
    if not isinstance(stored, list):
        return None
    try:
        return [from_data(d) for d in stored]
    except (KeyError, TypeError, ValueError):
        return None


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
    cache: Cache | None = None,
) -> list[Artifact]:
    """Run every back-end (those compiled spec by spec only on the specs whose artifacts
    `cache` does not hold, shared among workers when there are many), then the manifest
    of what they produced."""
    # heavy (icalendar, XlsxWriter, css-inline): imported by a build only
    from compiler.backends import manifest
    from compiler.backends.registry import BACKENDS, INPUTS, KINDS, PER_SPEC, STAGED
    from compiler.commands import incremental

    store = cache if cache is not None else Cache.off()
    keys = incremental.Keys(repo, context, store)
    artifacts: list[Artifact] = []
    for name, backend in BACKENDS.items():
        if name in PER_SPEC:
            run = functools.partial(incremental.per_spec, name, backend, repo, context, store, keys)
        elif name in KINDS:
            run = functools.partial(
                incremental.of_kinds, name, backend, KINDS[name], repo, context, store, keys
            )
        elif name in INPUTS:
            run = functools.partial(
                incremental.by_inputs, name, backend, INPUTS[name], repo, context, store, keys
            )
        elif name in STAGED:
            run = functools.partial(
                incremental.staged, name, STAGED[name], repo, context, store, keys
            )
        else:
            run = functools.partial(backend, repo, context)
        artifacts.extend(_run_backend(name, run, progress))
    paths = Counter(a.path for a in artifacts)
    twice = sorted(path for path, count in paths.items() if count > 1)
    if twice:  # the check's rules (REF001, REF007) keep ids apart: this is our bug
        raise InternalError(f"two artifacts at one output path: {', '.join(twice[:3])}")
    from compiler.backends import site  # a view of the others' artifacts: it runs last

    run = functools.partial(site.build, repo, context, artifacts, cache)
    artifacts.extend(_run_backend("site", run, progress))
    return [*artifacts, manifest.build(repo, artifacts, shown)]


def _run_backend(
    name: str, run: Callable[[], list[Artifact]], progress: Callable[[str], None] | None
) -> list[Artifact]:
    """A back-end's artifacts; its crash is our bug (InternalError naming it)."""
    if progress is not None:
        progress(name)
    try:
        return run()
    except InternalError:
        raise
    except Exception as err:  # a crashing back-end is our bug
        raise InternalError(f"back-end {name} failed: {err!r}") from err


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
    from compiler.backends.manifest import previous_revisions

    with writer.locked(folder):  # the outputs as a finished build left them
        repaired = writer.repair(folder)
        revisions = previous_revisions(folder)
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
        revisions=revisions,
        findings=tuple(
            replace(d, path=display_path(here / d.path, settings.root)) for d in checked.diagnostics
        ),
    )
    result.artifacts = compile_artifacts(
        repo, context, lambda p: display_path(p, settings.root), progress, cache
    )
    assert result.out is not None
    store = cache if cache is not None else Cache.off()
    where = store.key(b"outputs", os.fsencode(os.path.abspath(result.out)))
    record = writer.read_record(store.get("outputs", where))
    result.changes = writer.compare(result.out, result.artifacts, check_only, record)
    store.put("outputs", where, result.changes.record)  # it holds after the write too
    if check_only or not (result.changes or result.changes.refused):
        store.flush()
        return result
    # the cache's packs and the outputs are written at once: both are mostly system
    # calls, which let the other thread run (a one-change build: 0.18 s and 0.24 s);
    # a failed write still waits for the cache, a failed cache write is raised after
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1, thread_name_prefix="campc-cache") as background:
        flushed = background.submit(store.flush)
        try:
            result.repaired += writer.write(
                result.out, result.artifacts, result.changes.same, store.spare(result.out)
            )
        finally:
            flushed.result()
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
