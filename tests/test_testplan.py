"""Test plans: every example experiment gets a complete pre-registration document."""

from __future__ import annotations

import math
from statistics import NormalDist

import pytest

from compiler.analysis.stats import chi2_sf
from compiler.backends.testplan import srm_critical_value
from tests.conftest import ROOT

SECTIONS = (
    "## Context and hypothesis",
    "## Randomization and targeting",
    "## Variants and split",
    "## Metrics",
    "## Design",
    "## Duration and dates",
    "### What each week can detect",
    "## Stopping rule",
    "## Sample-ratio-mismatch check",
    "## Decision rule",
    "## QA checklist",
)


@pytest.mark.parametrize(
    "experiment", ["pricing-page-cta", "signup-form-fields", "launch-subject-line"]
)
def test_example_experiments_have_complete_plans(experiment: str) -> None:
    text = (ROOT / "outputs" / "test-plans" / f"{experiment}.md").read_text()
    for section in SECTIONS:
        assert section in text, section
    assert "Method: two-proportion z-test, pooled variance" in text
    assert "**" in text.split("- Sample size:")[1].splitlines()[0]  # a total is given
    assert "planned end" in text
    assert "readout" in text
    assert text.count("| ") > 20


def test_pricing_plan_numbers() -> None:
    text = (ROOT / "outputs" / "test-plans" / "pricing-page-cta.md").read_text()
    # 3.2% baseline, +15% relative, alpha 0.05 two-sided, power 0.8, pooled: 22,631 per arm
    assert "`control` 22,631, `free-trial` 22,631; **45,262 in total**" in text
    assert "Start 2027-04-14, planned end 2027-04-27, readout 2027-04-28" in text


@pytest.mark.parametrize("degrees", [1, 2, 3, 4, 7, 15])
def test_srm_critical_values_match_scipy(degrees: int) -> None:
    from scipy.stats import chi2

    assert srm_critical_value(degrees) == pytest.approx(chi2.ppf(0.999, degrees), rel=1e-9)
    for x in (0.5, 3.0, 11.0, 40.0):
        assert chi2_sf(x, degrees) == pytest.approx(chi2.sf(x, degrees), rel=1e-6, abs=1e-12)


def test_srm_one_degree_is_the_squared_normal_quantile() -> None:
    assert math.isclose(NormalDist().inv_cdf(0.9995) ** 2, srm_critical_value(1), rel_tol=1e-9)
