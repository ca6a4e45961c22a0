"""Sample sizes for A/B and multi-arm tests, from the standard library's NormalDist.

Proportions use the two-proportion z-test. The default, `pooled`, is the formula of
R's `power.prop.test` (pooled variance under the null, unpooled under the
alternative) generalised to unequal arms; `unpooled` uses the unpooled variance
under both; `arcsine` uses Cohen's effect size h. Continuous metrics use the
two-sample z-test on means; a ratio metric (clicks per open) is a mean whose variance
comes from the delta method (`ratio_metric`). A declared CUPED correlation rho with the
pre-period metric multiplies every variance by 1 - rho^2 (`Design.variance_factor`).

With several comparisons (treatment arms, times primary metrics: the alpha family),
each is planned at a corrected level so planning never depends on observed p-values:
Bonferroni alpha/m; Holm's first step, alpha/m too (its later steps are more lenient,
so the power planned is a floor); Sidak 1 - (1 - alpha)^(1/m). `rejected` applies the
step-down rule at the readout. Guardrails are not in the family: each is a one-sided
non-inferiority test at alpha with its own sample size (`noninferiority_size`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist
from typing import Literal

Method = Literal["pooled", "unpooled", "arcsine"]
Correction = Literal["bonferroni", "holm", "sidak", "none"]
CORRECTIONS: tuple[Correction, ...] = ("bonferroni", "holm", "sidak", "none")
_Z = NormalDist()


@dataclass(frozen=True)
class Design:
    """What a test is planned for; weights are the arms' traffic shares, control first."""

    baseline: float
    """Control rate (proportion) or mean (continuous)."""
    effect: float
    """Absolute difference to detect (treatment minus control)."""
    weights: tuple[float, ...]
    alpha: float = 0.05
    power: float = 0.8
    sides: int = 2
    method: Method = "pooled"
    std_dev: float | None = None
    """Standard deviation of a continuous metric; None for a proportion."""
    correction: Correction = "bonferroni"
    family: int | None = None
    """Comparisons in the alpha family; None: the treatment arms."""
    variance_factor: float = 1.0
    """What variance reduction leaves of the variance: 1 - rho^2 with CUPED."""

    @property
    def comparisons(self) -> int:
        """The size of the alpha family."""
        return self.family if self.family is not None else len(self.weights) - 1


def corrected_alpha(alpha: float, comparisons: int, correction: Correction) -> float:
    """The level each comparison is planned at (the strictest step for Holm)."""
    if comparisons <= 1 or correction == "none":
        return alpha
    if correction == "sidak":
        return 1 - math.pow(1 - alpha, 1 / comparisons)
    return alpha / comparisons


def z_alpha(alpha: float, sides: int, comparisons: int, correction: Correction) -> float:
    """The critical value of one comparison, corrected for several."""
    return _Z.inv_cdf(1 - corrected_alpha(alpha, comparisons, correction) / sides)


def rejected(p_values: list[float], alpha: float, correction: Correction) -> list[bool]:
    """Which hypotheses the family's rule rejects: Bonferroni and Sidak each at the
    corrected level, Holm step-down (the smallest p-value against alpha/m, the next
    against alpha/(m-1), ..., stopping at the first that fails)."""
    m = len(p_values)
    if correction != "holm":
        level = corrected_alpha(alpha, m, correction)
        return [p <= level for p in p_values]
    order = sorted(range(m), key=lambda i: p_values[i])
    result = [False] * m
    for step, index in enumerate(order):
        if p_values[index] > alpha / (m - step):
            break
        result[index] = True
    return result


def ratio_metric(
    numerator_mean: float,
    numerator_sd: float,
    denominator_mean: float,
    denominator_sd: float,
    correlation: float,
) -> tuple[float, float]:
    """A ratio metric's value and per-unit standard deviation by the delta method:
    R = mu_x / mu_y, Var = (s_x^2 - 2 R rho s_x s_y + R^2 s_y^2) / mu_y^2 (the variance
    of one unit's contribution to the ratio of sums; divide by n for the estimate's)."""
    if denominator_mean <= 0:
        raise ValueError("a ratio metric's denominator must have a positive mean")
    if not -1 <= correlation <= 1:
        raise ValueError(f"a correlation lies in [-1, 1], not {correlation:g}")
    ratio = numerator_mean / denominator_mean
    variance = (
        numerator_sd**2
        - 2 * ratio * correlation * numerator_sd * denominator_sd
        + ratio**2 * denominator_sd**2
    ) / denominator_mean**2
    return ratio, math.sqrt(max(variance, 0.0))


def noninferiority_power(
    baseline: float,
    margin: float,
    units: tuple[float, float],
    alpha: float,
    std_dev: float | None = None,
    variance_factor: float = 1.0,
) -> float:
    """The power of the one-sided non-inferiority test of `noninferiority_size` with
    `units` in the control and the treatment, the truth unchanged."""
    variance = std_dev**2 if std_dev is not None else baseline * (1 - baseline)
    se = math.sqrt(variance * variance_factor * (1 / units[0] + 1 / units[1]))
    return _Z.cdf(margin / se - _Z.inv_cdf(1 - alpha))


def noninferiority_size(
    baseline: float,
    margin: float,
    weights: tuple[float, ...],
    alpha: float,
    power: float,
    std_dev: float | None = None,
    variance_factor: float = 1.0,
) -> tuple[int, ...]:
    """Units per arm for a one-sided non-inferiority test of every treatment against the
    control at `alpha`: H0 the treatment is worse by `margin` (absolute) or more, the
    truth assumed unchanged (spotify-confidence's guardrail); the variance of a
    proportion is the baseline's."""
    if margin <= 0:
        raise ValueError("a non-inferiority margin must be positive")
    if std_dev is None and not 0 < baseline < 1:
        raise ValueError(f"a rate must lie in (0, 1), not {baseline}")
    variance = std_dev**2 if std_dev is not None else baseline * (1 - baseline)
    z = _Z.inv_cdf(1 - alpha) + _Z.inv_cdf(power)
    control_weight, *treatments = weights
    total = max(
        z**2 * variance * variance_factor * (1 + control_weight / w) / margin**2 / control_weight
        for w in treatments
    )
    return tuple(math.ceil(total * w - 1e-9) for w in weights)


def control_size(design: Design, ratio: float, za: float) -> float:
    """Units needed in the control arm when the treatment arm gets `ratio` times as many."""
    return _control_size(design, ratio, za) * design.variance_factor


def _control_size(design: Design, ratio: float, za: float) -> float:
    zb = _Z.inv_cdf(design.power)
    delta = design.effect
    if delta == 0:
        raise ValueError("the effect to detect must not be zero")
    if design.std_dev is not None:
        return (za + zb) ** 2 * design.std_dev**2 * (1 + 1 / ratio) / delta**2
    p1 = design.baseline
    p2 = p1 + delta
    if not (0 < p1 < 1 and 0 < p2 < 1):
        raise ValueError(f"rates must stay inside (0, 1): baseline {p1}, treatment {p2}")
    q1, q2 = 1 - p1, 1 - p2
    if design.method == "arcsine":
        h = 2 * math.asin(math.sqrt(p2)) - 2 * math.asin(math.sqrt(p1))
        return (za + zb) ** 2 * (1 + 1 / ratio) / h**2
    alternative = math.sqrt(p1 * q1 + p2 * q2 / ratio)
    if design.method == "unpooled":
        return (za * alternative + zb * alternative) ** 2 / delta**2
    pooled = (p1 + ratio * p2) / (1 + ratio)
    null = math.sqrt(pooled * (1 - pooled) * (1 + 1 / ratio))
    return (za * null + zb * alternative) ** 2 / delta**2


def sample_sizes(design: Design) -> tuple[int, ...]:
    """Units per arm (control first), each rounded up, for the weakest comparison."""
    control_weight, *treatments = design.weights
    if not treatments:
        raise ValueError("a test needs a control and at least one treatment")
    za = z_alpha(design.alpha, design.sides, design.comparisons, design.correction)
    total = max(
        control_size(design, weight / control_weight, za) / control_weight for weight in treatments
    )
    return tuple(math.ceil(total * weight - 1e-9) for weight in design.weights)


def achieved_power(design: Design, units_per_control: float) -> float:
    """Power of the weakest comparison with `units_per_control` in the control arm."""
    control_weight, *treatments = design.weights
    za = z_alpha(design.alpha, design.sides, design.comparisons, design.correction)
    units_per_control /= design.variance_factor  # CUPED: as many units as this many more
    worst = 1.0
    for weight in treatments:
        ratio = weight / control_weight
        n1, n2 = units_per_control, units_per_control * ratio
        if design.std_dev is not None:
            se = design.std_dev * math.sqrt(1 / n1 + 1 / n2)
            z = abs(design.effect) / se - za
        else:
            p1 = design.baseline
            p2 = p1 + design.effect
            if design.method == "arcsine":
                h = abs(2 * math.asin(math.sqrt(p2)) - 2 * math.asin(math.sqrt(p1)))
                z = h / math.sqrt(1 / n1 + 1 / n2) - za
            else:
                alt = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
                if design.method == "unpooled":
                    z = (abs(design.effect) - za * alt) / alt
                else:
                    pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
                    null = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
                    z = (abs(design.effect) - za * null) / alt
        worst = min(worst, _Z.cdf(z))
    return worst


def minimum_effect(design: Design, units_per_control: float) -> float:
    """The smallest absolute effect reachable with `units_per_control` at the design's power
    (found by bisection on `achieved_power`, which grows with the effect)."""
    low = 0.0
    if design.std_dev is not None:
        high = design.std_dev * 100
    else:
        high = (1 - design.baseline) * (1 - 1e-9)
    target = design.power
    probe = Design(**{**design.__dict__, "effect": high})
    if achieved_power(probe, units_per_control) < target:
        return math.inf
    while high - low > 1e-12 * high:  # about 40 halvings: far finer than any report shows
        middle = (low + high) / 2
        probe = Design(**{**design.__dict__, "effect": middle})
        if middle == 0 or achieved_power(probe, units_per_control) < target:
            low = middle
        else:
            high = middle
    return high


def chi2_sf(x: float, degrees: int) -> float:
    """P(X > x) for a chi-square variable with `degrees` degrees of freedom (the SRM test's
    p-value), from the regularized lower incomplete gamma function's series."""
    if x <= 0:
        return 1.0
    shape, half = degrees / 2, x / 2
    term = total = 1 / shape
    n = 0
    while term > total * 1e-17:
        n += 1
        term *= half / (shape + n)
        total += term
    lower = math.exp(shape * math.log(half) - half - math.lgamma(shape)) * total
    return max(0.0, 1.0 - lower)


def chi2_critical(p_value: float, degrees: int) -> float:
    """The chi-square value whose upper-tail probability is `p_value` (bisection)."""
    low, high = 0.0, 1.0
    while chi2_sf(high, degrees) > p_value:
        high *= 2
    while high - low > 1e-12 * high:  # about 40 halvings: far finer than any report shows
        middle = (low + high) / 2
        if chi2_sf(middle, degrees) > p_value:
            low = middle
        else:
            high = middle
    return high
