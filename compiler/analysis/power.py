"""`campc power`: solve a test design for whichever of sample size, MDE or power is missing.

Beyond a fixed-horizon superiority test: a fixed list (`--population`, a send's
recipients split by the arms), CUPED (`--cuped-r`), a non-inferiority test of a margin
(`--margin`, one-sided), Holm or Sidak over the comparisons (`--correction`), and a
group-sequential design (`--looks`, `--spending`) whose boundaries and maximum sample
size come from `analysis.sequential`.

The methods' descriptions are messages (`text.labels`): English here and on the command
line, in the repository's locale on the test plans.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

from compiler.analysis import sequential
from compiler.analysis.stats import (
    Correction,
    Design,
    Method,
    achieved_power,
    corrected_alpha,
    minimum_effect,
    noninferiority_power,
    noninferiority_size,
    sample_sizes,
)
from compiler.text.labels import Labels, _, labels

CORRECTION_NAMES: dict[str, str] = {
    "bonferroni": "Bonferroni",
    "holm": "Holm (planned at its first step, alpha/m)",
    "sidak": "Sidak",
    "none": "none",
}

METHODS: dict[str, str] = {
    "pooled": _(
        "two-proportion z-test, pooled variance under the null and unpooled under the "
        "alternative (R's power.prop.test)"
    ),
    "unpooled": _("two-proportion z-test, unpooled variance"),
    "arcsine": _("arcsine transformation (Cohen's h)"),
    "continuous": _("two-sample z-test on means"),
}


def method_description(method: str, words: Labels | None = None) -> str:
    """What a sample-size method (a key of `METHODS`) is, in English or in `words`."""
    return (words or labels())(METHODS[method])


class PowerError(ValueError):
    """The inputs cannot describe a test (exit 2)."""


DEFAULT_POWER = 0.8
"""The power planned for when solving for the sample size or the MDE and --power is omitted."""


@dataclass(frozen=True)
class Request:
    """What the user gave: `mde` or `n` (or both, to solve for the power)."""

    baseline: float
    mde: float | None
    mde_type: str
    alpha: float
    power: float | None
    """None: DEFAULT_POWER when solving for n or the MDE, solved for when both are given."""
    sides: int
    arms: int
    method: Method
    n: int | None
    traffic: float | None
    share: float
    std_dev: float | None
    population: int | None = None
    """Units on a fixed list, split equally by the arms (a send's recipients)."""
    cuped_r: float | None = None
    margin: float | None = None
    """A non-inferiority margin, read as `mde_type` says (instead of an MDE)."""
    looks: int | None = None
    spending: sequential.Spending = "obf"
    correction: Correction = "bonferroni"
    spending_given: bool = False
    """Whether --spending was on the command line (it needs --looks)."""

    @property
    def variance_factor(self) -> float:
        return 1 - self.cuped_r**2 if self.cuped_r is not None else 1.0

    @property
    def units(self) -> int | None:
        """Units per arm given: --n, or the population's share."""
        if self.population is not None:
            return self.population // self.arms
        return self.n


def _design(request: Request, effect: float, power: float) -> Design:
    return Design(
        baseline=request.baseline,
        effect=effect,
        weights=tuple([1 / request.arms] * request.arms),
        alpha=request.alpha,
        power=power,
        sides=request.sides,
        method=request.method,
        std_dev=request.std_dev,
        correction=request.correction,
        variance_factor=request.variance_factor,
    )


def _effect(request: Request, mde: float) -> float:
    return request.baseline * mde if request.mde_type == "relative" else mde


def _percent_hint(flag: str, value: float) -> str:
    """`; for 5 % give --alpha 0.05` when a value in (1, 100) was probably a percentage."""
    return f"; for {value:g} % give {flag} {value / 100:g}" if 1 < value < 100 else ""


def _check(request: Request) -> None:
    """Refuse, in one line naming the option and what was probably meant, what no test fits."""
    given = {
        "--baseline": request.baseline,
        "--mde": request.mde,
        "--alpha": request.alpha,
        "--power": request.power,
        "--traffic": request.traffic,
        "--share": request.share,
        "--std-dev": request.std_dev,
    }
    for flag, value in given.items():
        if value is not None and not math.isfinite(value):
            raise PowerError(f"{flag} must be a finite number, not {value}")
    _check_options(request)
    if request.mde is None and request.units is None and request.margin is None:
        raise PowerError(
            "give --mde to solve for the sample size, --n (or --population) to solve for the "
            "MDE, or both to solve for the power (--power defaults to "
            f"{DEFAULT_POWER:g})"
        )
    if request.mde is not None and request.units is not None and request.power is not None:
        raise PowerError(
            "give at most two of --n (or --population), --mde and --power; the third is solved for"
        )
    if not 0 < request.alpha < 0.5:
        raise PowerError(
            f"--alpha {request.alpha:g} is not a significance level in (0, 0.5)"
            + (_percent_hint("--alpha", request.alpha) or "; 0.05 is the usual")
        )
    power = request.power
    if power is not None and not 0 < power < 1:
        meant = _percent_hint("--power", power) if power / 100 > request.alpha else ""
        raise PowerError(
            f"--power {power:g} is not a probability in (0, 1)"
            + (meant or f"; {DEFAULT_POWER:g} is the usual")
        )
    if power is not None and power <= request.alpha:
        raise PowerError(
            f"--power {power:g} must exceed --alpha {request.alpha:g}: with no effect at all "
            "a test already rejects at the rate alpha"
        )
    if request.arms < 2:
        raise PowerError(
            f"--arms {request.arms} is too few: a test needs a control and at least one treatment"
        )
    if request.n is not None and request.n < 2:
        raise PowerError(f"--n is units per arm and must be at least 2, not {request.n}")
    if request.traffic is not None and request.traffic <= 0:
        raise PowerError(
            f"--traffic is eligible units a day and must be positive, not {request.traffic:g}"
        )
    if not 0 < request.share <= 1:
        raise PowerError(
            f"--share {request.share:g} is not a share in (0, 1]"
            + _percent_hint("--share", request.share)
        )
    if request.std_dev is not None and request.std_dev <= 0:
        raise PowerError(f"--std-dev must be positive, not {request.std_dev:g}")
    proportion = request.std_dev is None
    if proportion and not 0 < request.baseline < 1:
        raise PowerError(
            f"--baseline {request.baseline:g} is not a rate strictly between 0 and 1"
            + _percent_hint("--baseline", request.baseline)
            + " (or give --std-dev for a mean)"
        )
    if request.mde is not None:
        _check_mde(request, request.mde, proportion)


def _check_options(request: Request) -> None:
    """The options beyond a fixed two-arm test, and which of them go together."""
    if request.population is not None:
        if request.n is not None:
            raise PowerError("give --n (units per arm) or --population (the whole list), not both")
        if request.traffic is not None:
            raise PowerError("--population is a fixed list, sent once: it has no --traffic per day")
        if request.population < 2 * request.arms:
            raise PowerError(
                f"--population {request.population} is too small for {request.arms} arms: "
                "each needs at least 2 units"
            )
    if request.cuped_r is not None and not (
        math.isfinite(request.cuped_r) and 0 <= request.cuped_r < 1
    ):
        raise PowerError(
            f"--cuped-r {request.cuped_r:g} is not a correlation in [0, 1): the correlation "
            "of the metric with its pre-period value"
        )
    if request.margin is not None:
        if request.mde is not None:
            raise PowerError(
                "give --mde (a superiority test) or --margin (a non-inferiority test), not both"
            )
        if not (math.isfinite(request.margin) and request.margin > 0):
            raise PowerError(f"--margin must be a positive degradation, not {request.margin:g}")
        if request.mde_type == "relative" and request.margin >= 1:
            raise PowerError(
                f"--margin {request.margin:g} is relative (the default), {request.margin:.0%} "
                f"worse; for {request.margin:g} % give --margin {request.margin / 100:g}"
                + (
                    ", or add --mde-type absolute"
                    if request.std_dev is not None
                    or request.margin < min(request.baseline, 1 - request.baseline)
                    else ""
                )
            )
        if request.looks is not None:
            raise PowerError(
                "--looks plans efficacy stops of a superiority test; a non-inferiority "
                "guardrail is read once, at the end"
            )
        if (
            request.std_dev is None
            and request.mde_type == "absolute"
            and request.margin >= min(request.baseline, 1 - request.baseline)
        ):
            raise PowerError(
                f"--margin {request.margin:g} absolute is a change of the rate past 0 or 1 "
                f"from --baseline {request.baseline:g}: give a margin below "
                f"{min(request.baseline, 1 - request.baseline):g}"
            )
    if request.looks is not None and not 1 <= request.looks <= sequential.MAX_LOOKS:
        raise PowerError(f"--looks is 1 to {sequential.MAX_LOOKS} analyses, not {request.looks}")
    if request.looks is not None and request.population is not None:
        raise PowerError(
            "--population is one send, read once: --looks is for a test on traffic over days"
        )
    if request.spending_given and request.looks is None:
        raise PowerError("--spending shapes the boundaries of --looks: give --looks K too")


def _check_mde(request: Request, mde: float, proportion: bool) -> None:
    if mde == 0:
        raise PowerError("--mde must not be zero: no test detects no change")
    mde_relative = request.mde_type == "relative"
    if mde_relative:
        if abs(mde) >= 1:
            meant = "a difference in the rate" if proportion else f"a difference of {mde:g}"
            raise PowerError(
                f"--mde {mde:g} is relative (the default), a change of {mde:+.0%}; for "
                f"{mde:+g} % give --mde {mde / 100:g}, or add --mde-type absolute for {meant}"
            )
        if request.baseline == 0:
            raise PowerError(
                "a relative --mde needs a non-zero --baseline; add --mde-type absolute"
            )
    baseline = request.baseline
    treated = baseline + _effect(request, mde)
    if proportion and not 0 < treated < 1:
        low, high = (-1, (1 - baseline) / baseline) if mde_relative else (-baseline, 1 - baseline)
        raise PowerError(
            f"--mde {mde:g} {request.mde_type} puts the treated rate at {treated:.6g}, outside "
            f"(0, 1); from --baseline {baseline:g} this --mde must lie strictly "
            f"between {low:.6g} and {high:.6g}"
        )


def solve(request: Request) -> dict[str, Any]:
    """Every input and every result, as plain data for text or JSON."""
    _check(request)
    units = request.units
    if request.margin is not None:
        solved = "n" if units is None else "power"
    elif units is None:
        solved = "n"
    elif request.mde is None:
        solved = "mde"
    else:
        solved = "power"
    power = request.power if request.power is not None or solved == "power" else DEFAULT_POWER
    try:
        if request.margin is not None:
            result = _noninferiority(request, solved, power)
        else:
            result = _superiority(request, solved, power)
    except (ValueError, ZeroDivisionError) as err:
        if isinstance(err, PowerError):
            raise
        raise PowerError(str(err)) from None
    total = result["total"]
    if request.traffic is not None:
        daily = request.traffic * request.share
        days = math.ceil(total / daily)
        result.update(days=days, weeks=math.ceil(days / 7), units_per_day=daily)
    inputs = {
        "baseline": request.baseline,
        "mde": request.mde,
        "mde_type": request.mde_type,
        "alpha": request.alpha,
        "power": None if solved == "power" else power,
        "sides": request.sides,
        "arms": request.arms,
        "method": request.method,
        "n": request.n,
        "traffic": request.traffic,
        "share": request.share,
        "std_dev": request.std_dev,
        "population": request.population,
        "cuped_r": request.cuped_r,
        "margin": request.margin,
        "looks": request.looks,
        "spending": request.spending if request.looks else None,
        "correction": request.correction,
    }
    return {"inputs": inputs, "results": result}


def _superiority(request: Request, solved: str, power: float | None) -> dict[str, Any]:
    """A superiority test: fixed, or group-sequential with --looks."""
    comparisons = request.arms - 1
    level = corrected_alpha(request.alpha, comparisons, request.correction)
    looks = (
        sequential.design(
            request.looks, level, power or DEFAULT_POWER, request.sides, request.spending
        )
        if request.looks and solved != "power"
        else None
    )
    if solved == "n":
        assert request.mde is not None
        assert power is not None
        effect = _effect(request, request.mde)
        fixed = sample_sizes(_design(request, effect, power))[0]
        per_arm = math.ceil(fixed * looks.inflation - 1e-9) if looks else fixed
    else:
        per_arm = request.units or 0
        if solved == "power":
            assert request.mde is not None
            effect = _effect(request, request.mde)
            power = achieved_power(_design(request, effect, 0.5), per_arm)
            if request.looks:
                looks = sequential.design(
                    request.looks, level, 0.5, request.sides, request.spending
                )
                # the fixed design's drift at this n, read at the sequential boundaries
                z = NormalDist()
                drift = z.inv_cdf(1 - level / request.sides) + z.inv_cdf(power)
                power = looks.power(drift)
        else:
            assert power is not None
            effect = minimum_effect(_design(request, 0.0, power), per_arm)
            if math.isinf(effect):
                given = (
                    f"--population {request.population} ({per_arm:,} per arm)"
                    if request.population is not None
                    else f"--n {per_arm}"
                )
                raise PowerError(
                    f"no effect is detectable with {given} at power {power:g}: raise "
                    f"{given.split()[0]} or lower --power"
                )
            if looks:  # the drift the boundaries need is sqrt(inflation) times the fixed one's
                effect *= math.sqrt(looks.inflation)
    total = per_arm * request.arms
    result: dict[str, Any] = {
        "solved_for": solved,
        "test": "superiority",
        "method": "continuous" if request.std_dev is not None else request.method,
        "method_description": METHODS[
            "continuous" if request.std_dev is not None else request.method
        ],
        "comparisons": comparisons,
        "correction": request.correction,
        "alpha_per_comparison": level,
        "per_arm": per_arm,
        "total": total,
        "power": power,
        "mde_absolute": effect,
        "mde_relative": effect / request.baseline if request.baseline else None,
        "treatment_value": request.baseline + effect,
    }
    if request.cuped_r is not None:
        result["variance_factor"] = request.variance_factor
        if solved == "n":
            assert request.mde is not None
            assert power is not None
            plain = Request(**{**request.__dict__, "cuped_r": None})
            without = sample_sizes(_design(plain, effect, power))[0]
            if looks:
                without = math.ceil(without * looks.inflation - 1e-9)
            result["per_arm_without_cuped"] = without
            result["units_saved"] = (without - per_arm) * request.arms
    if request.population is not None:
        result["population"] = request.population
    if looks:
        result.update(_looks(looks, per_arm, drift if solved == "power" else looks.drift))
    return result


def _looks(looks: sequential.Design, per_arm: int, drift: float) -> dict[str, Any]:
    """The sequential design's figures: one z boundary per look, each look's units, and
    the chance of having stopped by then if the effect is the MDE (`drift`)."""
    return {
        "looks": looks.looks,
        "spending": looks.spending,
        "spending_description": sequential.SPENDING_NAMES[looks.spending],
        "inflation": looks.inflation,
        "boundaries": list(looks.bounds),
        "schedule": [
            {
                "look": k + 1,
                "fraction": fraction,
                "per_arm": math.ceil(per_arm * fraction - 1e-9),
                "z": bound,
                "nominal_p": nominal,
                "cumulative_alpha": alpha,
                "cumulative_power": power,
            }
            for k, (fraction, bound, nominal, alpha, power) in enumerate(
                zip(
                    looks.fractions,
                    looks.bounds,
                    looks.nominal,
                    looks.cumulative_alpha,
                    looks.power_by_look(drift),
                    strict=True,
                )
            )
        ],
    }


def _noninferiority(request: Request, solved: str, power: float | None) -> dict[str, Any]:
    """A one-sided non-inferiority test of the margin, the truth unchanged."""
    assert request.margin is not None
    margin = _effect(request, request.margin)
    weights = tuple([1 / request.arms] * request.arms)
    if solved == "n":
        assert power is not None
        per_arm = noninferiority_size(
            request.baseline,
            margin,
            weights,
            request.alpha,
            power,
            request.std_dev,
            request.variance_factor,
        )[0]
    else:
        per_arm = request.units or 0
        power = noninferiority_power(
            request.baseline,
            margin,
            (per_arm, per_arm),
            request.alpha,
            request.std_dev,
            request.variance_factor,
        )
    result: dict[str, Any] = {
        "solved_for": solved,
        "test": "non-inferiority",
        "method": "continuous" if request.std_dev is not None else "unpooled",
        "method_description": "one-sided non-inferiority z-test of the margin, "
        + ("on means" if request.std_dev is not None else "the baseline's variance"),
        "comparisons": request.arms - 1,
        "correction": "none",
        "alpha_per_comparison": request.alpha,
        "per_arm": per_arm,
        "total": per_arm * request.arms,
        "power": power,
        "margin_absolute": margin,
        "margin_relative": margin / request.baseline if request.baseline else None,
    }
    if request.cuped_r is not None:
        result["variance_factor"] = request.variance_factor
    if request.population is not None:
        result["population"] = request.population
    return result


def text(document: dict[str, Any]) -> str:
    """The solved design for a terminal."""
    i, r = document["inputs"], document["results"]
    sides = "two-sided" if i["sides"] == 2 else "one-sided"
    lines = [f"method        {r['method_description']}"]
    lines.append(
        f"baseline      {i['baseline']:g}" + (f" (sd {i['std_dev']:g})" if i["std_dev"] else "")
    )
    if r["test"] == "non-inferiority":
        lines.append(
            f"margin        {r['margin_absolute']:.6g} absolute"
            + (f" ({r['margin_relative']:.2%} relative)" if r["margin_relative"] else "")
            + ": the treatment may be at most this much worse"
        )
        lines.append(f"alpha         {i['alpha']:g} one-sided (non-inferiority)")
    else:
        lines.append(
            f"mde           {r['mde_absolute']:.6g} absolute"
            + (f" ({r['mde_relative']:.2%} relative)" if r["mde_relative"] is not None else "")
            + f", treatment {r['treatment_value']:.6g}"
        )
        lines.append(
            f"alpha         {i['alpha']:g} {sides}"
            + (
                f", {CORRECTION_NAMES[r['correction']]} over {r['comparisons']} comparisons: "
                f"{r['alpha_per_comparison']:.4g} each"
                if r["comparisons"] > 1 and r["correction"] != "none"
                else ""
            )
        )
    lines.append(f"power         {r['power']:.4f}")
    if "variance_factor" in r:
        lines.append(
            f"cuped         r = {i['cuped_r']:g}: variance x {r['variance_factor']:.4g}"
            + (f", {r['units_saved']:,} units saved" if "units_saved" in r else "")
        )
    if "population" in r:
        lines.append(
            f"population    {r['population']:,} units, split equally: the power and MDE of "
            "one send to this list"
        )
    lines.append(f"arms          {i['arms']} (equal split)")
    lines.append(
        f"sample size   {r['per_arm']:,} per arm, {r['total']:,} in total"
        + (" at the last look" if "looks" in r else "")
    )
    if "looks" in r:
        lines.append(
            f"sequential    {r['looks']} looks, {r['spending_description']}; the maximum is "
            f"{r['inflation']:.4f} x the fixed design"
        )
        lines.append(
            "              boundaries on |z| (two-sided, alpha/2 per side)"
            if i["sides"] == 2
            else "              boundaries on z (one-sided)"
        )
        lines.append("              look  fraction    per arm       z  p (one side)  power so far")
        for look in r["schedule"]:
            cells = (
                f"{look['look']:>4}  {look['fraction']:>8.3f}  {look['per_arm']:>9,}  "
                f"{look['z']:>6.3f}  {look['nominal_p']:>12.6f}  {look['cumulative_power']:>12.4f}"
            )
            lines.append(" " * 14 + cells)
    if "days" in r:
        lines.append(
            f"duration      {r['days']} days at {r['units_per_day']:,.0f} units a day "
            f"({r['weeks']} whole week{'s' if r['weeks'] > 1 else ''})"
        )
    lines.append(f"solved for    {r['solved_for']}")
    return "\n".join(lines) + "\n"
