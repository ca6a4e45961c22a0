"""The planning features beyond a fixed two-arm test, each against an outside oracle:
Holm, Sidak and Bonferroni against `statsmodels.stats.multitest`; CUPED, non-inferiority
and fixed populations against statsmodels' `NormalIndPower`; the delta method's
variance of a ratio metric against a simulation with a fixed seed."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import NormalIndPower

from compiler.analysis.stats import (
    Design,
    achieved_power,
    corrected_alpha,
    noninferiority_size,
    ratio_metric,
    rejected,
    sample_sizes,
)

_p_values = st.lists(st.floats(0, 1, allow_nan=False), min_size=1, max_size=8)


@settings(max_examples=300)
@given(
    _p_values, st.sampled_from([0.01, 0.05, 0.1]), st.sampled_from(["holm", "sidak", "bonferroni"])
)
def test_corrections_reject_what_statsmodels_rejects(
    p_values: list[float], alpha: float, correction: str
) -> None:
    oracle = multipletests(p_values, alpha=alpha, method=correction)[0]
    assert rejected(p_values, alpha, correction) == [bool(r) for r in oracle]  # type: ignore[arg-type]


def test_sidak_is_less_strict_than_bonferroni_and_holm_plans_like_it() -> None:
    assert corrected_alpha(0.05, 3, "sidak") == pytest.approx(1 - 0.95 ** (1 / 3))
    assert corrected_alpha(0.05, 3, "sidak") > corrected_alpha(0.05, 3, "bonferroni")
    assert corrected_alpha(0.05, 3, "holm") == corrected_alpha(0.05, 3, "bonferroni")
    assert corrected_alpha(0.05, 3, "none") == 0.05
    assert corrected_alpha(0.05, 1, "sidak") == 0.05


@pytest.mark.parametrize("rho", [0.0, 0.3, 0.5, 0.8])
def test_cuped_plans_on_the_reduced_variance(rho: float) -> None:
    sd, delta = 40.0, 3.0
    plain = Design(100.0, delta, (0.5, 0.5), std_dev=sd)
    reduced = Design(100.0, delta, (0.5, 0.5), std_dev=sd, variance_factor=1 - rho**2)
    oracle = NormalIndPower().solve_power(
        effect_size=delta / (sd * math.sqrt(1 - rho**2)), alpha=0.05, power=0.8, ratio=1.0
    )
    assert sample_sizes(reduced)[0] == math.ceil(oracle - 1e-9)
    assert sample_sizes(reduced)[0] <= sample_sizes(plain)[0]
    power = achieved_power(reduced, 2_000)
    effect = delta / (sd * math.sqrt(1 - rho**2))
    oracle_power = NormalIndPower().power(effect, 2_000, 0.025, ratio=1.0, alternative="larger")
    assert power == pytest.approx(oracle_power, abs=1e-9)


@pytest.mark.parametrize(
    ("baseline", "margin", "weights", "sd"),
    [(0.2, 0.01, (0.5, 0.5), None), (0.03, 0.003, (0.6, 0.4), None), (50.0, 2.0, (0.5, 0.5), 30.0)],
)
def test_noninferiority_matches_a_one_sided_test_of_the_margin(
    baseline: float, margin: float, weights: tuple[float, float], sd: float | None
) -> None:
    sigma = sd if sd is not None else math.sqrt(baseline * (1 - baseline))
    ratio = weights[1] / weights[0]
    oracle = NormalIndPower().solve_power(
        effect_size=margin / sigma, alpha=0.05, power=0.8, ratio=ratio, alternative="larger"
    )
    per_arm = noninferiority_size(baseline, margin, weights, 0.05, 0.8, sd)
    total = oracle / weights[0]
    assert per_arm == tuple(math.ceil(total * w - 1e-9) for w in weights)


@pytest.mark.parametrize("n", [500, 5_000, 31_000])
def test_the_power_of_a_fixed_list(n: int) -> None:
    design = Design(0.2, 0.02, (0.5, 0.5), std_dev=math.sqrt(0.2 * 0.8))
    # the power to detect the effect in its direction: the upper tail at alpha / 2
    oracle = NormalIndPower().power(
        0.02 / math.sqrt(0.16), n * 0.5, 0.025, ratio=1.0, alternative="larger"
    )
    assert achieved_power(design, n * 0.5) == pytest.approx(oracle, abs=1e-9)


@pytest.mark.parametrize(
    ("num", "den", "correlation"),
    [
        ((3.0, 2.0), (10.0, 4.0), 0.6),
        ((0.5, 0.4), (2.0, 1.0), 0.0),
        ((20.0, 15.0), (5.0, 2.5), -0.3),
    ],
)
def test_the_delta_method_variance_of_a_ratio_matches_a_simulation(
    num: tuple[float, float], den: tuple[float, float], correlation: float
) -> None:
    ratio, sd = ratio_metric(num[0], num[1], den[0], den[1], correlation)
    assert ratio == num[0] / den[0]
    generator = np.random.default_rng(20261202)
    cov = [
        [num[1] ** 2, correlation * num[1] * den[1]],
        [correlation * num[1] * den[1], den[1] ** 2],
    ]
    units, replications = 2_000, 4_000
    draws = generator.multivariate_normal([num[0], den[0]], cov, size=(replications, units))
    estimates = draws[:, :, 0].sum(axis=1) / draws[:, :, 1].sum(axis=1)
    # the ratio of sums' variance is sd^2 / units; 4,000 replications: about 2% noise
    assert float(estimates.var()) == pytest.approx(sd**2 / units, rel=0.06)


def test_bad_planning_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="positive mean"):
        ratio_metric(1, 1, 0, 1, 0)
    with pytest.raises(ValueError, match="correlation"):
        ratio_metric(1, 1, 1, 1, 1.5)
    with pytest.raises(ValueError, match="margin must be positive"):
        noninferiority_size(0.2, 0, (0.5, 0.5), 0.05, 0.8)


@pytest.mark.parametrize(("sd", "delta"), [(20.0, 2.0), (40.0, 3.0), (1.0, 0.05)])
def test_means_agree_with_the_t_test_at_planning_sizes(sd: float, delta: float) -> None:
    """The planner's z-test on means against statsmodels' t-test (`tt_ind_solve_power`):
    the t-test needs a unit or two more at these sizes (its degrees of freedom), never
    fewer, and the two agree to 0.2 %."""
    from statsmodels.stats.power import tt_ind_solve_power

    ours = sample_sizes(Design(100.0, delta, (0.5, 0.5), std_dev=sd))[0]
    oracle = math.ceil(tt_ind_solve_power(effect_size=delta / sd, alpha=0.05, power=0.8))
    assert 0 <= oracle - ours <= 2
    assert oracle / ours < 1.002
