"""`campc power`."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

import click

from compiler.cli.common import EXIT_USAGE, echo

if TYPE_CHECKING:
    pass


@click.command()
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
@click.option(
    "--population",
    type=int,
    help="A fixed list sent once (a send's recipients), split equally by the arms: "
    "solves the power (with --mde) or the MDE it can detect.",
)
@click.option(
    "--cuped-r",
    type=float,
    help="CUPED: the metric's correlation with its pre-period value; the variance is "
    "multiplied by 1 - r^2.",
)
@click.option(
    "--margin",
    type=float,
    help="Plan a one-sided non-inferiority test of this margin (read as --mde-type says) "
    "instead of a superiority test: a guardrail.",
)
@click.option(
    "--looks",
    type=int,
    help="Analyses of a group-sequential design (equally spaced, the last at the end).",
)
@click.option(
    "--spending",
    type=click.Choice(["obf", "pocock", "obf-classical", "pocock-classical"]),
    help="With --looks: Lan-DeMets O'Brien-Fleming or Pocock spending, or the classical "
    "constants [default: obf].",
)
@click.option(
    "--correction",
    type=click.Choice(["bonferroni", "holm", "sidak", "none"]),
    default="bonferroni",
    show_default=True,
    help="Across the comparisons of several treatment arms.",
)
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
    population: int | None,
    cuped_r: float | None,
    margin: float | None,
    looks: int | None,
    spending: str | None,
    correction: str,
    output_format: str,
) -> None:
    """Sample size (give --mde), MDE (give --n or --population) or power (give both) of an
    A/B or n-arm test; fixed or group-sequential (--looks), superiority or
    non-inferiority (--margin)."""
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
        population=population,
        cuped_r=cuped_r,
        margin=margin,
        looks=looks,
        spending=spending or "obf",  # type: ignore[arg-type]
        spending_given=spending is not None,
        correction=correction,  # type: ignore[arg-type]
    )
    try:
        document = calculator.solve(request)
    except calculator.PowerError as err:
        echo(f"campc: error: {err}", err=True)
        sys.exit(EXIT_USAGE)
    if output_format == "json":
        click.echo(json.dumps(document, indent=2))
    else:
        click.echo(calculator.text(document), nl=False)
