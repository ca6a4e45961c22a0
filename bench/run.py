"""The benchmark behind `nox -s bench`: campc against the floor and its peers, same files.

For each size (default 100, 1,000 and 10,000 specs) it generates a synthetic repository
(`bench/synth.py`), then times whole processes, as a user would see them:

- floor: a Python process loading every YAML file with ruamel.yaml's C-backed safe
  loader (digit colons masked as campc masks them, so libyaml reads every file);
- campc check cold (no cache, and the cache filled as a side effect), warm (nothing
  changed), and after one campaign file changed; campc build cold; peak memory;
- peers: check-jsonschema against campc's schemas (one run per kind), and yamllint.

Each timing is the median of `--repeat` runs (one run from 10,000 specs up). It prints
the table and the ratios the performance targets are stated in, and writes everything
to `--out` as JSON. It is a benchmark, not a test: nothing fails when a target is missed.

    python bench/run.py [--sizes 100,1000,10000] [--repeat 3] [--out bench/results.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synth

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
FLOOR = """
import re, sys
from pathlib import Path
from ruamel.yaml import YAML
yaml = YAML(typ="safe", pure=False)
digit_colon = re.compile(r"(?<=\\d):(?=\\d)")
for path in sorted(Path(sys.argv[1]).rglob("*.yaml")):
    if "templates" in path.parts:
        continue
    yaml.load(digit_colon.sub("\\ue000", path.read_text(encoding="utf-8")))
"""


def timed(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, int]:
    """Wall seconds and peak resident memory (KiB) of one process."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
    )
    _, _, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = 0
    return elapsed, usage.ru_maxrss


def median(runs: list[tuple[float, int]]) -> dict[str, float]:
    """Median seconds and the largest peak memory (MiB) over repeated runs."""
    return {
        "seconds": round(statistics.median(s for s, _ in runs), 3),
        "peak_mib": round(max(m for _, m in runs) / 1024, 1),
    }


def repeat(times: int, setup: object, command: list[str], cwd: Path) -> dict[str, float]:
    runs = []
    for _ in range(times):
        if callable(setup):
            setup()
        runs.append(timed(command, cwd))
    return median(runs)


def kinds(campaigns: Path) -> dict[str, list[str]]:
    """Spec files grouped by their `kind:` (for check-jsonschema, one schema per run)."""
    groups: dict[str, list[str]] = defaultdict(list)
    for path in sorted(campaigns.rglob("*.yaml")):
        if "templates" in path.parts:
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("kind:"):
                groups[line.split(":", 1)[1].strip()].append(str(path))
                break
    return groups


def bench_size(size: int, work: Path, times: int) -> dict[str, object]:
    root = work / f"repo-{size}"
    campaigns = synth.generate(root, size)
    specs = kinds(campaigns)
    files = sum(len(v) for v in specs.values())
    campc = str(BIN / "campc")
    cache = root / ".campc_cache"
    one = next(campaigns.rglob("pulse-launch-2027-00000.yaml"))
    original = one.read_text(encoding="utf-8")
    edits = iter(range(1_000_000))

    def no_cache() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    def touch_one() -> None:
        one.write_text(f"{original}# edit {next(edits)}\n", encoding="utf-8")

    def clean_build() -> None:
        no_cache()
        shutil.rmtree(root / "outputs", ignore_errors=True)

    result: dict[str, object] = {"specs": size, "files": files}
    print(f"-- {size:,} specs ({files:,} YAML files)", flush=True)
    result["floor"] = repeat(times, None, [sys.executable, "-c", FLOOR, str(campaigns)], root)
    result["check_cold"] = repeat(times, no_cache, [campc, "check"], root)
    result["check_no_cache"] = repeat(times, None, [campc, "check", "--no-cache"], root)
    no_cache()
    timed([campc, "check"], root)
    result["check_warm"] = repeat(times, None, [campc, "check"], root)
    result["check_one_changed"] = repeat(times, touch_one, [campc, "check"], root)
    one.write_text(original, encoding="utf-8")
    result["build_cold"] = repeat(min(times, 2), clean_build, [campc, "build"], root)
    peers: dict[str, object] = {}
    checker = BIN / "check-jsonschema"
    if checker.exists():
        runs = []
        for _ in range(times):
            total, peak = 0.0, 0
            for kind, paths in sorted(specs.items()):
                schema = ROOT / "schemas" / f"{kind}.schema.json"
                seconds, memory = timed([str(checker), "--schemafile", str(schema), *paths], root)
                total, peak = total + seconds, max(peak, memory)
            runs.append((total, peak))
        peers["check_jsonschema"] = median(runs)
    linter = BIN / "yamllint"
    if linter.exists():
        peers["yamllint"] = repeat(
            times, None, [str(linter), "-f", "parsable", str(campaigns)], root
        )
    result["peers"] = peers
    for name, value in result.items():
        if isinstance(value, dict) and "seconds" in value:
            print(f"   {name:<20} {value['seconds']:>8.3f} s {value['peak_mib']:>8.1f} MiB")
    for name, value in peers.items():
        assert isinstance(value, dict)
        print(f"   {name:<20} {value['seconds']:>8.3f} s {value['peak_mib']:>8.1f} MiB")
    return result


def seconds(entry: object, *path: str) -> float:
    for key in path:
        assert isinstance(entry, dict)
        entry = entry[key]
    assert isinstance(entry, dict)
    return float(entry["seconds"])


FORMATTED = 10_000
"""Findings the formatter row prints."""


def formatter_seconds(times: int) -> float:
    """Median extra time the text format takes over JSON to print FORMATTED findings
    (one process, in memory: the formatters alone)."""
    import io
    import time

    from compiler.diagnostics import Diagnostic, Severity
    from compiler.report.formats import FORMATTERS

    found = [
        Diagnostic(
            code="REF002",
            name="unresolved-reference",
            severity=Severity.ERROR if i % 3 else Severity.WARNING,
            message=f"audience `segment-{i}` does not exist",
            path=f"campaigns/acquisition/spec-{i % 1000:04d}.yaml",
            line=i % 40 + 1,
            col=3,
            hint="did you mean `segment`?",
        )
        for i in range(FORMATTED)
    ]
    extra = []
    for _ in range(times):
        spent = {}
        for name in ("text", "json"):
            start = time.perf_counter()
            FORMATTERS[name](found, 1000, io.StringIO())
            spent[name] = time.perf_counter() - start
        extra.append(spent["text"] - spent["json"])
    return round(statistics.median(extra), 3)


def ratios(
    results: dict[int, dict[str, object]], help_seconds: float, text_extra: float
) -> dict[str, object]:
    """The targets of the performance issue, each with its measured value and verdict."""
    found: dict[str, object] = {
        "help_seconds": {"value": help_seconds, "target": "< 0.3", "met": help_seconds < 0.3},
        "text_over_json_10k_findings": {
            "value": text_extra,
            "target": "<= 0.3 s",
            "met": text_extra <= 0.3,
        },
    }
    if 1000 in results:
        r = results[1000]
        cold = seconds(r, "check_cold")
        checks = {
            "cold_over_floor": (cold / seconds(r, "floor"), "<= 1.5", 1.5),
            "warm_over_cold": (seconds(r, "check_warm") / cold, "<= 0.15", 0.15),
            "one_changed_over_cold": (seconds(r, "check_one_changed") / cold, "<= 0.25", 0.25),
        }
        for name, (value, target, limit) in checks.items():
            found[name] = {"value": round(value, 3), "target": target, "met": value <= limit}
        peers = r["peers"]
        assert isinstance(peers, dict)
        if "check_jsonschema" in peers:
            value = cold / seconds(peers, "check_jsonschema")
            found["cold_over_check_jsonschema"] = {
                "value": round(value, 3),
                "target": "< 1",
                "met": value < 1,
            }
    if 1000 in results and 10000 in results:
        value = seconds(results[10000], "build_cold") / seconds(results[1000], "build_cold")
        found["build_10k_over_1k"] = {
            "value": round(value, 3),
            "target": "<= 11",
            "met": value <= 11,
        }
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.json")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    help_runs = [timed([str(BIN / "campc"), "--help"], ROOT) for _ in range(5)]
    help_seconds = round(statistics.median(s for s, _ in help_runs), 3)
    print(f"campc --help: {help_seconds:.3f} s")
    with tempfile.TemporaryDirectory(prefix="campc-bench-") as folder:
        # the largest repositories are timed once: a run takes minutes, not seconds
        results = {
            size: bench_size(size, Path(folder), args.repeat if size < 10_000 else 1)
            for size in sizes
        }
    text_extra = formatter_seconds(args.repeat)
    print(f"text minus JSON, {FORMATTED:,} findings: {text_extra:.3f} s")
    verdicts = ratios(results, help_seconds, text_extra)
    print("-- targets")
    for name, verdict in verdicts.items():
        assert isinstance(verdict, dict)
        mark = "met" if verdict["met"] else "MISSED"
        print(f"   {name:<28} {verdict['value']:>8} (target {verdict['target']}): {mark}")
    document = {
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "command": "nox -s bench",
        "repeat": args.repeat,
        "sizes": {str(size): result for size, result in results.items()},
        "targets": verdicts,
    }
    args.out.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
