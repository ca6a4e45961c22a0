"""`campc power`: solve a test design for whichever of sample size, MDE or power is missing."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from compiler.stats import Design, Method, achieved_power, minimum_effect, sample_sizes

METHODS: dict[str, str] = {
    "pooled": "two-proportion z-test, pooled variance under the null and unpooled under the "
    "alternative (R's power.prop.test)",
    "unpooled": "two-proportion z-test, unpooled variance",
    "arcsine": "arcsine transformation (Cohen's h)",
    "continuous": "two-sample z-test on means",
}


class PowerError(ValueError):
    """The inputs cannot describe a test (exit 2)."""


@dataclass(frozen=True)
class Request:
    """What the user gave; exactly one of `n`, `mde` and `power` is None."""

    baseline: float
    mde: float | None
    mde_type: str
    alpha: float
    power: float | None
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


def solve(request: Request) -> dict[str, Any]:
    """Every input and every result, as plain data for text or JSON."""
    missing = [name for name in ("n", "mde", "power") if getattr(request, name) is None]
    if len(missing) != 1:
        raise PowerError("give exactly two of --n, --mde and --power; the third is solved for")
    if not 0 < request.alpha < 0.5:
        raise PowerError("--alpha must be in (0, 0.5)")
    if request.arms < 2:
        raise PowerError("--arms must be at least 2 (a control and a treatment)")
    if request.std_dev is None and not 0 < request.baseline < 1:
        raise PowerError("--baseline is a rate in (0, 1) (or give --std-dev for a mean)")
    if not 0 < request.share <= 1:
        raise PowerError("--share must be in (0, 1]")
    solved = missing[0]
    power = request.power
    if power is not None and not 0 < power < 1:
        raise PowerError("--power must be in (0, 1)")
    try:
        if solved == "n":
            assert request.mde is not None
            assert power is not None
            effect = _effect(request, request.mde)
            per_arm = sample_sizes(_design(request, effect, power))[0]
        else:
            per_arm = request.n or 0
            if per_arm < 2:
                raise PowerError("--n (units per arm) must be at least 2")
            if solved == "power":
                assert request.mde is not None
                effect = _effect(request, request.mde)
                power = achieved_power(_design(request, effect, 0.5), per_arm)
            else:
                assert power is not None
                effect = minimum_effect(_design(request, 0.0, power), per_arm)
                if math.isinf(effect):
                    raise PowerError("no effect is detectable with this --n and --power")
    except (ValueError, ZeroDivisionError) as err:
        if isinstance(err, PowerError):
            raise
        raise PowerError(str(err)) from None
    total = per_arm * request.arms
    result: dict[str, Any] = {
        "solved_for": solved,
        "method": "continuous" if request.std_dev is not None else request.method,
        "method_description": METHODS["continuous" if request.std_dev else request.method],
        "comparisons": request.arms - 1,
        "alpha_per_comparison": request.alpha / (request.arms - 1),
        "per_arm": per_arm,
        "total": total,
        "power": power,
        "mde_absolute": effect,
        "mde_relative": effect / request.baseline if request.baseline else None,
        "treatment_value": request.baseline + effect,
    }
    if request.traffic:
        daily = request.traffic * request.share
        days = math.ceil(total / daily)
        result.update(days=days, weeks=math.ceil(days / 7), units_per_day=daily)
    inputs = {
        "baseline": request.baseline,
        "mde": request.mde,
        "mde_type": request.mde_type,
        "alpha": request.alpha,
        "power": request.power,
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
