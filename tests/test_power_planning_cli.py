"""`campc power` beyond a fixed web test: a fixed list (`--population`), CUPED
(`--cuped-r`), non-inferiority (`--margin`), Holm and Sidak (`--correction`) and
group-sequential designs (`--looks`, `--spending`), each number against statsmodels or
the published boundary tables."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from statsmodels.stats.power import NormalIndPower

from tests.conftest import CliRun

MEANS = ["power", "--baseline", "50", "--std-dev", "20", "--mde-type", "absolute"]


def _results(campc: CliRun, *args: str) -> dict[str, Any]:
    run = campc(*args, "--format", "json")
    assert run.exit_code == 0, run.stderr
    results: dict[str, Any] = json.loads(run.stdout)["results"]
    return results


def test_looks_print_the_published_boundaries_and_inflate_the_sample(campc: CliRun) -> None:
    args = ["power", "--baseline", "0.1", "--mde", "0.1", "--alpha", "0.025", "--sides", "1"]
    fixed = _results(campc, *args)
    sequential = _results(campc, *args, "--looks", "5", "--spending", "obf")
    # gsDesign / rpact, five looks, one-sided alpha 0.025, Lan-DeMets O'Brien-Fleming
    assert [round(z, 3) for z in sequential["boundaries"]] == [4.877, 3.357, 2.680, 2.290, 2.031]
    assert sequential["per_arm"] == math.ceil(fixed["per_arm"] * sequential["inflation"] - 1e-9)
    schedule = sequential["schedule"]
    assert [look["fraction"] for look in schedule] == [0.2, 0.4, 0.6, 0.8, 1.0]
    assert schedule[-1]["per_arm"] == sequential["per_arm"]
    assert schedule[-1]["cumulative_power"] == pytest.approx(0.8, abs=1e-6)
    assert schedule[-1]["cumulative_alpha"] == pytest.approx(0.025, abs=1e-7)
    pocock = _results(campc, *args, "--looks", "5", "--spending", "pocock-classical")
    assert len({round(z, 9) for z in pocock["boundaries"]}) == 1
    text = campc(*args, "--looks", "3").stdout
    assert "3 looks, Lan-DeMets O'Brien-Fleming spending" in text
    assert "boundaries on z (one-sided)" in text


def test_a_sequential_design_with_a_fixed_sample_loses_power(campc: CliRun) -> None:
    args = [*MEANS, "--mde", "2", "--n", "1600"]
    fixed = _results(campc, *args)
    sequential = _results(campc, *args, "--looks", "4", "--spending", "pocock")
    assert sequential["power"] < fixed["power"]
    assert sequential["schedule"][-1]["cumulative_power"] == pytest.approx(sequential["power"])
    mde = _results(campc, *MEANS, "--n", "1600", "--looks", "4", "--spending", "pocock")
    plain = _results(campc, *MEANS, "--n", "1600")
    assert mde["mde_absolute"] == pytest.approx(plain["mde_absolute"] * math.sqrt(mde["inflation"]))


@pytest.mark.parametrize("population", [2_000, 31_000])
def test_a_fixed_list_gives_the_power_and_mde_of_one_send(campc: CliRun, population: int) -> None:
    powered = _results(campc, *MEANS, "--mde", "1", "--population", str(population))
    assert powered["solved_for"] == "power"
    assert powered["per_arm"] == population // 2
    oracle = NormalIndPower().power(1 / 20, population // 2, 0.025, ratio=1.0, alternative="larger")
    assert powered["power"] == pytest.approx(oracle, abs=1e-9)
    detectable = _results(campc, *MEANS, "--population", str(population))
    assert detectable["solved_for"] == "mde"
    assert "days" not in detectable
    again = _results(
        campc, *MEANS, "--mde", str(detectable["mde_absolute"]), "--population", str(population)
    )
    assert again["power"] == pytest.approx(0.8, abs=1e-6)
    text = campc(*MEANS, "--population", str(population)).stdout
    assert f"population    {population:,} units" in text


@pytest.mark.parametrize("rho", [0.3, 0.7])
def test_cuped_shrinks_the_sample_as_statsmodels_says(campc: CliRun, rho: float) -> None:
    results = _results(campc, *MEANS, "--mde", "2", "--cuped-r", str(rho))
    oracle = NormalIndPower().solve_power(
        effect_size=2 / (20 * math.sqrt(1 - rho**2)), alpha=0.05, power=0.8, ratio=1.0
    )
    assert results["per_arm"] == math.ceil(oracle)
    assert results["variance_factor"] == pytest.approx(1 - rho**2)
    assert results["units_saved"] == 2 * (results["per_arm_without_cuped"] - results["per_arm"])
    assert results["units_saved"] > 0


def test_a_margin_plans_a_one_sided_noninferiority_test(campc: CliRun) -> None:
    results = _results(campc, *MEANS, "--margin", "1.5")
    oracle = NormalIndPower().solve_power(
        effect_size=1.5 / 20, alpha=0.05, power=0.8, ratio=1.0, alternative="larger"
    )
    assert results["test"] == "non-inferiority"
    assert results["per_arm"] == math.ceil(oracle)
    powered = _results(campc, *MEANS, "--margin", "1.5", "--n", str(results["per_arm"]))
    assert 0.8 <= powered["power"] < 0.8005
    relative = _results(campc, "power", "--baseline", "0.2", "--margin", "0.05")
    assert relative["margin_absolute"] == pytest.approx(0.01)
    text = campc("power", "--baseline", "0.2", "--margin", "0.05").stdout
    assert "0.05 one-sided (non-inferiority)" in text


@pytest.mark.parametrize(
    ("correction", "level"),
    [("bonferroni", 0.05 / 3), ("holm", 0.05 / 3), ("sidak", 1 - 0.95 ** (1 / 3)), ("none", 0.05)],
)
def test_corrections_plan_each_comparison_at_its_level(
    campc: CliRun, correction: str, level: float
) -> None:
    args = ["power", "--baseline", "0.1", "--mde", "0.1", "--arms", "4"]
    results = _results(campc, *args, "--correction", correction)
    assert results["alpha_per_comparison"] == pytest.approx(level)
    assert results["correction"] == correction


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--n", "100", "--population", "1000"], "--n (units per arm) or --population"),
        (["--population", "1000", "--traffic", "500"], "no --traffic per day"),
        (["--population", "3"], "too small for 2 arms"),
        (["--cuped-r", "1"], "not a correlation in [0, 1)"),
        (["--cuped-r", "nan"], "not a correlation in [0, 1)"),
        (["--margin", "0.05", "--mde", "0.1"], "not both"),
        (["--margin", "5"], "for 5 % give --margin 0.05"),
        (["--margin", "-1"], "positive degradation"),
        (["--margin", "0.05", "--looks", "3"], "read once, at the end"),
        (["--looks", "0"], "1 to 20 analyses"),
        (["--looks", "21"], "1 to 20 analyses"),
        (["--mde", "0.1", "--population", "20000", "--looks", "3"], "read once"),
        (["--mde", "0.1", "--spending", "pocock"], "give --looks K too"),
        (["--margin", "0.5", "--mde-type", "absolute"], "give a margin below 0.1"),
    ],
)
def test_bad_planning_options_are_refused_in_one_line(
    campc: CliRun, args: list[str], says: str
) -> None:
    run = campc("power", "--baseline", "0.1", *args)
    assert run.exit_code == 2, run.stdout
    assert run.stdout == ""
    lines = run.stderr.splitlines()
    assert len(lines) == 1, run.stderr
    assert says in lines[0]
