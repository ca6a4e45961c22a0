"""`campc power`: the calculator from the command line, solving for n, MDE or power."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from statsmodels.stats.power import NormalIndPower, zt_ind_solve_power
from statsmodels.stats.proportion import power_proportions_2indep, proportion_effectsize

from tests.conftest import CliRun

BASE = ["power", "--baseline", "0.10", "--format", "json"]


@pytest.mark.parametrize(
    ("method", "per_arm"), [("pooled", 14751), ("unpooled", 14749), ("arcsine", 14745)]
)
def test_methods_differ_by_a_few_units_and_each_is_pinned(
    campc: CliRun, method: str, per_arm: int
) -> None:
    run = campc(*BASE, "--mde", "0.1", "--method", method)
    assert run.exit_code == 0, run.stderr
    results = json.loads(run.stdout)["results"]
    assert results["per_arm"] == per_arm
    assert results["method"] == method


def test_solves_for_n_with_duration_and_prints_every_input(campc: CliRun) -> None:
    run = campc(
        "power",
        "--baseline",
        "0.03",
        "--mde",
        "0.01",
        "--mde-type",
        "absolute",
        "--alpha",
        "0.05",
        "--power",
        "0.8",
        "--sides",
        "2",
        "--arms",
        "2",
        "--method",
        "pooled",
        "--traffic",
        "3000",
        "--format",
        "json",
    )
    document = json.loads(run.stdout)
    assert document["inputs"] == {
        "baseline": 0.03,
        "mde": 0.01,
        "mde_type": "absolute",
        "alpha": 0.05,
        "power": 0.8,
        "sides": 2,
        "arms": 2,
        "method": "pooled",
        "n": None,
        "traffic": 3000.0,
        "share": 1.0,
        "std_dev": None,
        "population": None,
        "cuped_r": None,
        "margin": None,
        "looks": None,
        "spending": None,
        "correction": "bonferroni",
    }
    results = document["results"]
    assert (results["solved_for"], results["per_arm"], results["total"]) == ("n", 5301, 10602)
    assert (results["days"], results["weeks"]) == (4, 1)


def test_solving_for_power_and_mde_inverts_the_sample_size(campc: CliRun) -> None:
    sized = json.loads(campc(*BASE, "--mde", "0.1", "--power", "0.9").stdout)["results"]
    n = str(sized["per_arm"])
    powered = json.loads(campc(*BASE, "--mde", "0.1", "--n", n).stdout)["results"]
    assert powered["solved_for"] == "power"
    assert 0.9 <= powered["power"] < 0.9001
    detectable = json.loads(campc(*BASE, "--power", "0.9", "--n", n).stdout)["results"]
    assert detectable["solved_for"] == "mde"
    assert detectable["mde_relative"] == pytest.approx(0.1, abs=1e-4)
    assert detectable["mde_relative"] <= 0.1


def test_multi_arm_applies_bonferroni(campc: CliRun) -> None:
    three = json.loads(campc(*BASE, "--mde", "0.1", "--arms", "3").stdout)["results"]
    assert three["comparisons"] == 2
    assert three["alpha_per_comparison"] == 0.025
    assert three["per_arm"] > 14751
    text = campc("power", "--baseline", "0.1", "--mde", "0.1", "--arms", "3").stdout
    assert "Bonferroni over 2 comparisons" in text


def test_continuous_metric_with_std_dev(campc: CliRun) -> None:
    run = campc(
        *BASE[:-2],
        "--baseline",
        "50",
        "--std-dev",
        "20",
        "--mde",
        "2",
        "--mde-type",
        "absolute",
        "--format",
        "json",
    )
    results = json.loads(run.stdout)["results"]
    assert results["method"] == "continuous"
    assert results["per_arm"] == 1570


@pytest.mark.parametrize(
    "args",
    [
        ["--baseline", "0.1"],  # two unknowns
        ["--baseline", "0.1", "--mde", "0.1", "--power", "0.8", "--n", "100"],  # none unknown
        ["--baseline", "1.5", "--mde", "0.1"],
        ["--baseline", "0.1", "--mde", "0.1", "--alpha", "0.7"],
        ["--baseline", "0.1", "--mde", "0.1", "--arms", "1"],
        ["--baseline", "0.95", "--mde", "0.1"],  # treatment above 1
        ["--baseline", "0.1", "--mde", "lots"],
        ["--baseline", "0.1", "--mde", "0.1", "--method", "bayes"],
    ],
)
def test_bad_arguments_exit_2_without_a_traceback(campc: CliRun, args: list[str]) -> None:
    run = campc("power", *args)
    assert run.exit_code == 2
    assert "Traceback" not in run.stdout + run.stderr


def _solved_mde(campc: CliRun, *args: str) -> dict[str, Any]:
    run = campc("power", *args, "--format", "json")
    assert run.exit_code == 0, run.stderr
    results: dict[str, Any] = json.loads(run.stdout)["results"]
    assert results["solved_for"] == "mde"
    return results


def test_baseline_and_n_alone_solve_for_the_mde_at_the_default_power(campc: CliRun) -> None:
    run = campc("power", "--baseline", "0.03", "--n", "20000", "--format", "json")
    assert run.exit_code == 0, run.stderr
    document = json.loads(run.stdout)
    assert document["inputs"] == {
        "baseline": 0.03,
        "mde": None,
        "mde_type": "relative",
        "alpha": 0.05,
        "power": 0.8,
        "sides": 2,
        "arms": 2,
        "method": "pooled",
        "n": 20000,
        "traffic": None,
        "share": 1.0,
        "std_dev": None,
        "population": None,
        "cuped_r": None,
        "margin": None,
        "looks": None,
        "spending": None,
        "correction": "bonferroni",
    }
    results = document["results"]
    assert (results["solved_for"], results["per_arm"], results["power"]) == ("mde", 20000, 0.8)
    assert results["mde_absolute"] == pytest.approx(0.0049665, rel=1e-4)
    assert results["mde_relative"] == pytest.approx(results["mde_absolute"] / 0.03, rel=1e-12)
    assert results["treatment_value"] == pytest.approx(0.03 + results["mde_absolute"])
    text = campc("power", "--baseline", "0.03", "--n", "20000").stdout
    assert "16.55% relative" in text
    assert "solved for    mde" in text


def test_json_prints_the_solved_mde_both_ways_with_the_duration(campc: CliRun) -> None:
    args = ["--baseline", "50", "--std-dev", "20", "--n", "1000", "--traffic", "500"]
    run = campc("power", *args, "--format", "json")
    assert run.exit_code == 0, run.stderr
    document = json.loads(run.stdout)
    inputs = (
        "baseline mde mde_type alpha power sides arms method n traffic share std_dev "
        "population cuped_r margin looks spending correction"
    )
    assert list(document["inputs"]) == inputs.split()
    assert (document["inputs"]["power"], document["inputs"]["std_dev"]) == (0.8, 20.0)
    results = document["results"]
    assert results["method"] == "continuous"
    assert results["mde_relative"] == pytest.approx(results["mde_absolute"] / 50, rel=1e-12)
    assert (results["days"], results["weeks"], results["units_per_day"]) == (4, 1, 500.0)


# Two-sided tests are planned on one tail at alpha/2 (as R's power.prop.test), so each
# oracle is asked for alternative="larger" at alpha / sides, Bonferroni-divided over arms.
MEAN_POINTS = [  # (mean, sd, n, extra arguments, alpha per tail, power)
    (50.0, 20.0, 1000, [], 0.025, 0.8),
    (100.0, 12.0, 5000, ["--power", "0.9", "--alpha", "0.01", "--sides", "1"], 0.01, 0.9),
    (10.0, 1.0, 50, [], 0.025, 0.8),
    (200.0, 35.0, 800, ["--arms", "3"], 0.0125, 0.8),
]


@pytest.mark.parametrize(("mean", "sd", "n", "extra", "alpha", "power"), MEAN_POINTS)
def test_solved_mde_of_a_mean_matches_statsmodels(
    campc: CliRun,
    mean: float,
    sd: float,
    n: int,
    extra: list[str],
    alpha: float,
    power: float,
) -> None:
    args = ["--baseline", str(mean), "--std-dev", str(sd), "--n", str(n), *extra]
    mde = _solved_mde(campc, *args)["mde_absolute"]
    oracle = NormalIndPower().solve_power(
        effect_size=None, nobs1=n, alpha=alpha, power=power, ratio=1, alternative="larger"
    )
    same = zt_ind_solve_power(
        effect_size=None, nobs1=n, alpha=alpha, power=power, ratio=1, alternative="larger"
    )
    # statsmodels' root finder stops near 1e-5; its own power at our MDE is exact
    assert mde == pytest.approx(oracle * sd, rel=1e-4)
    assert mde == pytest.approx(same * sd, rel=1e-4)
    reached = NormalIndPower().power(mde / sd, n, alpha, ratio=1, alternative="larger")
    assert reached == pytest.approx(power, abs=1e-9)


RATE_POINTS = [  # (baseline, n, extra arguments, alpha per tail, power)
    (0.03, 20000, [], 0.025, 0.8),
    (0.1, 1000, ["--power", "0.9"], 0.025, 0.9),
    (0.5, 300, ["--alpha", "0.01", "--sides", "1"], 0.01, 0.8),
    (0.02, 50000, ["--arms", "4"], 0.025 / 3, 0.8),
]


@pytest.mark.parametrize(("baseline", "n", "extra", "alpha", "power"), RATE_POINTS)
def test_solved_mde_of_a_rate_matches_statsmodels_for_every_method(
    campc: CliRun, baseline: float, n: int, extra: list[str], alpha: float, power: float
) -> None:
    args = ["--baseline", str(baseline), "--n", str(n), *extra]
    # arcsine: statsmodels solves for Cohen's h, which gives the treated rate in closed form
    arcsine = _solved_mde(campc, *args, "--method", "arcsine")
    h = NormalIndPower().solve_power(
        effect_size=None, nobs1=n, alpha=alpha, power=power, ratio=1, alternative="larger"
    )
    treated = math.sin(h / 2 + math.asin(math.sqrt(baseline))) ** 2
    assert arcsine["treatment_value"] == pytest.approx(treated, rel=1e-4)
    h_ours = proportion_effectsize(arcsine["treatment_value"], baseline)
    reached = NormalIndPower().power(h_ours, n, alpha, ratio=1, alternative="larger")
    assert reached == pytest.approx(power, abs=1e-9)
    # pooled (power.prop.test): statsmodels' two-proportion power at our MDE is the target
    pooled = _solved_mde(campc, *args)["mde_absolute"]
    reached = power_proportions_2indep(
        -pooled, baseline + pooled, n, ratio=1, alpha=alpha, alternative="smaller"
    ).power
    assert reached == pytest.approx(power, abs=1e-9)
    # unpooled: a z-test on means whose variance is the unpooled one
    unpooled = _solved_mde(campc, *args, "--method", "unpooled")["mde_absolute"]
    treated = baseline + unpooled
    sd = math.sqrt((baseline * (1 - baseline) + treated * (1 - treated)) / 2)
    reached = NormalIndPower().power(unpooled / sd, n, alpha, ratio=1, alternative="larger")
    assert reached == pytest.approx(power, abs=1e-9)


def test_help_says_the_mde_type_default_and_why(campc: CliRun) -> None:
    run = campc("power", "--help")
    text = " ".join(run.stdout.split())
    assert "[default: relative]" in text
    assert 'lifts are stated as "+10 %" (--mde 0.10)' in text
    assert "Target power [default: 0.8]" in text


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--baseline", "0.03", "--mde", "10"], "+1000%; for +10 % give --mde 0.1, or add "),
        (["--baseline", "0.03", "--mde", "1"], "for +1 % give --mde 0.01"),
        (["--baseline", "0.03", "--mde", "-10"], "for -10 % give --mde -0.1"),
        (["--baseline", "0.03", "--mde", "10", "--mde-type", "relative"], "--mde-type absolute"),
        (["--baseline", "50", "--std-dev", "20", "--mde", "10"], "for a difference of 10"),
        (["--baseline", "0", "--mde", "0.1"], "--baseline 0 is not a rate"),
        (["--baseline", "1", "--mde", "0.1"], "--baseline 1 is not a rate"),
        (["--baseline", "-0.2", "--mde", "0.1"], "strictly between 0 and 1"),
        (["--baseline", "3", "--mde", "0.1"], "for 3 % give --baseline 0.03"),
        (["--baseline", "0", "--n", "1000"], "--baseline 0 is not a rate"),
        (["--baseline", "0.03", "--mde", "0.98", "--mde-type", "absolute"], "treated rate at 1.01"),
        (["--baseline", "0.03", "--mde", "-0.05", "--mde-type", "absolute"], "between -0.03 and"),
        (["--baseline", "0.95", "--mde", "0.1"], "treated rate at 1.045"),
        (["--baseline", "0.03", "--mde", "0.1", "--power", "1.2"], "0.8 is the usual"),
        (["--baseline", "0.03", "--mde", "0.1", "--power", "0"], "not a probability"),
        (["--baseline", "0.03", "--mde", "0.1", "--power", "80"], "for 80 % give --power 0.8"),
        (["--baseline", "0.03", "--n", "900", "--power", "0.04"], "must exceed --alpha 0.05"),
        (["--baseline", "0.03", "--mde", "0.1", "--alpha", "0"], "--alpha 0 is not"),
        (["--baseline", "0.03", "--mde", "0.1", "--alpha", "1.2"], "in (0, 0.5)"),
        (["--baseline", "0.03", "--mde", "0.1", "--alpha", "5"], "give --alpha 0.05"),
        (["--baseline", "0.03", "--mde", "0.1", "--n", "-5"], "at least 2, not -5"),
        (["--baseline", "0.03", "--n", "0"], "at least 2, not 0"),
        (["--baseline", "0.03", "--mde", "0.1", "--traffic", "-5"], "must be positive, not -5"),
        (["--baseline", "0.03", "--mde", "0.1", "--traffic", "0"], "must be positive, not 0"),
        (["--baseline", "0.03", "--mde", "0.1", "--arms", "1"], "--arms 1 is too few"),
        (["--baseline", "0.03", "--n", "100", "--arms", "0"], "--arms 0 is too few"),
        (["--baseline", "0.03", "--mde", "0.1", "--share", "0"], "--share 0 is not"),
        (["--baseline", "50", "--std-dev", "0", "--mde", "0.1"], "--std-dev must be positive"),
        (["--baseline", "50", "--std-dev", "-3", "--mde", "0.1"], "--std-dev must be positive"),
        (["--baseline", "0", "--std-dev", "3", "--mde", "0.1"], "non-zero --baseline"),
        (["--baseline", "0.03", "--mde", "nan"], "--mde must be a finite number"),
        (["--baseline", "inf", "--n", "100"], "--baseline must be a finite number"),
        (["--baseline", "0.03", "--mde", "0"], "--mde must not be zero"),
        (["--baseline", "0.03"], "give --mde to solve for the sample size, --n"),
        (["--baseline", "0.03", "--n", "2"], "no effect is detectable with --n 2"),
    ],
)
def test_nonsense_is_refused_in_one_line_that_says_what_was_meant(
    campc: CliRun, args: list[str], says: str
) -> None:
    run = campc("power", *args)
    assert run.exit_code == 2, run.stdout
    assert run.stdout == ""
    lines = run.stderr.splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith("campc: error: ")
    assert says in lines[0]
