"""The benchmark's verdicts: each ratio over the figures it names, and a table that
prints every entry (a figure shown beside the targets has no verdict)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))  # run.py imports synth.py beside it
_SPEC = importlib.util.spec_from_file_location("campc_bench_run", ROOT / "bench" / "run.py")
assert _SPEC is not None
assert _SPEC.loader is not None
run = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(run)


def _figures(**seconds: float) -> dict[str, object]:
    found: dict[str, object] = {name: {"seconds": value} for name, value in seconds.items()}
    found["peers"] = {}
    return found


def test_the_ratios_are_the_issue_s_and_every_one_prints() -> None:
    one_k = _figures(
        floor=1.0,
        check_cold=2.0,
        check_warm=0.09,
        check_one_changed=0.5,
        build_cold=10.0,
        build_one_changed=1.8,
        build_check_one_changed=1.4,
        swap_floor=0.4,
        diff_one_changed=0.9,
    )
    ten_k = _figures(check_cold=19.0, build_cold=110.0)
    verdicts = run.ratios({1000: one_k, 10000: ten_k}, 0.05, -0.01, None)
    assert verdicts["cold_over_floor"] == {"value": 2.0, "target": "<= 1.0", "met": False}
    assert verdicts["warm_over_cold"]["met"] is True  # 0.045
    assert verdicts["build_one_changed_over_build_cold"]["value"] == 0.18
    assert verdicts["build_check_one_changed_over_build_cold"]["met"] is True  # 0.14
    assert verdicts["swap_floor_over_build_one_changed"]["value"] == 0.222
    assert "met" not in verdicts["swap_floor_over_build_one_changed"]
    assert verdicts["diff_one_changed_over_check_cold"]["met"] is True  # 0.45
    assert verdicts["check_cold_10k_over_1k"] == {"value": 9.5, "target": "<= 10.5", "met": True}
    assert verdicts["build_cold_10k_over_1k"]["met"] is False  # 11.0
    lines = run.target_lines(verdicts)
    assert len(lines) == len(verdicts)
    assert any(line.split()[0] == "cold_over_floor" and line.endswith("MISSED") for line in lines)
    assert any(
        "swap_floor_over" in line and "MISSED" not in line and "met" not in line for line in lines
    )


def test_the_floors_are_programs_python_runs(tmp_path: Path) -> None:
    """The swap floor links a folder's files into a fresh one and removes it again."""
    import subprocess

    outputs = tmp_path / "outputs"
    (outputs / "a" / "b").mkdir(parents=True)
    (outputs / "a" / "b" / "one.txt").write_text("1", encoding="utf-8")
    (outputs / "two.txt").write_text("2", encoding="utf-8")
    fresh = tmp_path / "fresh"
    subprocess.run([sys.executable, "-c", run.SWAP_FLOOR, outputs, fresh], check=True)
    assert not fresh.exists()
    assert (outputs / "a" / "b" / "one.txt").stat().st_nlink == 1  # the links are gone
    compile(run.FLOOR, "floor", "exec")
    compile(run.SCORE_FLOOR, "score_floor", "exec")
