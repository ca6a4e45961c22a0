"""Group-sequential boundaries against outside oracles: the published tables of gsDesign
and rpact (Lan-DeMets spending) and of Jennison and Turnbull (2000), tables 2.1 and
2.2 (the classical Pocock and O'Brien-Fleming constants and the maximum sample
size's inflation), and scipy's multivariate normal integration (Genz) for the
probabilities every boundary must spend, whatever the looks."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy.stats import multivariate_normal

from compiler.analysis import sequential
from compiler.analysis.sequential import boundaries, design, spent

# gsDesign::gsDesign(k, test.type = 1, alpha = 0.025, sfu = sfLDOF)$upper$bound, and
# rpact::getDesignGroupSequential(kMax = k, alpha = 0.025, typeOfDesign = "asOF")
OBF_SPENDING = {
    3: [3.710, 2.511, 1.993],
    4: [4.333, 2.963, 2.359, 2.014],
    5: [4.877, 3.357, 2.680, 2.290, 2.031],
}
# Jennison and Turnbull, table 2.1: C_P(K, 0.05) and C_B(K, 0.05), two-sided
POCOCK_CONSTANT = {2: 2.178, 3: 2.289, 4: 2.361, 5: 2.413, 10: 2.555}
OBF_CONSTANT = {2: 1.977, 3: 2.004, 4: 2.024, 5: 2.040, 10: 2.087}
# table 2.2: R_P(K, 0.05, beta) and R_B(K, 0.05, beta)
POCOCK_INFLATION = {0.8: [1.110, 1.166, 1.202, 1.229], 0.9: [1.100, 1.151, 1.183, 1.207]}
OBF_INFLATION = {0.8: [1.008, 1.017, 1.024, 1.028], 0.9: [1.007, 1.016, 1.022, 1.026]}


@pytest.mark.parametrize("looks", sorted(OBF_SPENDING))
def test_obrien_fleming_spending_matches_gsdesign_and_rpact(looks: int) -> None:
    found = boundaries(looks, 0.025, sides=1, spending="obf")
    assert [round(b, 3) for b in found] == OBF_SPENDING[looks]


@pytest.mark.parametrize("looks", sorted(POCOCK_CONSTANT))
def test_classical_constants_match_jennison_and_turnbull(looks: int) -> None:
    pocock = boundaries(looks, 0.05, sides=2, spending="pocock-classical")
    assert len(set(pocock)) == 1
    assert round(pocock[0], 3) == POCOCK_CONSTANT[looks]
    obf = boundaries(looks, 0.05, sides=2, spending="obf-classical")
    assert round(obf[-1], 3) == OBF_CONSTANT[looks]
    for k, bound in enumerate(obf, start=1):  # c sqrt(K / k)
        assert bound == pytest.approx(obf[-1] * math.sqrt(looks / k), rel=1e-12)


@pytest.mark.parametrize("power", [0.8, 0.9])
@pytest.mark.parametrize("looks", [2, 3, 4, 5])
def test_inflation_matches_jennison_and_turnbull(power: float, looks: int) -> None:
    pocock = design(looks, 0.05, power, sides=2, spending="pocock-classical")
    obf = design(looks, 0.05, power, sides=2, spending="obf-classical")
    # the book prints three decimals computed from rounded constants: 1.5e-3 holds both
    assert pocock.inflation == pytest.approx(POCOCK_INFLATION[power][looks - 2], abs=1.5e-3)
    assert obf.inflation == pytest.approx(OBF_INFLATION[power][looks - 2], abs=1.5e-3)
    assert pocock.cumulative_power[-1] == pytest.approx(power, abs=1e-9)


def _no_crossing(bounds: list[float], fractions: list[float], sides: int) -> float:
    """P(|Z_k| < b_k, or Z_k < b_k one-sided, at every look), integrated by scipy."""
    # a look that cannot stop (its bound 40: nothing left to spend) is never crossed;
    # leaving it out keeps Genz's integration from wasting its points on it
    kept = [i for i, b in enumerate(bounds) if b < 39]
    if not kept:
        return 1.0
    t = np.array([fractions[i] for i in kept])
    bounds = [bounds[i] for i in kept]
    cov = np.sqrt(np.minimum.outer(t, t) / np.maximum.outer(t, t))
    upper = np.array(bounds)
    lower = -upper if sides == 2 else np.full(len(bounds), -np.inf)
    value = multivariate_normal.cdf(
        upper,
        mean=np.zeros(len(bounds)),
        cov=cov,
        lower_limit=lower,
        maxpts=400_000 * len(bounds),
        abseps=1e-8,
        releps=1e-8,
        rng=np.random.default_rng(7),
    )
    return float(value)


@example(5, 0.01, 1, "obf", [7, 8, 9, 1])  # a look that cannot stop, three close ones
@example(5, 0.1, 2, "pocock-classical", [7, 9, 10, 14])
@settings(max_examples=25, deadline=None)
@given(
    st.integers(1, 5),
    st.sampled_from([0.01, 0.025, 0.05, 0.1]),
    st.sampled_from([1, 2]),
    st.sampled_from(sequential.SPENDINGS),
    st.lists(st.integers(1, 19), min_size=4, max_size=4, unique=True),
)
def test_every_look_spends_what_the_design_says(
    looks: int, alpha: float, sides: int, spending: sequential.Spending, cuts: list[int]
) -> None:
    # looks on a grid of twentieths: uneven spacing, never closer than MIN_GAP
    fractions = [*sorted(c / 20 for c in cuts)[: looks - 1], 1.0]
    looks = len(fractions)
    bounds = boundaries(looks, alpha, sides, spending, fractions)
    for k in range(1, looks + 1):
        crossed = 1 - _no_crossing(bounds[:k], fractions[:k], sides)
        if spending in ("obf", "pocock"):
            wanted = sides * spent(spending, alpha / sides, fractions[k - 1])
            # scipy's quasi-Monte Carlo is good to a few 1e-6 at these points (it reaches
            # the grid's figures to 1e-8 with 10M); a boundary off by 0.003 in z would
            # move the spend by 1e-4
            assert crossed == pytest.approx(wanted, abs=1e-5)
    assert crossed == pytest.approx(alpha, abs=1e-5)  # the whole design's type I error


def test_the_design_reports_each_look() -> None:
    planned = design(5, 0.05, 0.8, sides=2, spending="obf")
    assert planned.fractions == (0.2, 0.4, 0.6, 0.8, 1.0)
    assert [round(z, 3) for z in planned.bounds] == OBF_SPENDING[5]  # alpha/2 per side
    assert planned.nominal[-1] == pytest.approx(1 - 0.9788749, abs=1e-5)  # P(Z >= 2.031)
    assert planned.cumulative_alpha[-1] == pytest.approx(0.05, abs=1e-7)
    assert list(planned.cumulative_power) == sorted(planned.cumulative_power)
    assert 1 < planned.inflation < 1.05


def test_bad_designs_are_refused() -> None:
    with pytest.raises(ValueError, match="1 to 20 looks"):
        boundaries(21, 0.05)
    with pytest.raises(ValueError, match="rise strictly"):
        boundaries(2, 0.05, fractions=[0.5, 0.5])
    with pytest.raises(ValueError, match="fraction 1"):
        boundaries(2, 0.05, fractions=[0.3, 0.9])
    with pytest.raises(ValueError, match=r"at least 0\.02 of the information apart"):
        boundaries(3, 0.05, fractions=[0.5, 0.51, 1.0])
    with pytest.raises(ValueError, match="between alpha and 1"):
        design(3, 0.05, 0.01)
