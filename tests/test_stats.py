"""Sample sizes against R's published power.prop.test examples and statsmodels as an oracle."""

from __future__ import annotations

import itertools
import math

import pytest
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import (
    proportion_effectsize,
    samplesize_proportions_2indep_onetail,
)

from compiler.analysis.stats import Design, achieved_power, control_size, sample_sizes, z_alpha


def test_r_power_prop_test_published_examples() -> None:
    # power.prop.test(p1 = .50, p2 = .75, power = .90)  # => n = 76.7
    design = Design(baseline=0.5, effect=0.25, weights=(0.5, 0.5), power=0.9)
    assert round(control_size(design, 1, z_alpha(0.05, 2, 1, "bonferroni")), 1) == 76.7
    assert sample_sizes(design) == (77, 77)
    # power.prop.test(n = 50, p1 = .50, p2 = .75)  # => power = 0.740
    assert round(achieved_power(Design(0.5, 0.25, (0.5, 0.5)), 50), 3) == 0.740


BASELINES = (0.02, 0.1, 0.35, 0.6)
RELATIVE_MDES = (0.05, 0.2, -0.1)
ALPHAS = (0.05, 0.01)
POWERS = (0.8, 0.9)
RATIOS = (1.0, 1.5, 0.5)
GRID = list(itertools.product(BASELINES, RELATIVE_MDES, ALPHAS, POWERS, (1, 2), RATIOS))


def _alternative(sides: int, effect: float) -> str:
    if sides == 2:
        return "two-sided"
    return "larger" if effect > 0 else "smaller"


@pytest.mark.parametrize(("baseline", "mde", "alpha", "power", "sides", "ratio"), GRID)
def test_pooled_matches_statsmodels(
    baseline: float, mde: float, alpha: float, power: float, sides: int, ratio: float
) -> None:
    effect = baseline * mde
    design = Design(baseline, effect, (1.0, ratio), alpha, power, sides, "pooled")
    ours = control_size(design, ratio, z_alpha(alpha, sides, 1, "bonferroni"))
    # statsmodels: group 1 is our control, group 2 (ratio x as many) the treatment
    oracle = samplesize_proportions_2indep_onetail(
        -effect,
        baseline + effect,
        power,
        ratio=ratio,
        alpha=alpha,
        alternative=_alternative(sides, -effect) if sides == 1 else "two-sided",
    )
    assert math.ceil(ours) == math.ceil(oracle)
    assert ours == pytest.approx(oracle, rel=1e-9)


@pytest.mark.parametrize(("baseline", "mde", "alpha", "power", "sides", "ratio"), GRID)
def test_arcsine_and_unpooled_match_statsmodels(
    baseline: float, mde: float, alpha: float, power: float, sides: int, ratio: float
) -> None:
    effect = baseline * mde
    treatment = baseline + effect
    za = z_alpha(alpha, sides, 1, "bonferroni")
    arcsine = Design(baseline, effect, (1.0, ratio), alpha, power, sides, "arcsine")
    h = proportion_effectsize(treatment, baseline)
    # like power.prop.test (strict=FALSE), a two-sided test is planned on one tail at alpha/2
    oracle = NormalIndPower().solve_power(
        effect_size=abs(h), alpha=alpha / sides, power=power, ratio=ratio, alternative="larger"
    )
    assert math.ceil(control_size(arcsine, ratio, za)) == math.ceil(oracle)
    # unpooled: a z-test whose common variance is the unpooled one, rescaled to the ratio
    unpooled = Design(baseline, effect, (1.0, ratio), alpha, power, sides, "unpooled")
    variance = (baseline * (1 - baseline) + treatment * (1 - treatment) / ratio) / (1 + 1 / ratio)
    oracle = NormalIndPower().solve_power(
        effect_size=abs(effect) / math.sqrt(variance),
        alpha=alpha / sides,
        power=power,
        ratio=ratio,
        alternative="larger",
    )
    assert math.ceil(control_size(unpooled, ratio, za)) == math.ceil(oracle)


@pytest.mark.parametrize(
    ("sd", "delta", "ratio"), [(12.0, 1.5, 1.0), (40.0, 3.0, 2.0), (1.0, 0.1, 0.5)]
)
def test_continuous_matches_statsmodels(sd: float, delta: float, ratio: float) -> None:
    design = Design(100.0, delta, (1.0, ratio), std_dev=sd)
    oracle = NormalIndPower().solve_power(
        effect_size=delta / sd, alpha=0.025, power=0.8, ratio=ratio, alternative="larger"
    )
    assert math.ceil(control_size(design, ratio, z_alpha(0.05, 2, 1, "bonferroni"))) == math.ceil(
        oracle
    )


def test_bonferroni_divides_alpha_across_treatment_arms_and_sizes_every_arm() -> None:
    two_arms = Design(0.1, 0.01, (0.5, 0.5))
    three_arms = Design(0.1, 0.01, (1 / 3, 1 / 3, 1 / 3))
    assert z_alpha(0.05, 2, 2, "bonferroni") == pytest.approx(z_alpha(0.025, 2, 1, "bonferroni"))
    assert sample_sizes(three_arms)[0] > sample_sizes(two_arms)[0]
    uncorrected = Design(0.1, 0.01, (1 / 3, 1 / 3, 1 / 3), correction="none")
    assert sample_sizes(uncorrected)[0] == sample_sizes(two_arms)[0]


def test_unequal_split_sizes_each_arm_by_its_weight() -> None:
    sizes = sample_sizes(Design(0.1, 0.02, (0.8, 0.2)))
    assert sizes[0] > sizes[1]
    assert sizes[0] / sizes[1] == pytest.approx(4, rel=1e-3)


def test_rates_outside_zero_one_are_refused() -> None:
    with pytest.raises(ValueError, match="inside"):
        sample_sizes(Design(0.95, 0.1, (0.5, 0.5)))
