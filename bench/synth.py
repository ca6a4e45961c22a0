"""Synthetic campaigns repositories for the benchmark.

A repository of N specs is the example repository (`campaigns/`) copied N/12 times: each
copy's specs and audiences get a numbered id suffix, and every reference inside the copy
is renamed with them, so the cross-references stay valid and the mix of kinds, the file
sizes and the rules' work per spec are those of a real quarter. Templates, blackouts,
conventions and the samples are shared, as they are in a real repository; only the first
copy of a scoring model keeps its `history` (a team backtests a model or two, not every
copy of one).

    python bench/synth.py OUT N
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parent.parent / "campaigns"
SHARED = ("blackouts.yaml", "conventions", "templates", "samples")
_ID = re.compile(r"^(?:  - )?id: ([a-z0-9-]+)\s*$", re.MULTILINE)

PYPROJECT = """\
[project]
name = "bench-campaigns"
version = "0"

[tool.campc]
campaigns = "campaigns"
outputs = "outputs"
schemas = "schemas"

[tool.campc.email]
allow-unsupported = ["css-border-radius", "css-overflow-wrap", "css-height"]  # as the example
"""


def _specs() -> list[Path]:
    return sorted(
        p
        for p in EXAMPLE.rglob("*.yaml")
        if p.relative_to(EXAMPLE).parts[0] not in SHARED and p.name != "audiences.yaml"
    )


def _ids(texts: list[str]) -> list[str]:
    found = {m.group(1) for text in texts for m in _ID.finditer(text)}
    return sorted(found, key=len, reverse=True)


def _without_history(lines: list[str]) -> list[str]:
    """A spec's lines without its top-level `history:` block."""
    kept, skipping = [], False
    for line in lines:
        if line.startswith("history:"):
            skipping = True
            continue
        if skipping and line.startswith((" ", "\t")):
            continue
        skipping = False
        kept.append(line)
    return kept


def generate(out: Path, count: int) -> Path:
    """Write a repository of `count` specs (plus registries) under `out`; returns its
    campaigns folder."""
    specs = _specs()
    texts = {p: p.read_text(encoding="utf-8") for p in specs}
    audiences = (EXAMPLE / "audiences.yaml").read_text(encoding="utf-8")
    ids = _ids([*texts.values(), audiences])
    pattern = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, ids)) + r")(?![\w/.-])")
    # an experiment's `send: <campaign>/<send>` names two ids around a slash
    send_ref = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, ids)) + r")(?![\w.-])")
    if out.exists():
        shutil.rmtree(out)
    campaigns = out / "campaigns"
    campaigns.mkdir(parents=True)
    (out / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    for name in SHARED:
        source = EXAMPLE / name
        if source.is_dir():
            shutil.copytree(source, campaigns / name)
        else:
            shutil.copy(source, campaigns / name)
    copies = -(-count // len(specs))
    written = 0
    for copy in range(copies):

        def rename(match: re.Match[str], copy: int = copy) -> str:
            return f"{match.group(1)}-{copy:05d}"

        (campaigns / f"audiences-{copy:05d}.yaml").write_text(
            pattern.sub(rename, audiences), encoding="utf-8"
        )
        for path in specs:
            if written == count:
                break
            rel = path.relative_to(EXAMPLE)
            target = campaigns / rel.parent / f"{copy:05d}" / f"{path.stem}-{copy:05d}.yaml"
            target.parent.mkdir(parents=True, exist_ok=True)
            lines = texts[path].splitlines(keepends=True)
            # UTM values are vocabulary, not ids (a send called `newsletter` must not
            # rename `utm: {source: newsletter}` out of the conventions' list)
            renamed = [
                ln
                if ln.startswith("utm:")
                else (send_ref if ln.startswith("send:") else pattern).sub(rename, ln)
                for ln in lines
            ]
            if copy:
                renamed = _without_history(renamed)
            target.write_text("".join(renamed), encoding="utf-8")
            written += 1
    return campaigns


if __name__ == "__main__":
    generate(Path(sys.argv[1]), int(sys.argv[2]))
