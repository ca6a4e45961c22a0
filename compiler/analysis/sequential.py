"""Group-sequential designs: efficacy boundaries for `looks` interim analyses, and the
maximum sample size's inflation over the fixed design.

The test statistic at look k is the z-score of the data so far, Z_k, at information
fraction t_k (the share of the maximum sample analysed). Boundaries come from
spending functions (Lan and DeMets 1983) or are the classical constants:

- `obf`: Lan-DeMets O'Brien-Fleming-like spending, alpha(t) = 2 - 2 Phi(z_{1-alpha/2} /
  sqrt(t)); `pocock`: Lan-DeMets Pocock-like, alpha(t) = alpha log(1 + (e - 1) t);
- `obf-classical`: b_k = c / sqrt(t_k); `pocock-classical`: b_k = c; c such that the
  whole design's type I error is alpha (O'Brien and Fleming 1979, Pocock 1977).

Convention: alpha is the one-sided level per side. A one-sided test stops for efficacy
when Z_k >= b_k; a two-sided test of level alpha is symmetric, |Z_k| >= b_k, alpha/2
spent on each side (gsDesign's `test.type = 2`, rpact's `sided = 2`). There are no
futility boundaries: they would make the design's error rates depend on a rule the
analyst may not follow (non-binding futility is planned elsewhere, not here).

Probabilities of the sequential process are computed by the numerical integration of
Armitage, McPherson and Rowe (1969) on the grid of Jennison and Turnbull (2000, chapter
19): at each look the density of Z_k on the continuation region is carried on a grid of
6r - 1 points (r = 18, as gsDesign) refined with Simpson's rule. It is deterministic
and exact to about 1e-6 in the boundaries, which is all any table prints.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Literal

from compiler.text.labels import _

Spending = Literal["obf", "pocock", "obf-classical", "pocock-classical"]
SPENDINGS: tuple[Spending, ...] = ("obf", "pocock", "obf-classical", "pocock-classical")
MAX_LOOKS = 20
"""More looks than any marketing test reads, and a bound on the work (a spec is untrusted)."""
MIN_GAP = 0.02
"""The least information between two looks (20 equally spaced looks are 0.05 apart)."""

_Z = NormalDist()
_R = 18
_SQRT2 = math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)

SPENDING_NAMES: dict[str, str] = {
    "obf": _("Lan-DeMets O'Brien-Fleming spending"),
    "pocock": _("Lan-DeMets Pocock spending"),
    "obf-classical": _("O'Brien-Fleming constants"),
    "pocock-classical": _("Pocock constants"),
}
"""The boundaries' families in words (messages: the test plans say them in the locale)."""


def _upper(x: float) -> float:
    """P(Z >= x) for a standard normal Z, accurate far in the tail."""
    return 0.5 * math.erfc(x / _SQRT2)


def _pdf(x: float) -> float:
    return _INV_SQRT_2PI * math.exp(-0.5 * x * x)


def spent(spending: Spending, alpha: float, t: float) -> float:
    """The type I error a spending function has used by information fraction `t`."""
    if t <= 0:
        return 0.0
    if t >= 1:
        return alpha
    if spending == "obf":
        return 2.0 * _upper(_Z.inv_cdf(1 - alpha / 2) / math.sqrt(t))
    if spending == "pocock":
        return alpha * math.log(1 + (math.e - 1) * t)
    raise ValueError(f"`{spending}` is not a spending function")


def _grid(mean: float, low: float, high: float) -> tuple[list[float], list[float]]:
    """Jennison and Turnbull's points for a normal of mean `mean` and variance 1, kept
    inside [low, high], with Simpson's weights over them and their midpoints."""
    r = _R
    points = [mean - 3 - 4 * math.log(r / i) for i in range(1, r)]
    points += [mean - 3 + 3 * i / (2 * r) for i in range(4 * r + 1)]
    points += [mean + 3 + 4 * math.log(r / i) for i in range(r - 1, 0, -1)]
    if points[0] < low:
        points = [low, *(x for x in points if x > low)]
    if points[-1] > high:
        points = [*(x for x in points if x < high), high]
    if len(points) == 1:
        return points, [1.0]
    z: list[float] = []
    w: list[float] = []
    for i in range(len(points) - 1):
        a, b = points[i], points[i + 1]
        width = b - a
        if i == 0:
            z.append(a)
            w.append(width / 6)
        else:
            w[-1] += width / 6
        z += [(a + b) / 2, b]
        w += [4 * width / 6, width / 6]
    return z, w


@dataclass(frozen=True)
class _Look:
    """The sub-density of Z_k on the continuation region, on a grid (for the next look)."""

    z: list[float]
    weighted: list[float]
    """weight x density at each point."""


class _Process:
    """The sequential process of Z_1 ... Z_K under a drift: Z_k has mean drift * sqrt(t_k)."""

    def __init__(self, fractions: Sequence[float], drift: float) -> None:
        self.t = list(fractions)
        self.drift = drift
        self.previous: _Look | None = None
        self.k = 0

    def crossing(self, high: float, low: float) -> tuple[float, float]:
        """P(the process continues to this look and then Z_k >= high), and the same for
        Z_k <= low."""
        k = self.k
        if self.previous is None:
            mean = self.drift * math.sqrt(self.t[0])
            return _upper(high - mean), _upper(mean - low) if low > -math.inf else 0.0
        root, root_before = math.sqrt(self.t[k]), math.sqrt(self.t[k - 1])
        step = math.sqrt(self.t[k] - self.t[k - 1])
        shift = self.drift * (self.t[k] - self.t[k - 1])
        up = down = 0.0
        erfc, top, bottom = math.erfc, high * root, low * root
        # `_upper` written out (the same operations, so the same floats): this loop and
        # the next are most of a design's time, and a call per point costs as much
        for u, mass in zip(self.previous.z, self.previous.weighted, strict=True):
            centre = u * root_before + shift
            up += mass * (0.5 * erfc(((top - centre) / step) / _SQRT2))
            if low > -math.inf:
                down += mass * (0.5 * erfc(((centre - bottom) / step) / _SQRT2))
        return up, down

    def advance(self, high: float, low: float) -> None:
        """Condition on continuing at this look (low < Z_k < high) and move to the next."""
        k = self.k
        root = math.sqrt(self.t[k])
        mean = self.drift * root
        z, w = _grid(mean, max(low, mean - 40), min(high, mean + 40))
        if self.previous is None:
            weighted = [wi * _pdf(zi - mean) for zi, wi in zip(z, w, strict=True)]
        else:
            root_before = math.sqrt(self.t[k - 1])
            step = math.sqrt(self.t[k] - self.t[k - 1])
            shift = self.drift * (self.t[k] - self.t[k - 1])
            scale = root / step
            # each previous point's `u * root_before` once, not once per new point
            before = [
                (u * root_before, m)
                for u, m in zip(self.previous.z, self.previous.weighted, strict=True)
            ]
            weighted = []
            exp = math.exp
            for zi, wi in zip(z, w, strict=True):
                at = zi * root - shift
                # `_pdf` written out, as above (a list sums faster than a generator)
                density = sum(
                    [
                        m * (_INV_SQRT_2PI * exp(-0.5 * (x := (at - v) / step) * x))
                        for v, m in before
                    ]
                )
                weighted.append(wi * scale * density)
        self.previous = _Look(z, weighted)
        self.k += 1


def _fractions(looks: int, fractions: Sequence[float] | None) -> list[float]:
    if not 1 <= looks <= MAX_LOOKS:
        raise ValueError(f"a design has 1 to {MAX_LOOKS} looks, not {looks}")
    if fractions is None:
        return [(k + 1) / looks for k in range(looks)]
    chosen = list(fractions)
    if len(chosen) != looks or any(
        b - a <= 0 for a, b in zip([0.0, *chosen], chosen, strict=False)
    ):
        raise ValueError("information fractions must rise strictly from above 0")
    if not math.isclose(chosen[-1], 1.0):
        raise ValueError("the last look is at information fraction 1")
    if any(b - a < MIN_GAP for a, b in zip([0.0, *chosen], chosen, strict=False)):
        raise ValueError(
            f"looks must be at least {MIN_GAP:g} of the information apart (closer ones "
            "add nothing a reader can use, and their probabilities are not integrable "
            "on the grid)"
        )
    return chosen


def _solve(target: float, low: float, high: float, value: Callable[[float], float]) -> float:
    """x in [low, high] with value(x) == target, value decreasing in x (bisection)."""
    for _step in range(200):
        middle = (low + high) / 2
        if value(middle) > target:
            low = middle
        else:
            high = middle
        if high - low < 1e-10:
            break
    return (low + high) / 2


def _by_look(fractions: list[float], bounds: list[float], sides: int, drift: float) -> list[float]:
    """P(the process first crosses an efficacy boundary at each look) under `drift`."""
    process = _Process(fractions, drift)
    stops = []
    for k, bound in enumerate(bounds):
        low = -bound if sides == 2 else -math.inf
        up, down = process.crossing(bound, low)
        stops.append(up + down)
        if k + 1 < len(bounds):
            process.advance(bound, low)
    return stops


def _crossed(fractions: list[float], bounds: list[float], sides: int, drift: float) -> float:
    """P(the process crosses an efficacy boundary at some look) under `drift`."""
    return sum(_by_look(fractions, bounds, sides, drift))


def _root(f: Callable[[float], float], low: float, high: float) -> float:
    """x in [low, high] with f(x) == 0, f increasing, f(low) < 0 < f(high): regula falsi
    with the Illinois step (a few evaluations where bisection needs thirty)."""
    f_low, f_high = f(low), f(high)
    side = 0
    for _step in range(100):
        x = high - f_high * (high - low) / (f_high - f_low)
        fx = f(x)
        if abs(fx) < 1e-12 or high - low < 1e-12:
            return x
        if fx > 0:
            high, f_high = x, fx
            if side == -1:
                f_low /= 2
            side = -1
        else:
            low, f_low = x, fx
            if side == 1:
                f_high /= 2
            side = 1
    return x


def boundaries(
    looks: int,
    alpha: float,
    sides: int = 1,
    spending: Spending = "obf",
    fractions: Sequence[float] | None = None,
) -> list[float]:
    """The efficacy z boundary of each look (`alpha` one-sided per side, see the module's
    convention); equally spaced looks unless `fractions` says where they are."""
    if not 0 < alpha < 0.5:
        raise ValueError(f"alpha {alpha:g} is not in (0, 0.5)")
    if sides not in (1, 2):
        raise ValueError("a test has one or two sides")
    t = _fractions(looks, fractions)
    per_side = alpha / sides
    if spending in ("obf-classical", "pocock-classical"):
        shape = [1 / math.sqrt(x) if spending == "obf-classical" else 1.0 for x in t]

        def total(c: float) -> float:
            return _crossed(t, [c * s for s in shape], sides, 0.0) / sides

        c = _root(lambda c: per_side - total(c), 0.5, 40.0)
        return [c * s for s in shape]
    bounds: list[float] = []
    process = _Process(t, 0.0)
    used = 0.0
    for x in t:
        increment = spent(spending, per_side, x) - used
        used += increment

        def crossing(b: float, process: _Process = process) -> float:
            return process.crossing(b, -b if sides == 2 else -math.inf)[0]

        # nothing left to spend (or less than the grid resolves): the look cannot stop
        bound = 40.0 if increment <= 1e-15 else _solve(increment, -10.0, 40.0, crossing)
        bounds.append(bound)
        process.advance(bound, -bound if sides == 2 else -math.inf)
    return bounds


@dataclass(frozen=True)
class Design:
    """A group-sequential design: its boundaries and what it costs over a fixed one."""

    looks: int
    spending: Spending
    fractions: tuple[float, ...]
    bounds: tuple[float, ...]
    """Efficacy z per look."""
    nominal: tuple[float, ...]
    """The nominal p-value of each boundary (one side's, P(Z >= b))."""
    cumulative_alpha: tuple[float, ...]
    """Type I error spent by each look (all sides)."""
    inflation: float
    """Maximum sample size over the fixed design's, for the same power."""
    cumulative_power: tuple[float, ...]
    """The chance of stopping for efficacy by each look when the effect is the MDE."""
    drift: float
    """The MDE over its standard error at the maximum sample size (the fixed design's is
    z_{1-alpha/sides} + z_{power})."""
    sides: int

    def power(self, drift: float) -> float:
        """The chance of stopping for efficacy at some look when the true effect is `drift`
        standard errors of the maximum sample's estimate."""
        return _crossed(list(self.fractions), list(self.bounds), self.sides, drift)

    def power_by_look(self, drift: float) -> tuple[float, ...]:
        """The chance of having stopped for efficacy by each look under `drift`."""
        stops = _by_look(list(self.fractions), list(self.bounds), self.sides, drift)
        return tuple(itertools.accumulate(stops))


@functools.lru_cache(maxsize=256)
def design(
    looks: int,
    alpha: float,
    power: float,
    sides: int = 1,
    spending: Spending = "obf",
    fractions: tuple[float, ...] | None = None,
) -> Design:
    """The boundaries, and the inflation of the maximum sample size that keeps `power`."""
    if not alpha < power < 1:
        raise ValueError("power must lie between alpha and 1")
    t = _fractions(looks, fractions)
    bounds = boundaries(looks, alpha, sides, spending, t)
    fixed = _Z.inv_cdf(1 - alpha / sides) + _Z.inv_cdf(power)
    drift = _root(lambda d: _crossed(t, bounds, sides, d) - power, fixed, fixed * 3)
    cumulative_alpha = list(itertools.accumulate(_by_look(t, bounds, sides, 0.0)))
    cumulative_power = list(itertools.accumulate(_by_look(t, bounds, sides, drift)))
    return Design(
        looks=looks,
        spending=spending,
        fractions=tuple(t),
        bounds=tuple(bounds),
        nominal=tuple(_upper(b) for b in bounds),
        cumulative_alpha=tuple(cumulative_alpha),
        inflation=(drift / fixed) ** 2,
        cumulative_power=tuple(cumulative_power),
        drift=drift,
        sides=sides,
    )
