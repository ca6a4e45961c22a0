"""Where things are: `[tool.campc]` in pyproject.toml, then command-line overrides."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from compiler.diagnostics import Severity


class SettingsError(Exception):
    """The configuration itself is wrong (exit 2)."""


DEFAULTS = {"campaigns": "campaigns", "outputs": "outputs", "schemas": "schemas"}
"""Every `[tool.campc]` option with its default, relative to the project root."""


LINT_OPTIONS = {
    "select": "rules to run: codes, families (ROUTE), names or ALL",
    "ignore": "rules not to run",
    "extend-select": "rules to run on top of `select`",
    "per-file-ignores": "glob (relative to pyproject.toml) -> rules not to run on those files",
    "severity": "rule -> error, warning or info",
}
"""Every `[tool.campc.lint]` option."""


@dataclass(frozen=True)
class LintSettings:
    """Which rules run where, and how severe their findings are."""

    select: tuple[str, ...] = ("ALL",)
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    severity: tuple[tuple[str, Severity], ...] = ()

    def with_overrides(
        self, select: tuple[str, ...] | None, ignore: tuple[str, ...] | None
    ) -> LintSettings:
        """Command-line `--select` replaces the configured selection (and its ignores);
        `--ignore` adds to whatever is selected."""
        return LintSettings(
            select=select if select else self.select,
            ignore=(*(() if select else self.ignore), *(ignore or ())),
            extend_select=() if select else self.extend_select,
            per_file_ignores=self.per_file_ignores,
            severity=self.severity,
        )


CALENDAR_OPTIONS = {"uid-domain": "domain part of calendar event UIDs"}
"""Every `[tool.campc.calendar]` option."""


@dataclass(frozen=True)
class Settings:
    """Resolved paths of one project, and its lint configuration."""

    root: Path
    campaigns: Path
    outputs: Path
    schemas: Path
    config_file: Path | None = field(default=None)
    lint: LintSettings = field(default_factory=LintSettings)
    uid_domain: str = "campc.invalid"


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml with a `[tool.campc]` table, from `start` upwards."""
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file() and "campc" in _tool_table(candidate):
            return candidate
    return None


def _tool_table(path: Path) -> dict[str, object]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise SettingsError(f"{path}: cannot read: {err}") from None
    tool = data.get("tool", {})
    return tool if isinstance(tool, dict) else {}


def load(cwd: Path) -> Settings:
    """Settings for a run started in `cwd`."""
    pyproject = find_pyproject(cwd)
    if pyproject is None:
        return Settings(
            root=cwd,
            campaigns=cwd / DEFAULTS["campaigns"],
            outputs=cwd / DEFAULTS["outputs"],
            schemas=cwd / DEFAULTS["schemas"],
        )
    table = _tool_table(pyproject)["campc"]
    if not isinstance(table, dict):
        raise SettingsError(f"{pyproject}: [tool.campc] must be a table")
    values = dict(DEFAULTS)
    lint = LintSettings()
    uid_domain = "campc.invalid"
    for key, value in table.items():
        if key == "lint":
            lint = _lint(pyproject, value)
            continue
        if key == "calendar":
            uid_domain = _calendar(pyproject, value)
            continue
        if key not in DEFAULTS:
            known = ", ".join([*sorted(DEFAULTS), "calendar", "lint"])
            raise SettingsError(f"{pyproject}: unknown option `tool.campc.{key}` (known: {known})")
        if not isinstance(value, str) or not value:
            raise SettingsError(f"{pyproject}: `tool.campc.{key}` must be a path")
        values[key] = value
    root = pyproject.parent
    return Settings(
        root=root,
        campaigns=root / values["campaigns"],
        outputs=root / values["outputs"],
        schemas=root / values["schemas"],
        config_file=pyproject,
        lint=lint,
        uid_domain=uid_domain,
    )


def _calendar(pyproject: Path, table: object) -> str:
    prefix = "tool.campc.calendar"
    if not isinstance(table, dict):
        raise SettingsError(f"{pyproject}: [{prefix}] must be a table")
    for key in table:
        if key not in CALENDAR_OPTIONS:
            raise SettingsError(f"{pyproject}: unknown option `{prefix}.{key}`")
    domain = table.get("uid-domain", "campc.invalid")
    if not isinstance(domain, str) or not domain or any(c in domain for c in "@/ \t\n"):
        raise SettingsError(f"{pyproject}: `{prefix}.uid-domain` must be a domain name")
    return domain


def check_selectors(where: str, values: Any) -> tuple[str, ...]:
    """A list of rule selectors, each a known code, family, name or ALL."""
    from compiler.rules import selects

    if isinstance(values, str):
        values = [part.strip() for part in values.split(",") if part.strip()]
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise SettingsError(f"`{where}` must be a list of rule codes")
    for value in values:
        if not selects(value):
            raise SettingsError(f"`{where}`: unknown rule `{value}` (see `campc rules`)")
    return tuple(values)


def _lint(pyproject: Path, table: object) -> LintSettings:
    prefix = "tool.campc.lint"
    if not isinstance(table, dict):
        raise SettingsError(f"{pyproject}: [{prefix}] must be a table")
    for key in table:
        if key not in LINT_OPTIONS:
            known = ", ".join(LINT_OPTIONS)
            raise SettingsError(f"{pyproject}: unknown option `{prefix}.{key}` (known: {known})")
    try:
        per_file = table.get("per-file-ignores", {})
        if not isinstance(per_file, dict):
            raise SettingsError(f"`{prefix}.per-file-ignores` must be a table of glob = [codes]")
        severities = table.get("severity", {})
        if not isinstance(severities, dict):
            raise SettingsError(f"`{prefix}.severity` must be a table of code = level")
        levels = {s.value: s for s in Severity}
        severity = []
        for code, level in severities.items():
            check_selectors(f"{prefix}.severity", [code])
            if level not in levels:
                raise SettingsError(
                    f"`{prefix}.severity.{code}`: `{level}` is not one of {', '.join(levels)}"
                )
            severity.append((code, levels[level]))
        return LintSettings(
            select=check_selectors(f"{prefix}.select", table.get("select", ["ALL"])),
            ignore=check_selectors(f"{prefix}.ignore", table.get("ignore", [])),
            extend_select=check_selectors(
                f"{prefix}.extend-select", table.get("extend-select", [])
            ),
            per_file_ignores=tuple(
                (glob, check_selectors(f'{prefix}.per-file-ignores."{glob}"', codes))
                for glob, codes in per_file.items()
            ),
            severity=tuple(severity),
        )
    except SettingsError as err:
        raise SettingsError(f"{pyproject}: {err}") from None
