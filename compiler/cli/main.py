"""Command line: arguments -> settings -> pipeline -> exit code; nothing else."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Callable
from datetime import date, datetime
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from compiler.errors import InternalError, SettingsError, UsageError

if TYPE_CHECKING:
    from rich.console import Console

    from compiler import cache
    from compiler.config import settings
    from compiler.diagnostics import Diagnostic
    from compiler.lint import fixes

F = TypeVar("F", bound=Callable[..., Any])

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2

CHECK_FORMATS = ("text", "concise", "json", "github", "sarif")
"""`campc check --format` choices (report.FORMATTERS' keys; a test keeps them equal).
Spelled out here so that `campc --help` needs no import beyond click."""


def _errors_exit(command: F) -> F:
    """Turn our expected failures into exit 2 with a one-line message, never a traceback."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (SettingsError, UsageError) as err:
            _echo(f"campc: error: {err}", err=True)
            sys.exit(EXIT_USAGE)
        except InternalError as err:
            _echo(f"campc: internal error: {err}", err=True)
            click.echo("  please report this with the spec that triggers it", err=True)
            sys.exit(EXIT_USAGE)
        except OSError as err:  # disk full, read-only or unwritable folders, a vanished file
            _echo(f"campc: error: {_os_error(err)}", err=True)
            sys.exit(EXIT_USAGE)
        except (click.exceptions.Exit, click.ClickException, SystemExit, KeyboardInterrupt):
            raise
        except Exception as err:  # a bug of ours: one line, never a traceback
            _echo(f"campc: internal error: {err!r}", err=True)
            click.echo("  please report this with the spec that triggers it", err=True)
            sys.exit(EXIT_USAGE)

    return wrapper  # type: ignore[return-value]


def _echo(text: str, err: bool = False) -> None:
    """Print a message line by line, each through `escape.log_lines`: a path, an id or a
    file's line in it can never start a GitHub workflow command or carry a control."""
    from compiler.text import escape

    click.echo(escape.log_lines(text), err=err)


def _os_error(err: OSError) -> str:
    """An operating-system failure in one line: what, and on which file."""
    what = err.strerror or str(err)
    where = err.filename if err.filename is not None else ""
    return f"{where}: {what}" if where else what


def _console() -> Console:
    """Standard output: rich on a terminal, plain and unwrapped when piped."""
    from rich.console import Console

    console = Console(highlight=False, markup=False, emoji=False)
    if not console.is_terminal:
        console = Console(highlight=False, markup=False, emoji=False, width=10_000)
    return console


def _known_rule(selector: str) -> bool:
    """Whether a selector names a rule (the registry imports every rule: only when a
    configuration or an option names one)."""
    from compiler.rules import selects

    return selects(selector)


def _settings(paths: tuple[Path, ...] = ()) -> settings.Settings:
    """The project's settings: the nearest `[tool.campc]` above the paths named (all in one
    project), or above the working directory when none is named."""
    from compiler.config import settings

    if not paths:
        return settings.load(Path(os.getcwd()), _known_rule)
    configs: set[Path | None] = set()
    for given in paths:
        path = Path(os.path.abspath(given))
        configs.add(settings.find_pyproject(path if path.is_dir() else path.parent))
    if len(configs) > 1:
        named = ", ".join(sorted(str(p.parent) if p else "(no project)" for p in configs))
        raise UsageError(f"the paths belong to different projects ({named}): check each apart")
    (config,) = configs
    return settings.load(config.parent if config is not None else Path(os.getcwd()), _known_rule)


S = TypeVar("S")


def _checked_spec(kind: type[S], ref: str, what: str, doing: str) -> S:
    """The spec of class `kind` named by id or path, once the repository checks without
    errors (exit 1 with the errors, or exit 2 when nothing has that name)."""
    from compiler.commands import pipeline
    from compiler.report import formats as report

    result = pipeline.check(_settings())
    if result.failed:
        report.FORMATTERS["text"](result.check_errors(), result.files, sys.stderr)
        _echo(f"campc: the specs have errors; fix them before {doing}", err=True)
        sys.exit(EXIT_FINDINGS)
    repo = result.repositories[0]
    for spec in repo.specs:
        if isinstance(spec.model, kind) and ref in (
            spec.doc.data["id"],
            spec.path,
            str(repo.root / spec.rel),
        ):
            return spec.model
    _echo(f"campc: error: no {what} `{ref}`", err=True)
    sys.exit(EXIT_USAGE)


def run() -> None:
    """The `campc` console script: `main`, then a fast exit.

    A check or build leaves a large object graph behind; tearing it down (and running
    the cyclic garbage collector over it on the way) is time a short-lived command
    does not need to spend. Output is flushed before the process ends.
    """
    import gc

    gc.set_threshold(100_000, 50, 100)  # few cycles are made; collect rarely
    code: int | str | None = 0
    try:
        main(standalone_mode=True)
    except SystemExit as done:
        code = done.code
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):
        pass
    if isinstance(code, str):
        print(code, file=sys.stderr)
        code = 1
    os._exit(code or 0)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="campaign-compiler", prog_name="campc")
def main() -> None:
    """campc: validate, lint and compile marketing-ops specs."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(list(CHECK_FORMATS)),
    default=None,
    help="How findings are printed [default: text, or github when GITHUB_ACTIONS=true].",
)
@click.option("--select", help="Comma-separated rules to run (replaces the configured set).")
@click.option("--ignore", help="Comma-separated rules not to run (added to the configured set).")
@click.option("--strict", is_flag=True, help="Warnings fail the check too.")
@click.option("--fix", "fix", is_flag=True, help="Apply safe fixes to the specs, then re-check.")
@click.option("--no-cache", is_flag=True, help="Neither read nor write .campc_cache/.")
@_errors_exit
def check(
    paths: tuple[Path, ...],
    output_format: str | None,
    select: str | None,
    ignore: str | None,
    strict: bool,
    fix: bool,
    no_cache: bool,
) -> None:
    """Load, validate and lint specs (default: the campaigns folder)."""
    from compiler import cache
    from compiler.diagnostics import Severity, to_data
    from compiler.load import inventory
    from compiler.report import formats as report

    current = _settings(paths)
    store = cache.for_project(current.root, current.config_file, enabled=not no_cache)
    _notice(store)
    # A whole result is reused when nothing it depends on changed: no model is loaded
    # and no rule runs. --fix rewrites files, so it always works from scratch.
    key, files_now = "", b""
    if store.active and not fix:
        key = store.key(
            b"check",
            os.getcwd().encode(),
            "\0".join(str(p) for p in paths).encode(),
            f"{select}\0{ignore}".encode(),
        )
        files_now = inventory.fingerprint(_check_roots(current, paths), cache.digest)
    hit = _cached_check(store.result(key, files_now)) if key else None
    if hit is not None:
        diagnostics, files = hit
    else:
        diagnostics, files = _check(current, paths, select, ignore, fix, store)
        if key:
            store.keep_result(key, files_now, [[to_data(d) for d in diagnostics], files])
    if output_format is None:
        output_format = "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    report.FORMATTERS[output_format](diagnostics, files, sys.stdout)
    failing = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
    failed = any(d.severity in failing for d in diagnostics)
    sys.exit(EXIT_FINDINGS if failed else EXIT_CLEAN)


def _notice(store: cache.Cache) -> None:
    """Say once why the cache is off, when there is something the user should know."""
    if store.notice:
        _echo(f"campc: note: {store.notice}", err=True)


def _check_roots(current: settings.Settings, paths: tuple[Path, ...]) -> list[Path]:
    """The folders a check loads: the campaigns folder, and each named path outside it
    (a folder, or a file's folder) as a repository of its own."""
    campaigns = os.path.abspath(current.campaigns)
    roots = [Path(campaigns)]
    for given in paths:
        path = os.path.abspath(given)
        if path == campaigns or path.startswith(campaigns + os.sep):
            continue
        roots.append(Path(path if os.path.isdir(path) else os.path.dirname(path)))
    return roots


def _cached_check(stored: Any) -> tuple[list[Diagnostic], int] | None:
    """A whole-check result as the cache keeps it (plain data), or None."""
    from compiler.diagnostics import from_data

    try:
        found, files = stored
        return [from_data(d) for d in found], int(files)
    except (KeyError, TypeError, ValueError):
        return None


def _check(
    current: settings.Settings,
    paths: tuple[Path, ...],
    select: str | None,
    ignore: str | None,
    fix: bool,
    store: cache.Cache,
) -> tuple[list[Diagnostic], int]:
    from compiler.commands import pipeline
    from compiler.config import settings
    from compiler.lint import fixes

    lint = current.lint.with_overrides(
        settings.check_selectors("--select", select, _known_rule) if select else None,
        settings.check_selectors("--ignore", ignore, _known_rule) if ignore else None,
    )
    result = pipeline.check(current, paths, lint_settings=lint, cache=store)
    if fix:
        checked = {
            spec.path: spec.digest
            for repo in result.repositories
            for spec in (*repo.specs, *repo.registries)
        }
        try:
            applied = fixes.apply(result.diagnostics, Path(os.getcwd()), checked, current.root)
        except fixes.Conflict as err:
            raise UsageError(str(err)) from None
        if applied:
            result = pipeline.check(current, paths, lint_settings=lint, cache=store)
        _report_fixes(applied, result.diagnostics)
    return result.diagnostics, result.files


@main.command()
@click.option(
    "--out", type=click.Path(path_type=Path), help="Outputs folder (default: configured)."
)
@click.option(
    "--check", "check_only", is_flag=True, help="Write nothing; exit 1 if outputs are stale."
)
@click.option("--no-cache", is_flag=True, help="Neither read nor write .campc_cache/.")
@_errors_exit
def build(out: Path | None, check_only: bool, no_cache: bool) -> None:
    """Check the specs, then compile every artifact into the outputs folder."""
    from compiler.commands import pipeline
    from compiler.report import formats as report

    current = _settings()
    store = pipeline.open_cache(current, enabled=not no_cache)
    _notice(store)
    progress = _progress()
    try:
        result = pipeline.build(
            current, out=out, check_only=check_only, progress=progress, cache=store
        )
    finally:
        if progress is not None:
            progress.stop()
    for done in result.repaired:
        _echo(f"campc: note: {done}", err=True)
    if result.check.failed:
        report.FORMATTERS["text"](result.check.diagnostics, result.check.files, sys.stdout)
        click.echo("campc: build stopped by errors; nothing was written", err=True)
        sys.exit(EXIT_FINDINGS)
    changes = result.changes
    assert changes is not None
    assert result.out is not None
    folder = pipeline.display_path(result.out, Path(os.getcwd()))
    if check_only:
        if not changes:
            _echo(f"{folder}/ is up to date ({len(result.artifacts)} files).")
            return
        for label, paths in (
            ("stale", changes.stale),
            ("missing", changes.missing),
            ("extra", changes.extra),
        ):
            for path in paths:
                refused = changes.refused.get(path)
                why = f" (FILE001: {refused}, never read)" if refused else ""
                _echo(f"{label}: {folder}/{path}{why}")
                if path in changes.diffs:
                    _echo(changes.diffs[path])
        _echo(f"{folder}/ is out of date: run `campc build` and commit it.", err=True)
        sys.exit(EXIT_FINDINGS)
    count = len(changes.stale) + len(changes.missing) + len(changes.extra)
    if count:
        _echo(f"Wrote {len(result.artifacts)} files to {folder}/ ({count} changed).")
    else:
        _echo(f"{folder}/ is up to date ({len(result.artifacts)} files).")


class _Progress:
    """A spinner naming the back-end at work, on a terminal outside CI only."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.status import Status

        self.status = Status("checking", console=Console(stderr=True))
        self.status.start()

    def __call__(self, name: str) -> None:
        self.status.update(f"compiling {name}")

    def stop(self) -> None:
        self.status.stop()


def _progress() -> _Progress | None:
    from rich.console import Console

    if os.environ.get("CI") or not Console(stderr=True).is_terminal:
        return None
    return _Progress()


def _report_fixes(applied: list[fixes.Applied], remaining: list[Diagnostic]) -> None:
    """After `--fix`: what was rewritten, and the moves that are left to run by hand."""
    for item in applied:
        d = item.diagnostic
        description = d.fix.description if d.fix else ""
        _echo(f"fixed {d.location()}: {d.code} {description}", err=True)
    _echo(f"Fixed {len(applied)} finding{'' if len(applied) == 1 else 's'}.", err=True)
    moves = sorted({d.hint for d in remaining if d.hint.startswith("git mv ")})
    if moves:
        click.echo("Files to move (not done automatically):", err=True)
        for move in moves:
            _echo(f"  {move}", err=True)


@main.command()
@click.option("--check", "check_only", is_flag=True, help="Write nothing; exit 1 on drift.")
@_errors_exit
def schema(check_only: bool) -> None:
    """(Re)write the JSON Schemas of every kind into the schemas folder."""
    from compiler import files
    from compiler.output import schemas

    current = _settings()
    try:
        found = schemas.sync(current.schemas, current.root, check_only)
    except files.NotRegular as err:
        raise UsageError(f"{err}: campc writes schemas only into a real folder") from None
    stale, extra = found.stale, found.extra
    for path, what in found.refused.items():
        _echo(f"FILE001: {path} is {what}: never read; `campc schema` replaces it")
    for path in stale:
        _echo(f"{'stale' if check_only else 'wrote'}: {path}")
    for path in extra:
        _echo(f"not generated by campc: {path}")
    if check_only and (stale or extra):
        click.echo("schemas are out of date: run `campc schema`", err=True)
        sys.exit(EXIT_FINDINGS)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="How decisions are printed.",
)
@_errors_exit
def route(files: tuple[Path, ...], output_format: str) -> None:
    """Show how routing decides each spec's sub-domain, with the evidence."""
    from compiler.commands import pipeline
    from compiler.report import formats as report

    decisions = pipeline.route(_settings(), files)
    report.ROUTE_FORMATTERS[output_format](decisions, sys.stdout)


@main.command()
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help="Table, Markdown reference (docs/rules.md) or JSON.",
)
def rules(output_format: str) -> None:
    """List every rule: code, name, severity and summary."""
    from rich.table import Table

    from compiler.report import formats as report
    from compiler.rules import RULES

    if output_format == "markdown":
        click.echo(report.rules_markdown(list(RULES.values())), nl=False)
        return
    if output_format == "json":
        click.echo(report.rules_json(list(RULES.values())), nl=False)
        return
    console = _console()
    if not console.is_terminal:
        for rule in RULES.values():
            _echo(f"{rule.code:<10} {rule.name:<22} {rule.severity.value:<8} {rule.summary}")
        return
    table = Table("code", "name", "severity", "summary", box=None, pad_edge=False)
    for rule in RULES.values():
        table.add_row(rule.code, rule.name, rule.severity.value, rule.summary)
    console.print(table)


@main.command()
@click.argument("code")
def explain(code: str) -> None:
    """Explain one rule (by code or name) with a bad and a good example."""
    from compiler.rules import lookup

    rule = lookup(code)
    if rule is None:
        _echo(f"campc: error: no rule `{code}` (see `campc rules`)", err=True)
        sys.exit(EXIT_USAGE)
    console = _console()
    console.print(f"{rule.code} ({rule.name}), default severity: {rule.severity.value}\n")
    if console.is_terminal:
        from rich.markdown import Markdown  # only worth its import time on a terminal

        console.print(Markdown(rule.doc))
    else:
        console.print(rule.doc)


@main.command()
@click.option(
    "--baseline", type=float, required=True, help="Control rate (or mean with --std-dev)."
)
@click.option(
    "--mde",
    type=float,
    help="Minimum detectable effect, read as --mde-type says: 0.10 is +10 % relative "
    "(omit to solve for it).",
)
@click.option(
    "--mde-type",
    type=click.Choice(["relative", "absolute"]),
    default="relative",
    show_default=True,
    help='Relative by default, because lifts are stated as "+10 %" (--mde 0.10), as in '
    "experiment specs; absolute is a difference in the rate (0.01 = one point) or the mean.",
)
@click.option("--alpha", type=float, default=0.05, show_default=True, help="Significance level.")
@click.option(
    "--power",
    "target_power",
    type=float,
    help="Target power [default: 0.8]; give --mde and --n without it to solve for it.",
)
@click.option("--sides", type=click.Choice(["1", "2"]), default="2", show_default=True)
@click.option("--arms", type=int, default=2, show_default=True, help="Arms, control included.")
@click.option(
    "--method",
    type=click.Choice(["pooled", "unpooled", "arcsine"]),
    default="pooled",
    show_default=True,
)
@click.option("--n", "per_arm", type=int, help="Units per arm (omit to solve for it).")
@click.option("--traffic", type=float, help="Eligible units per day, for the duration.")
@click.option("--share", type=float, default=1.0, show_default=True, help="Share enrolled.")
@click.option("--std-dev", type=float, help="Standard deviation, for a continuous metric.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
def power(
    baseline: float,
    mde: float | None,
    mde_type: str,
    alpha: float,
    target_power: float | None,
    sides: str,
    arms: int,
    method: str,
    per_arm: int | None,
    traffic: float | None,
    share: float,
    std_dev: float | None,
    output_format: str,
) -> None:
    """Sample size (give --mde), MDE (give --n) or power (give both) of an A/B or n-arm test."""
    from compiler.analysis import power as calculator

    request = calculator.Request(
        baseline=baseline,
        mde=mde,
        mde_type=mde_type,
        alpha=alpha,
        power=target_power,
        sides=int(sides),
        arms=arms,
        method=method,  # type: ignore[arg-type]
        n=per_arm,
        traffic=traffic,
        share=share,
        std_dev=std_dev,
    )
    try:
        document = calculator.solve(request)
    except calculator.PowerError as err:
        _echo(f"campc: error: {err}", err=True)
        sys.exit(EXIT_USAGE)
    if output_format == "json":
        click.echo(json.dumps(document, indent=2))
    else:
        click.echo(calculator.text(document), nl=False)


@main.command()
@click.argument("model_ref", metavar="MODEL")
@click.option(
    "--leads", type=click.Path(path_type=Path, exists=True, dir_okay=False), required=True
)
@click.option(
    "--events", type=click.Path(path_type=Path, exists=True, dir_okay=False), required=True
)
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), help="Scoring date [today].")
@click.option(
    "--engine", type=click.Choice(["duckdb", "python"]), default="duckdb", show_default=True
)
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help="CSV file [stdout].")
@_errors_exit
def score(
    model_ref: str,
    leads: Path,
    events: Path,
    as_of: datetime | None,
    engine: str,
    out: Path | None,
) -> None:
    """Score leads (CSV or Parquet) with a scoring model, given by id or spec path."""
    from compiler.commands import score as score_runner
    from compiler.model.scoring import ScoringModel

    model = _checked_spec(ScoringModel, model_ref, "scoring model", "scoring")
    day = as_of.date() if as_of is not None else date.today()
    try:
        if engine == "duckdb":
            # DuckDB formats and writes the CSV itself: a million leads in seconds
            with tempfile.TemporaryDirectory() as folder:
                written = Path(folder) / "scores.csv"
                score_runner.duckdb_csv(model, leads, events, day, written)
                text = written.read_text(encoding="utf-8")
        else:
            text = score_runner.to_csv(model, score_runner.with_python(model, leads, events, day))
    except score_runner.ScoreError as err:
        _echo(f"campc: error: {err}", err=True)
        sys.exit(EXIT_USAGE)
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")


@main.command()
@click.argument("kind", type=click.Choice(["campaign", "sequence", "scoring_model", "experiment"]))
@click.argument("spec_id", metavar="ID")
@click.option(
    "--domain", type=click.Choice(["campagnes", "acquisition", "automation", "performance"])
)
@click.option("--owner", default="@marketing-ops", show_default=True)
@_errors_exit
def new(kind: str, spec_id: str, domain: str | None, owner: str) -> None:
    """Write a spec skeleton with its schema modeline into the right domain folder."""
    from compiler.commands import pipeline, scaffold
    from compiler.config import settings

    if settings.find_pyproject(Path(os.getcwd())) is None:
        raise UsageError(
            "no campc project here (no pyproject.toml with [tool.campc] in this folder or "
            "above): run `campc init DIR` first, or cd into the project"
        )
    try:
        current = _settings()
        path = scaffold.new_spec(current.campaigns, kind, spec_id, domain, owner, current.root)
    except scaffold.ScaffoldError as err:
        _echo(f"campc: error: {err}", err=True)
        sys.exit(EXIT_USAGE)
    _echo(f"wrote {pipeline.display_path(path, Path(os.getcwd()))}")


@main.command()
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False))
@click.option("--owner", default="@marketing-ops", show_default=True)
@_errors_exit
def init(folder: Path, owner: str) -> None:
    """Start a campaigns repository: config, conventions and one spec of each kind."""
    from compiler.commands import scaffold

    try:
        written = scaffold.init(folder, owner)
    except scaffold.ScaffoldError as err:
        _echo(f"campc: error: {err}", err=True)
        sys.exit(EXIT_USAGE)
    for path in written:
        _echo(f"wrote {path}")
    _echo(f"next: cd {folder} && campc check && campc build")


@main.command()
@click.argument("base")
@click.argument("head", required=False)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["markdown", "json"]),
    default="markdown",
    show_default=True,
    help="Markdown for people (and job summaries), JSON for tools.",
)
@_errors_exit
def diff(base: str, head: str | None, output_format: str) -> None:
    """What a change means: specs, budget, calendar, sends, sequences, experiments,
    scoring and findings, from BASE to HEAD (a revision; default: the working tree).

    With GITHUB_STEP_SUMMARY set, the Markdown is also appended to the job summary.
    """
    from compiler.commands import diff as differ
    from compiler.commands import pipeline

    current = _settings()
    here = Path(os.getcwd())
    top = differ.toplevel(here)

    def load(root: Path, display: Callable[[Path], str]) -> Any:
        def project(shown: str) -> str:
            return pipeline.display_path(top / shown, current.root)

        return pipeline.load_checked(current, root, display, project)

    before, after = differ.sides(here, current.campaigns, base, head, load)
    change = differ.compare(before, after)
    text = differ.markdown(change)
    click.echo(differ.as_json(change) if output_format == "json" else text, nl=False)
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as handle:
            handle.write(text + "\n")


@main.command()
@click.argument("sequence_ref", metavar="SEQUENCE")
@click.option("--contacts", type=click.IntRange(1, 1_000_000), default=1000, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--start",
    help="When the contacts enter: YYYY-MM-DD (at 09:00) or YYYY-MM-DDTHH:MM [today 09:00].",
)
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
@_errors_exit
def simulate(
    sequence_ref: str, contacts: int, seed: int, start: str | None, output_format: str
) -> None:
    """Run synthetic contacts through a sequence (by id or spec path) in simulated time:
    timelines, the share on each path, sends per week against the cap, conversions."""
    from compiler.analysis import simulate as simulator
    from compiler.model.sequence import Sequence
    from compiler.text import escape

    sequence = _checked_spec(Sequence, sequence_ref, "sequence", "simulating")
    text = start or date.today().isoformat()
    try:
        entry = datetime.fromisoformat(text if "T" in text else f"{text}T09:00")
    except ValueError:
        _echo(f"campc: error: --start `{text}` is not YYYY-MM-DD[THH:MM]", err=True)
        sys.exit(EXIT_USAGE)
    outcome = simulator.run(sequence, contacts, seed, entry)
    if output_format == "json":
        click.echo(escape.json_document(outcome.as_data()), nl=False)
    else:
        click.echo(simulator.text(outcome), nl=False)
