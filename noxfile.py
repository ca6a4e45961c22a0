"""Developer and CI jobs; `nox -l` is the menu."""

from __future__ import annotations

import glob
import json
import os
import shutil
from pathlib import Path

import nox

PYPROJECT = nox.project.load_toml(Path(__file__).parent / "pyproject.toml")
PYTHONS = nox.project.python_versions(PYPROJECT)

nox.options.sessions = ["tests", "lint", "typecheck", "schemas", "campaigns", "precommit"]
nox.options.reuse_existing_virtualenvs = True

# The real clients the tests open artifacts with: ical.js (Thunderbird's calendar parser)
# under Node, LibreOffice Calc to recalculate the budget sheet, SpamAssassin and headless
# Chromium for the emails, PostgreSQL for the scoring SQL: Debian packages, their commands
# (a command with a slash is a path pattern: Debian keeps PostgreSQL's off the PATH).
CLIENTS = {
    "nodejs": ("node",),
    "npm": ("npm",),
    "libreoffice-calc-nogui": ("soffice", "libreoffice"),
    "spamassassin": ("spamassassin",),
    "chromium": ("chromium", "chromium-browser"),
    "postgresql": ("pg_ctl", "/usr/lib/postgresql/*/bin/pg_ctl"),
}
JS = Path(__file__).parent / "tests" / "js"
SKIP_CLIENTS = "CAMPC_SKIP_CLIENTS"
# Installs campc into pre-commit's own environments, twice: as long as the rest together.
PRE_COMMIT_TEST = (
    "tests/test_integrations.py::"
    "test_pre_commit_hooks_pass_a_clean_repository_and_stop_a_broken_one"
)


def _missing_packages() -> list[str]:
    return [name for name, commands in CLIENTS.items() if not any(map(_found, commands))]


def _found(command: str) -> bool:
    return bool(glob.glob(command)) if "/" in command else shutil.which(command) is not None


def _install_clients(session: nox.Session) -> None:
    """The Debian clients as .ci/run installs them (as root), then tests/js/node_modules."""
    if os.environ.get(SKIP_CLIENTS, "") not in ("", "0"):
        session.warn(f"{SKIP_CLIENTS} is set: the real-client tests skip (they fail under CI)")
        return
    missing = _missing_packages()
    if missing and (os.geteuid() != 0 or shutil.which("apt-get") is None):
        session.error(
            f"the real-client tests need {', '.join(missing)}: install them "
            f"(apt-get install {' '.join(missing)}) or set {SKIP_CLIENTS}=1 to skip those tests"
        )
    if missing:
        quiet = {"DEBIAN_FRONTEND": "noninteractive"}
        session.run("apt-get", "update", "-qq", external=True, env=quiet, silent=True)
        install = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing]
        session.run(*install, external=True, env=quiet, silent=True)
    if _node_modules_stale():
        npm = ["npm", "ci", "--prefix", str(JS), "--no-audit", "--no-fund", "--loglevel=error"]
        session.run(*npm, external=True)


def _node_modules_stale() -> bool:
    """True unless npm's record of node_modules lists the packages package-lock.json does."""
    try:
        wanted = json.loads((JS / "package-lock.json").read_text(encoding="utf-8"))["packages"]
        installed = json.loads((JS / "node_modules" / ".package-lock.json").read_text("utf-8"))
    except (OSError, ValueError, KeyError):
        return True
    return bool({k: v for k, v in wanted.items() if k} != installed.get("packages"))


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """Run the test suite, installing its real clients (pass pytest options after --)."""
    session.install("-e", ".[test,dbt]")
    _install_clients(session)
    session.run("pytest", "-q", "--deselect", PRE_COMMIT_TEST, *session.posargs)


@nox.session(python=PYTHONS[0])
def lint(session: nox.Session) -> None:
    """ruff lint and format check, and the import contracts (layers, no circles)."""
    session.install("ruff", "import-linter>=2.1", "-e", ".")
    session.run("ruff", "check", "compiler", "tests", "bench", "scripts", "noxfile.py")
    session.run("ruff", "format", "--check", "compiler", "tests", "bench", "scripts", "noxfile.py")
    session.run("lint-imports")


@nox.session(python=PYTHONS[0])
def typecheck(session: nox.Session) -> None:
    """mypy --strict on compiler/, tests/ and scripts/."""
    session.install(
        "-e",
        ".[test]",
        "mypy",
        "types-python-dateutil",
        "types-openpyxl",
        "types-jsonschema",
        "scipy-stubs",
    )
    session.run("mypy", "compiler", "tests", "scripts")


@nox.session(python=PYTHONS[0])
def schemas(session: nox.Session) -> None:
    """Fail if schemas/ drifted from the models."""
    session.install("-e", ".")
    session.run("campc", "schema", "--check")


@nox.session(python=PYTHONS[0])
def campaigns(session: nox.Session) -> None:
    """Check the example campaigns repository and that outputs/ is up to date."""
    session.install("-e", ".")
    session.run("campc", "check")
    session.run("campc", "build", "--check")


@nox.session(python=PYTHONS[0])
def precommit(session: nox.Session) -> None:
    """Run a campaigns repository's pre-commit hooks for real (slow: installs campc twice)."""
    session.install("-e", ".[test]")
    session.run("pytest", "-q", PRE_COMMIT_TEST, *session.posargs)


@nox.session(python=PYTHONS[0], default=False)
def spark(session: nox.Session) -> None:
    """Opt-in: run the generated Spark SQL under pyspark (local mode, needs Java 17)."""
    session.install("-e", ".[test]", "pyspark>=4")
    session.run("pytest", "-q", "tests/spark", *session.posargs, env={"CAMPC_SPARK": "1"})


@nox.session(python=PYTHONS[0], default=False)
def bench(session: nox.Session) -> None:
    """Benchmark campc against the YAML floor and its peers (pass options after --)."""
    session.install("-e", ".", "check-jsonschema", "yamllint")
    session.run("python", "bench/run.py", *session.posargs)
