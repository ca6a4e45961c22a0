"""Shared fixtures: the real CLI run in-process, and the golden-file switch."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import pytest
from click.testing import CliRunner

from compiler.cli.main import main
from compiler.model.sequence import Sequence
from tests.chromium import DevTools

ROOT = Path(__file__).resolve().parent.parent
UPDATE_GOLDENS = os.environ.get("CAMPC_UPDATE_GOLDENS") == "1"

# The Spark check needs pyspark and a JVM: it runs only in `nox -s spark`, which sets this.
collect_ignore_glob = [] if os.environ.get("CAMPC_SPARK") == "1" else ["spark/*"]
"""Set CAMPC_UPDATE_GOLDENS=1 to rewrite expected outputs instead of comparing."""


@pytest.fixture(autouse=True)
def _private_cache_secret(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each test signs cache entries with a secret of its own, so no test reads another's
    entries (the cache stays on: every CLI test exercises writing it)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))
    monkeypatch.delenv("CAMPC_NO_CACHE", raising=False)


@dataclass
class Run:
    """The outcome of one CLI invocation."""

    exit_code: int
    stdout: str
    stderr: str


CliRun = Callable[..., Run]


@pytest.fixture
def campc(monkeypatch: pytest.MonkeyPatch) -> CliRun:
    """Run `campc ARGS...` in-process from a working directory; never raises."""

    def run(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> Run:
        monkeypatch.chdir(cwd)
        if cwd == ROOT:  # never leave a cache signed with a test's secret in the checkout
            env = {"CAMPC_NO_CACHE": "1", **(env or {})}
        runner = CliRunner()
        result = runner.invoke(main, list(args), env=env, catch_exceptions=False)
        return Run(result.exit_code, result.stdout, result.stderr)

    return run


def assert_golden(path: Path, actual: str) -> None:
    """Compare with a committed expected file (or rewrite it under CAMPC_UPDATE_GOLDENS=1)."""
    if UPDATE_GOLDENS:
        path.write_text(actual, encoding="utf-8")
        return
    assert path.is_file(), f"{path} is missing: run with CAMPC_UPDATE_GOLDENS=1 to create it"
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, (
        f"output differs from {path.relative_to(ROOT)}; if the change is intended, "
        "rerun with CAMPC_UPDATE_GOLDENS=1 and review the diff"
    )


def client_missing(message: str) -> NoReturn:
    """Stop a real-client test whose client is missing: a failure under CI (where `CI` is
    set, as CI services do), a skip elsewhere (`nox -s tests` installs the clients)."""
    if os.environ.get("CI"):
        pytest.fail(f"{message} (required under CI)", pytrace=False)
    pytest.skip(message)


def real_client(*commands: str, install: str) -> str:
    """The path of the first of `commands` found, else `client_missing` saying `install`."""
    for command in commands:
        if (found := shutil.which(command)) is not None:
            return found
    client_missing(f"{commands[0]} is not installed: {install}")


@pytest.fixture(scope="module")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevTools]:
    """One headless Chromium with a fresh profile for the module's pages."""
    command = real_client("chromium", "chromium-browser", install="apt-get install chromium")
    browser = DevTools(command, tmp_path_factory.mktemp("chromium-profile"))
    yield browser
    browser.close()


def count_forks(monkeypatch: pytest.MonkeyPatch, module: Any) -> list[int]:
    """Workers from one item on (`CAMPC_JOBS=2`, `module.PARALLEL_FROM = 1`); the list
    grows by one for each pool `module` starts through `workers.forked`."""
    from compiler import workers

    monkeypatch.setenv("CAMPC_JOBS", "2")
    monkeypatch.setattr(module, "PARALLEL_FROM", 1)
    pools: list[int] = []
    real = workers.forked

    def counting(*args: Any) -> Any:
        pools.append(1)
        return real(*args)

    monkeypatch.setattr(module, "forked", counting)
    return pools


def git(cwd: Path, *args: str) -> str:
    """Run git with a fixed identity (for tests that script a repository)."""
    done = subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def example_in_locale(root: Path, locale: str) -> Path:
    """A copy of the example repository at `root` whose `[tool.campc] locale` is
    `locale` (the campaigns folder and pyproject.toml); returns `root`."""
    shutil.copytree(ROOT / "campaigns", root / "campaigns")
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    text = text.replace("[tool.campc]\n", f'[tool.campc]\nlocale = "{locale}"\n', 1)
    (root / "pyproject.toml").write_text(text, encoding="utf-8")
    return root


def build_in_locale(root: Path, locale: str, env: dict[str, str] | None = None) -> Path:
    """`campc build` of the example in `locale` at `root` (a process of its own, with
    `env` added to the environment); returns its outputs folder."""
    subprocess.run(
        [sys.executable, "-m", "compiler", "build"],
        cwd=example_in_locale(root, locale),
        env={**os.environ, **(env or {})},
        check=True,
        capture_output=True,
    )
    return root / "outputs"


def sequence_of(steps: list[dict[str, Any]], **fields: Any) -> Sequence:
    """A minimal valid sequence (`drip`, entered on `signed_up`) with these steps."""
    return Sequence.model_validate(
        {
            "kind": "sequence",
            "id": "drip",
            "name": "Drip",
            "domain": "automation",
            "owner": "ops@acme.example",
            "trigger": {"event": "signed_up"},
            "steps": steps,
            **fields,
        }
    )


SEND: dict[str, Any] = {"template": "a.html", "subject": "Hi"}
"""The email of a test send step."""


_MODULES_AFTER = """
import json, sys
from compiler.cli.main import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)))
"""


def modules_after(*args: str, cwd: Path = ROOT) -> list[str]:
    """Every module a fresh process has imported once `campc ARGS` ran in `cwd`."""
    import json
    import sys

    run = subprocess.run(
        [sys.executable, "-c", _MODULES_AFTER, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=True,
    )
    found = json.loads(run.stdout.strip().splitlines()[-1])
    assert isinstance(found, list)
    return [str(m) for m in found]
