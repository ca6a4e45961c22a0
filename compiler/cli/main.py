"""The `campc` command group and console script: each command is a module of its own."""

from __future__ import annotations

import os
import sys

import click

from compiler.cli import (
    build,
    check,
    diff,
    power,
    reference,
    route,
    scaffold,
    schema,
    score,
    simulate,
)


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


main.add_command(check.check)
main.add_command(build.build)
main.add_command(schema.schema)
main.add_command(route.route)
main.add_command(reference.rules)
main.add_command(reference.explain)
main.add_command(power.power)
main.add_command(score.score)
main.add_command(scaffold.new)
main.add_command(scaffold.init)
main.add_command(diff.diff)
main.add_command(simulate.simulate)
