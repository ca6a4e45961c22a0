"""`campc power`: solve a test design for whichever of sample size, MDE or power is missing.

The methods' descriptions are messages (`text.labels`): English here and on the command
line, in the repository's locale on the test plans."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from compiler.analysis.stats import Design, Method, achieved_power, minimum_effect, sample_sizes
from compiler.text.labels import Labels, _, labels

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
    if request.mde is None and request.n is None:
        raise PowerError(
            "give --mde to solve for the sample size, --n to solve for the MDE, or both to "
            f"solve for the power (--power defaults to {DEFAULT_POWER:g})"
        )
    if request.mde is not None and request.n is not None and request.power is not None:
        raise PowerError("give at most two of --n, --mde and --power; the third is solved for")
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
    if request.n is None:
        solved = "n"
    elif request.mde is None:
        solved = "mde"
    else:
        solved = "power"
    power = request.power if request.power is not None or solved == "power" else DEFAULT_POWER
    try:
        if solved == "n":
            assert request.mde is not None
            assert power is not None
            effect = _effect(request, request.mde)
            per_arm = sample_sizes(_design(request, effect, power))[0]
        else:
            assert request.n is not None
            per_arm = request.n
            if solved == "power":
                assert request.mde is not None
                effect = _effect(request, request.mde)
                power = achieved_power(_design(request, effect, 0.5), per_arm)
            else:
                assert power is not None
                effect = minimum_effect(_design(request, 0.0, power), per_arm)
                if math.isinf(effect):
                    raise PowerError(
                        f"no effect is detectable with --n {per_arm} at power {power:g}: "
                        "raise --n or lower --power"
                    )
    except (ValueError, ZeroDivisionError) as err:
        if isinstance(err, PowerError):
            raise
        raise PowerError(str(err)) from None
    total = per_arm * request.arms
    result: dict[str, Any] = {
        "solved_for": solved,
        "method": "continuous" if request.std_dev is not None else request.method,
        "method_description": method_description(
            "continuous" if request.std_dev is not None else request.method
        ),
        "comparisons": request.arms - 1,
        "alpha_per_comparison": request.alpha / (request.arms - 1),
        "per_arm": per_arm,
        "total": total,
        "power": power,
        "mde_absolute": effect,
        "mde_relative": effect / request.baseline if request.baseline else None,
        "treatment_value": request.baseline + effect,
    }
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
    }
    return {"inputs": inputs, "results": result}


def text(document: dict[str, Any]) -> str:
    """The solved design for a terminal."""
    i, r = document["inputs"], document["results"]
    sides = "two-sided" if i["sides"] == 2 else "one-sided"
    lines = [
        f"method        {r['method_description']}",
        f"baseline      {i['baseline']:g}" + (f" (sd {i['std_dev']:g})" if i["std_dev"] else ""),
        f"mde           {r['mde_absolute']:.6g} absolute"
        + (f" ({r['mde_relative']:.2%} relative)" if r["mde_relative"] is not None else "")
        + f", treatment {r['treatment_value']:.6g}",
        f"alpha         {i['alpha']:g} {sides}"
        + (
            f", Bonferroni over {r['comparisons']} comparisons: "
            f"{r['alpha_per_comparison']:.4g} each"
            if r["comparisons"] > 1
            else ""
        ),
        f"power         {r['power']:.4f}",
        f"arms          {i['arms']} (equal split)",
        f"sample size   {r['per_arm']:,} per arm, {r['total']:,} in total",
    ]
    if "days" in r:
        lines.append(
            f"duration      {r['days']} days at {r['units_per_day']:,.0f} units a day "
            f"({r['weeks']} whole week{'s' if r['weeks'] > 1 else ''})"
        )
    lines.append(f"solved for    {r['solved_for']}")
    return "\n".join(lines) + "\n"
