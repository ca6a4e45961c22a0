"""Developer and CI jobs; `nox -l` is the menu."""

from __future__ import annotations

from pathlib import Path

import nox

PYPROJECT = nox.project.load_toml(Path(__file__).parent / "pyproject.toml")
PYTHONS = nox.project.python_versions(PYPROJECT)

nox.options.sessions = ["tests", "lint", "typecheck", "schemas", "campaigns"]
nox.options.reuse_existing_virtualenvs = True


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """Run the test suite (pass pytest options after --)."""
    session.install("-e", ".[test]")
    session.run("pytest", "-q", *session.posargs)


@nox.session(python=PYTHONS[0])
def lint(session: nox.Session) -> None:
    """ruff lint and format check."""
    session.install("ruff")
    session.run("ruff", "check", "compiler", "tests", "noxfile.py")
    session.run("ruff", "format", "--check", "compiler", "tests", "noxfile.py")


@nox.session(python=PYTHONS[0])
def typecheck(session: nox.Session) -> None:
    """mypy --strict on compiler/."""
    session.install("-e", ".", "mypy", "types-python-dateutil")
    session.run("mypy", "compiler")


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
