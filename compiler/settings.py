"""Where things are: `[tool.campc]` in pyproject.toml, then command-line overrides."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path


class SettingsError(Exception):
    """The configuration itself is wrong (exit 2)."""


DEFAULTS = {"campaigns": "campaigns", "outputs": "outputs", "schemas": "schemas"}
"""Every `[tool.campc]` option with its default, relative to the project root."""


@dataclass(frozen=True)
class Settings:
    """Resolved paths of one project."""

    root: Path
    campaigns: Path
    outputs: Path
    schemas: Path
    config_file: Path | None = field(default=None)


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
    for key, value in table.items():
        if key == "lint":
            continue  # read by the lint configuration
        if key not in DEFAULTS:
            known = ", ".join(sorted(DEFAULTS))
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
    )
