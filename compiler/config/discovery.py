"""Where a project is: the nearest `[tool.campc]` in a pyproject.toml, and its folders.

`locate` reads only the folders, with neither pydantic nor the rules (`config.settings`
validates the rest): a cached check needs no more, since its cache entries are keyed by
the settings file's bytes and only ever written by a run that validated them."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from compiler import files
from compiler.errors import SettingsError

Known = Callable[[str], bool]
"""Whether a rule selector (a code, family, name or ALL) names a rule: the registry's
`selects`, handed in by the caller (the settings sit below the rules)."""

DEFAULTS = {"campaigns": "campaigns", "outputs": "outputs", "schemas": "schemas"}
"""Every `[tool.campc]` option with its default, relative to the project root."""


@dataclass(frozen=True)
class Project:
    """Where a project is: its root, its folders and its settings file, found without
    validating the policies (what a cached check needs, without pydantic)."""

    root: Path
    campaigns: Path
    outputs: Path
    schemas: Path
    config_file: Path | None = field(default=None)
    table: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """`[tool.campc]` as read, validated by `config.settings.validate`."""


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml with a `[tool.campc]` table, from `start` upwards."""
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if os.path.lexists(candidate) and "campc" in _tool_table(candidate):
            return candidate
    return None


def _tool_table(path: Path) -> dict[str, object]:
    try:
        text = files.read_bytes(path, path.parent, limit=files.SOURCE_LIMIT).decode("utf-8")
        data = tomllib.loads(text)
    except files.NotRegular as err:
        raise SettingsError(f"{path} is {err.what}: campc reads only a regular file") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise SettingsError(f"{path}: cannot read: {err}") from None
    tool = data.get("tool", {})
    return tool if isinstance(tool, dict) else {}


def _check_inside(what: str, folder: Path, root: Path) -> None:
    """SettingsError unless `folder` is the project root or a folder below it reached
    without a link (campc reads nothing outside the project)."""
    here = Path(os.path.normpath(os.path.abspath(folder)))
    if here == Path(os.path.normpath(os.path.abspath(root))):
        return
    try:
        files.check_folder(folder, root)
    except files.NotRegular as err:
        if err.what == "outside the project":
            raise SettingsError(f"{what} = {folder} is outside the project ({root})") from None
        raise SettingsError(
            f"{what}: {err.path} is {err.what}; campc reads only real folders inside the project"
        ) from None


def locate(cwd: Path) -> Project:
    """The project a run started in `cwd` belongs to: the nearest `[tool.campc]` above it
    (or `cwd` with the defaults), its folders checked to be real folders inside it."""
    pyproject = find_pyproject(cwd)
    root = cwd if pyproject is None else pyproject.parent
    values, table = dict(DEFAULTS), dict[str, Any]()
    if pyproject is not None:
        found = _tool_table(pyproject)["campc"]
        if not isinstance(found, dict):
            raise SettingsError(f"{pyproject}: [tool.campc] must be a table")
        table = found
        for key in DEFAULTS:
            value = table.get(key, DEFAULTS[key])
            if not isinstance(value, str) or not value:
                raise SettingsError(f"{pyproject}: `tool.campc.{key}` must be a path")
            values[key] = value
    for key in ("campaigns", "schemas"):
        what = (
            f"the default {key} folder" if pyproject is None else f"{pyproject}: `tool.campc.{key}`"
        )
        _check_inside(what, root / values[key], root)
    return Project(
        root=root,
        campaigns=root / values["campaigns"],
        outputs=root / values["outputs"],
        schemas=root / values["schemas"],
        config_file=pyproject,
        table=table,
    )
