"""The benchmark behind `nox -s bench`: campc against the floor and its peers, same files.

For each size (default 100, 1,000 and 10,000 specs) it generates a synthetic repository
(`bench/synth.py`), then times whole processes, as a user would see them:

- floor: a Python process loading every YAML file with ruamel.yaml's C-backed safe
  loader (digit colons masked as campc masks them, so libyaml reads every file);
- campc check cold (no cache, and the cache filled as a side effect), warm (nothing
  changed), and after one campaign file changed; campc build cold, warm, after one
  campaign changed, and `build --check` after it; the swap floor (the outputs
  hard-linked into a fresh folder, then removed: what any new generation costs);
  `campc diff HEAD` of that one-spec change in a git repository; peak memory;
- peers: check-jsonschema against campc's schemas (one run per kind), and yamllint;
- once: the text report's extra time over JSON for 10,000 findings (in memory), and
  `campc score` on `--score-leads` leads and three times as many events against its
  floor, DuckDB reading the same files and writing a CSV of the same rows.

The floor and the cold check, whose ratio is the first target, run interleaved (floor,
check, floor, check, ...): this machine's speed drifts by 20-50 % over minutes. Each
timing is the median of `--repeat` runs (one run from 10,000 specs up). It prints the
table and the ratios the performance targets are stated in, and writes everything to
`--out` as JSON. It is a benchmark, not a test: nothing fails when a target is missed.

    python bench/run.py [--sizes 100,1000,10000] [--repeat 3] [--score-leads 1000000]
                        [--out bench/results.json]
"""

from __future__ import annotations

import argparse
import compileall
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


SCORE_FLOOR = """
import sys, duckdb
leads, events, out = sys.argv[1:4]
duckdb.sql(f'''
COPY (
  SELECT l.*, count(e.lead_id) AS events, max(e.occurred_at) AS last_event
  FROM read_csv('{leads}', header = true, columns = {{
    'lead_id': 'VARCHAR', 'company_size': 'DOUBLE', 'job_level': 'VARCHAR',
    'industry': 'VARCHAR', 'country': 'VARCHAR', 'email_domain_type': 'VARCHAR'}}) AS l
  LEFT JOIN read_csv('{events}', header = true, columns = {{
    'lead_id': 'VARCHAR', 'event_type': 'VARCHAR', 'occurred_at': 'TIMESTAMP'}}) AS e
  USING (lead_id)
  GROUP BY ALL ORDER BY l.lead_id
) TO '{out}' (HEADER)''')
"""
"""The score floor: DuckDB reading the same leads and events (typed as the model's
catalog types them), joining them and writing one CSV row per lead."""

SWAP_FLOOR = """
import os, shutil, sys
outputs, fresh = sys.argv[1:3]
for folder, _, names in os.walk(outputs):
    into = os.path.join(fresh, os.path.relpath(folder, outputs))
    os.makedirs(into, exist_ok=True)
    for name in names:
        os.link(os.path.join(folder, name), os.path.join(into, name))
shutil.rmtree(fresh)
"""
"""The swap floor: what a new generation of the outputs staged in a fresh folder costs
the file system at least (one hard link per unchanged file, then the old generation
removed), with nothing compiled or compared: what a build without the cache pays, and
what the spare a build keeps in the cache (updated in place) saves the others."""


def score_inputs(folder: Path, leads: int) -> tuple[Path, Path]:
    """`leads` synthetic leads of the example scoring model's catalog, and three events
    per lead over two months, as CSV."""
    import duckdb

    lead_file, event_file = folder / "leads.csv", folder / "events.csv"
    duckdb.sql(
        f"""COPY (
          SELECT printf('lead-%08d', i) AS lead_id, (i * 7919) % 5000 AS company_size,
            ['individual', 'manager', 'director', 'vp', 'c_level'][i % 5 + 1] AS job_level,
            ['software', 'education', 'finance', 'retail'][i % 4 + 1] AS industry,
            ['FR', 'US', 'DE', 'GB', 'JP'][i % 5 + 1] AS country,
            CASE WHEN i % 6 = 0 THEN 'personal' ELSE 'business' END AS email_domain_type
          FROM range({leads}) AS t(i)
        ) TO '{lead_file}' (HEADER)"""
    )
    duckdb.sql(
        f"""COPY (
          SELECT printf('lead-%08d', (i * 2654435761) % {leads}) AS lead_id,
            ['pricing_page_viewed', 'webinar_attended', 'demo_requested', 'trial_started',
             'email_clicked', 'unsubscribed'][i % 6 + 1] AS event_type,
            strftime(TIMESTAMP '2027-03-01' + to_seconds(i % 5184000), '%Y-%m-%dT%H:%M:%S')
              AS occurred_at
          FROM range({3 * leads}) AS t(i)
        ) TO '{event_file}' (HEADER)"""
    )
    return lead_file, event_file


def bench_score(work: Path, leads: int, times: int) -> dict[str, object]:
    """`campc score` of the example model against its floor, interleaved."""
    folder = work / "score"
    folder.mkdir()
    lead_file, event_file = score_inputs(folder, leads)
    out = str(folder / "scores.csv")
    score = [
        str(BIN / "campc"),
        "score",
        "b2b-lead-scoring",
        "--leads",
        str(lead_file),
        "--events",
        str(event_file),
        "--as-of",
        "2027-05-01",
        "--out",
        out,
    ]
    floor = [sys.executable, "-c", SCORE_FLOOR, str(lead_file), str(event_file), out]
    print(f"-- campc score, {leads:,} leads and {3 * leads:,} events", flush=True)
    found: dict[str, object] = {"leads": leads, "events": 3 * leads}
    found.update(interleaved(times, {"score_floor": (None, floor), "score": (None, score)}, ROOT))
    for name in ("score_floor", "score"):
        value = found[name]
        assert isinstance(value, dict)
        print(f"   {name:<20} {value['seconds']:>8.3f} s {value['peak_mib']:>8.1f} MiB")
    return found


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


def interleaved(
    times: int, commands: dict[str, tuple[object, list[str]]], cwd: Path
) -> dict[str, dict[str, float]]:
    """Like `repeat` for several commands, run in turns (a, b, a, b, ...): a ratio of two
    of them then sees the same drift of the machine's speed."""
    runs: dict[str, list[tuple[float, int]]] = {name: [] for name in commands}
    for _ in range(times):
        for name, (setup, command) in commands.items():
            if callable(setup):
                setup()
            runs[name].append(timed(command, cwd))
    return {name: median(found) for name, found in runs.items()}


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
    floor = [sys.executable, "-c", FLOOR, str(campaigns)]
    result.update(
        interleaved(
            times, {"floor": (None, floor), "check_cold": (no_cache, [campc, "check"])}, root
        )
    )
    result["check_no_cache"] = repeat(times, None, [campc, "check", "--no-cache"], root)
    no_cache()
    timed([campc, "check"], root)
    result["check_warm"] = repeat(times, None, [campc, "check"], root)
    result["check_one_changed"] = repeat(times, touch_one, [campc, "check"], root)
    one.write_text(original, encoding="utf-8")
    result["build_cold"] = repeat(min(times, 2), clean_build, [campc, "build"], root)
    result["build_warm"] = repeat(times, None, [campc, "build"], root)
    result["build_one_changed"] = repeat(times, touch_one, [campc, "build"], root)
    result["build_check_one_changed"] = repeat(times, touch_one, [campc, "build", "--check"], root)
    swap = [sys.executable, "-c", SWAP_FLOOR, str(root / "outputs"), str(root / ".swap-floor")]
    result["swap_floor"] = repeat(times, None, swap, root)
    one.write_text(original, encoding="utf-8")
    git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@campc.invalid"]
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run([*git, "add", "-A"], cwd=root, check=True)
    subprocess.run([*git, "commit", "-qm", "bench"], cwd=root, check=True)
    timed([campc, "check"], root)
    result["diff_one_changed"] = repeat(times, touch_one, [campc, "diff", "HEAD"], root)
    one.write_text(original, encoding="utf-8")
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
    results: dict[int, dict[str, object]],
    help_seconds: float,
    text_extra: float,
    scored: dict[str, object] | None,
) -> dict[str, object]:
    """The targets of the speed issue, each with its measured value and verdict."""
    found: dict[str, object] = {
        "help_seconds": {"value": help_seconds, "target": "< 0.3", "met": help_seconds < 0.3},
        "text_over_json_10k_findings": {
            "value": text_extra,
            "target": "<= 0.3 s",
            "met": text_extra <= 0.3,
        },
    }

    def target(name: str, value: float, limit: float) -> None:
        found[name] = {"value": round(value, 3), "target": f"<= {limit}", "met": value <= limit}

    if 1000 in results:
        r = results[1000]
        cold = seconds(r, "check_cold")
        build = seconds(r, "build_cold")
        target("cold_over_floor", cold / seconds(r, "floor"), 1.0)
        target("warm_over_cold", seconds(r, "check_warm") / cold, 0.05)
        target("one_changed_over_cold", seconds(r, "check_one_changed") / cold, 0.15)
        target("build_cold_over_check_cold", build / cold, 2.0)
        target("build_one_changed_over_build_cold", seconds(r, "build_one_changed") / build, 0.15)
        target(
            "build_check_one_changed_over_build_cold",
            seconds(r, "build_check_one_changed") / build,
            0.15,
        )
        found["swap_floor_over_build_one_changed"] = {
            "value": round(seconds(r, "swap_floor") / seconds(r, "build_one_changed"), 3),
            "target": "(a fresh staging folder's part: the spare in the cache spares it)",
        }
        target("diff_one_changed_over_check_cold", seconds(r, "diff_one_changed") / cold, 0.5)
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
        for row in ("check_cold", "build_cold"):
            value = seconds(results[10000], row) / seconds(results[1000], row)
            target(f"{row}_10k_over_1k", value, 10.5)
    if scored is not None:
        target("score_over_floor", seconds(scored, "score") / seconds(scored, "score_floor"), 1.5)
    return found


def target_lines(verdicts: dict[str, object]) -> list[str]:
    """The table of `ratios`, one line per target (and per figure shown beside them)."""
    lines = []
    for name, verdict in verdicts.items():
        assert isinstance(verdict, dict)
        if "met" not in verdict:  # a figure shown beside the targets, not one of them
            lines.append(f"   {name:<28} {verdict['value']:>8} {verdict['target']}")
            continue
        mark = "met" if verdict["met"] else "MISSED"
        lines.append(f"   {name:<28} {verdict['value']:>8} (target {verdict['target']}): {mark}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--score-leads", type=int, default=1_000_000, help="0 leaves `campc score` out"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.json")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    # Bytecode first, as every installed copy has it (pip compiles at install, an
    # interpreter on first import): under PYTHONDONTWRITEBYTECODE an editable install
    # would otherwise compile campc's 300 modules from source in every timed process.
    compileall.compile_dir(ROOT / "compiler", quiet=1)
    help_runs = [timed([str(BIN / "campc"), "--help"], ROOT) for _ in range(5)]
    help_seconds = round(statistics.median(s for s, _ in help_runs), 3)
    print(f"campc --help: {help_seconds:.3f} s")
    with tempfile.TemporaryDirectory(prefix="campc-bench-") as folder:
        # the largest repositories are timed once: a run takes minutes, not seconds
        results = {
            size: bench_size(size, Path(folder), args.repeat if size < 10_000 else 1)
            for size in sizes
        }
        scored = (
            bench_score(Path(folder), args.score_leads, args.repeat) if args.score_leads else None
        )
    text_extra = formatter_seconds(args.repeat)
    print(f"text minus JSON, {FORMATTED:,} findings: {text_extra:.3f} s")
    verdicts = ratios(results, help_seconds, text_extra, scored)
    print("-- targets")
    for line in target_lines(verdicts):
        print(line)
    document = {
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "command": "nox -s bench",
        "repeat": args.repeat,
        "sizes": {str(size): result for size, result in results.items()},
        "score": scored,
        "targets": verdicts,
    }
    args.out.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
