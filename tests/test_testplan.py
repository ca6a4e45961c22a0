"""Test plans: every example experiment gets a complete pre-registration document."""

from __future__ import annotations

import math
from statistics import NormalDist

import pytest

from compiler.analysis.stats import chi2_sf
from compiler.backends.testplan import srm_critical_value
from tests.conftest import ROOT

COMMON = (
    "## Context and hypothesis",
    "## Randomization and targeting",
    "## Variants and split",
    "## Metrics",
    "## Design",
    "## Stopping rule",
    "## Sample-ratio-mismatch check",
    "## Decision rule",
    "## QA checklist",
)
TRAFFIC = ("## Duration and dates", "### What each week can detect", "- Sample size:")
SEND = ("## Send and readout", "- The list:")


@pytest.mark.parametrize(
    ("experiment", "sections"),
    [
        ("pricing-page-cta", TRAFFIC),
        ("signup-form-fields", TRAFFIC),
        ("launch-subject-line", SEND),
    ],
)
def test_example_experiments_have_complete_plans(
    experiment: str, sections: tuple[str, ...]
) -> None:
    text = (ROOT / "outputs" / "test-plans" / f"{experiment}.md").read_text()
    for section in (*COMMON, *sections):
        assert section in text, section
    for section in {*TRAFFIC, *SEND} - set(sections):
        assert section not in text, section  # a send has no weekly table, traffic no list
    assert "Method: two-proportion z-test, pooled variance" in text
    assert "**" in text.split(sections[-1])[1].splitlines()[0]  # a total is given
    assert "readout" in text
    assert "the sample-ratio check passes before any metric is looked at" in text
    assert text.count("| ") > 10


def test_pricing_plan_numbers() -> None:
    from compiler.analysis.sequential import design

    text = (ROOT / "outputs" / "test-plans" / "pricing-page-cta.md").read_text()
    # 3.2% baseline, +15% relative, alpha 0.05 two-sided, power 0.8, pooled: 22,631 per arm
    # fixed; three O'Brien-Fleming looks inflate it to the maximum
    inflated = math.ceil(22_631 * design(3, 0.05, 0.8, 2, "obf").inflation - 1e-9)
    assert f"`control` {inflated:,}, `free-trial` {inflated:,}; **{2 * inflated:,} in total**" in (
        text
    )
    assert "`conversion_rate` (primary) 22,631" in text
    assert "Start 2027-04-14, planned end 2027-04-27, readout 2027-04-28" in text
    # gsDesign, k = 3, sfLDOF, one-sided 0.025 per side: 3.7103, 2.5114, 1.9930
    bounds = [
        line.split(" | ")[4]
        for line in text.splitlines()
        if line.startswith("| ") and " | 2027-" in line
    ]
    assert bounds == ["3.71", "2.51", "1.99"]
    assert "| 3 | 2027-04-27 | 100.0% |" in text  # the last look is the planned end
    assert "`bounce_rate` (guardrail)" in text


def test_a_send_is_planned_on_its_list() -> None:
    from statsmodels.stats.power import NormalIndPower

    text = (ROOT / "outputs" / "test-plans" / "launch-subject-line.md").read_text()
    # 35% of the audience's 18,500, split 50/50, the odd recipient to the first arm
    assert "6,475 of the list's 18,500 (35%)" in text
    assert "`control` 3,238, `pain-point` 3,237; **6,475 in total**" in text
    power = float(text.split("Power for the MDE with this list: **")[1].split("**")[0])
    # the looks of a traffic test span its whole run; a send has none
    # one-sided 0.05, 0.31 -> 0.34: the pooled z-test's power is within 0.005 of the
    # normal approximation with the two rates' variances (Cohen's-h free oracle)
    sigma = math.sqrt((0.31 * 0.69 + 0.34 * 0.66) / 2)
    oracle = NormalIndPower().power(0.03 / sigma, 3237, 0.05, alternative="larger")
    assert power == pytest.approx(oracle, abs=0.005)
    assert "What each week can detect" not in text
    assert "260,400" not in text


def test_holm_and_cuped_are_planned_and_said() -> None:
    from compiler.analysis.stats import Design, sample_sizes

    text = (ROOT / "outputs" / "test-plans" / "signup-form-fields.md").read_text()
    assert "Correction: Holm over 2 comparisons: planned at its strictest step, alpha 0.025" in text
    assert "against 0.025 and 0.05 in turn" in text
    weights = (0.34, 0.33, 0.33)
    plain = sample_sizes(Design(0.41, 0.41 * 0.05, weights))
    reduced = sample_sizes(Design(0.41, 0.41 * 0.05, weights, variance_factor=1 - 0.4**2))
    shown = ", ".join(
        f"`{v}` {n:,}"
        for v, n in zip(["control", "three-fields", "two-fields"], reduced, strict=True)
    )
    assert f"Sample size: {shown}; **{sum(reduced):,} in total**" in text
    assert f"CUPED saves {sum(plain) - sum(reduced):,} units" in text


@pytest.mark.parametrize("degrees", [1, 2, 3, 4, 7, 15])
def test_srm_critical_values_match_scipy(degrees: int) -> None:
    from scipy.stats import chi2

    assert srm_critical_value(degrees) == pytest.approx(chi2.ppf(0.999, degrees), rel=1e-9)
    for x in (0.5, 3.0, 11.0, 40.0):
        assert chi2_sf(x, degrees) == pytest.approx(chi2.sf(x, degrees), rel=1e-6, abs=1e-12)


def test_srm_one_degree_is_the_squared_normal_quantile() -> None:
    assert math.isclose(NormalDist().inv_cdf(0.9995) ** 2, srm_critical_value(1), rel_tol=1e-9)
