"""`campc power`: the calculator from the command line, solving for n, MDE or power."""

from __future__ import annotations

import json

import pytest

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
