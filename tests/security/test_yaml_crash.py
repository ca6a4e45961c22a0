"""Promise 5: no spec makes campc die. Nesting deep enough to overflow the C stack of
libyaml's composer is refused before it composes, as a YAML009 at the level that passes
the limit; text that only looks deep (inside a string) still loads.

The crash cases run `campc check` in a subprocess: a segfault there is a negative return
code, not a test run that dies. The fuzz cases call the loader in-process."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml.error import YAMLError
from ruamel.yaml.events import CollectionEndEvent, CollectionStartEvent
from ruamel.yaml.main import YAML

from compiler.load import source

ROOT = Path(__file__).resolve().parents[2]
DEEP = 50_000  # past the ~30,000 levels at which the composer overflows an 8 MB stack
FINDING = re.compile(r"^campaigns/(?P<file>\S+):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]+\d+) ")
LIMIT = source.MAX_DEPTH


def check(project: Path) -> tuple[int, list[tuple[str, int, int, str]], str]:
    """`campc check` in a fresh interpreter: return code, findings, and the output."""
    done = subprocess.run(
        [sys.executable, "-m", "compiler", "check", "--format", "concise"],
        cwd=project,
        env={**os.environ, "PYTHONPATH": str(ROOT), "CAMPC_NO_CACHE": "1"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = done.stdout + done.stderr
    assert done.returncode >= 0, f"campc was killed by signal {-done.returncode}"
    found = [
        (m["file"], int(m["line"]), int(m["col"]), m["code"])
        for m in map(FINDING.match, output.splitlines())
        if m is not None
    ]
    return done.returncode, found, output


def block_lines(chains: int, dashes: int) -> str:
    """`chains` lines of `dashes` compact entries, each line nested in the one above."""
    return "".join(" " * (2 * dashes * i) + "- " * dashes + "\n" for i in range(chains))


CRASHERS = {
    # file: (text, line and column of the first node past the limit)
    "one-line-sequence": ("kind: campaign\nx:\n" + "- " * DEEP + "v\n", 3, 2 * LIMIT + 1),
    "sequence-over-lines": ("kind: campaign\nx:\n" + block_lines(5, DEEP // 5) + "v\n", 3, 129),
    # The first `?` is a second key of the top mapping: the 66th opens level 65.
    "explicit-keys-mappings": ("x:\n" + "? " * DEEP + "v\n", 2, 2 * LIMIT + 3),
    # One space per level: as deep as 1 MB allows (1,400 levels).
    "mappings-by-indentation": ("".join(f"{' ' * i}k{i}:\n" for i in range(1_400)), 65, 65),
    "sequences-and-mappings": ("x:\n" + "- ? " * (DEEP // 2) + "v\n", 2, 2 * LIMIT + 1),
    "block-around-flow": ("x:\n" + "- " * DEEP + "[" * 60 + "v" + "]" * 60 + "\n", 2, 129),
    "cr-line-breaks": ("x:\r" + "- " * DEEP + "v\r", 2, 2 * LIMIT + 1),
    "nel-line-breaks": ("x:\x85" + "- " * DEEP + "v\x85", 2, 2 * LIMIT + 1),
    "ls-line-breaks": ("x:\u2028" + "- " * DEEP + "v\u2028", 2, 2 * LIMIT + 1),
}


def test_deep_block_nesting_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    # One run for all (each start-up costs a second); a crash on any one is a signal.
    (tmp_path / "campaigns").mkdir()
    (tmp_path / "pyproject.toml").write_text("[tool.campc]\n")
    for name, (text, _, _) in CRASHERS.items():
        (tmp_path / "campaigns" / f"{name}.yaml").write_text(text, encoding="utf-8")
    code, found, output = check(tmp_path)
    expected = [(f"{name}.yaml", line, col, "YAML009") for name, (_, line, col) in CRASHERS.items()]
    assert (code, sorted(found)) == (1, sorted(expected)), output
    assert output.count(f"nesting deeper than {LIMIT} levels") == len(CRASHERS)


def test_deep_looking_strings_load(tmp_path: Path) -> None:
    # Block scalars, quoted and plain multi-line strings may hold any number of `- `:
    # they are text, not nesting, and the example repository stays clean.
    shutil.copytree(ROOT / "campaigns", tmp_path / "campaigns")
    (tmp_path / "pyproject.toml").write_text(
        "[tool.campc]\n[tool.campc.email]\n"  # the features the example's layout accepts
        'allow-unsupported = ["css-border-radius", "css-overflow-wrap", "css-height"]\n'
    )
    spec = tmp_path / "campaigns" / "acquisition" / "monthly-newsletter-q2.yaml"
    text = spec.read_text(encoding="utf-8")
    start = text.index("description: >")
    end = text.index("tags:")
    deep = "- " * DEEP
    description = f"description: |\n  {deep}\n" + "".join(
        f"  {' ' * i}- level {i}\n" for i in range(200)
    )
    spec.write_text(text[:start] + description + text[end:], encoding="utf-8")
    code, found, output = check(tmp_path)
    assert (code, found) == (0, []), output


STRINGS = {
    "literal block": "s: |\n" + "".join(f"  {'  ' * i}- {i}\n" for i in range(100)),
    "folded block": "s: >-\n  " + "- " * 2_000 + "\n",
    "double quoted": 's: "first\n' + " " * 200 + "- " * 2_000 + 'x"\n',
    "single quoted": "s: 'first\n" + "".join(f"  {'- ' * i}{i}\n" for i in range(100)) + "  '\n",
    "plain": "s: first\n  " + "- " * 2_000 + "x\n",
}


@pytest.mark.parametrize("case", STRINGS)
def test_nesting_inside_a_string_is_not_nesting(case: str) -> None:
    text = STRINGS[case]
    doc, found = source.read("s.yaml", text.encode())
    assert found == []
    assert doc is not None
    assert doc.data == YAML(typ="safe", pure=True).load(text)


def depths(text: str) -> tuple[int, int]:
    """How deep libyaml nests block collections, and all collections, before the end or
    its first error (the oracle: the composer never goes deeper than the parser)."""
    open_flows: list[bool] = []
    block = total = 0
    try:
        for event in YAML(typ="safe", pure=False).parse(text):
            if isinstance(event, CollectionStartEvent):
                open_flows.append(bool(event.flow_style))
                total = max(total, len(open_flows))
                block = max(block, open_flows.count(False))
            elif isinstance(event, CollectionEndEvent):
                open_flows.pop()
    except YAMLError:
        pass
    return block, total


@st.composite
def chains(draw: st.DrawFn) -> tuple[str, list[str], int]:
    """A valid document nesting one block collection per step, laid out every way block
    YAML allows (compact, on the next line, indentless), ending in flow brackets."""
    size = draw(st.integers(1, 90) | st.integers(LIMIT - 2, LIMIT + 30))
    steps = draw(st.lists(st.sampled_from(["- ", "-\n", "? ", "k:"]), min_size=size, max_size=size))
    flow = draw(st.integers(0, 30))
    out: list[str] = []
    col = 0  # where the next token goes
    key_col: int | None = None  # set after `k:`: the value starts on a new line
    for step in steps:
        if key_col is not None:
            least = 0 if step.startswith("-") else 1  # a sequence may sit at its key's column
            col = key_col + draw(st.integers(least, 3))
            out.append("\n" + " " * col)
            key_col = None
        if step == "-\n":
            col += draw(st.integers(1, 3))
            out.append("-\n" + " " * col)
        elif step == "k:":
            key_col = col
            out.append("k:")
        else:
            col += 2
            out.append(step)
    out.append(" " if key_col is not None else "")
    out.append("[" * flow + "v" + "]" * flow + "\n")
    return "".join(out), steps, flow


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chains())
def test_every_layout_of_deep_nesting_is_caught_at_the_limit(
    chain: tuple[str, list[str], int],
) -> None:
    text, steps, flow = chain
    assert depths(text) == (len(steps), len(steps) + flow), text  # the generator is right
    if len(steps) > LIMIT:
        assert source._may_nest_deeply(text), text
    codes = [d.code for d in source.read("s.yaml", text.encode())[1]]
    if len(steps) + flow <= LIMIT:
        assert "YAML009" not in codes, text
    elif len(steps) > LIMIT or "? " not in steps:  # else a complex key may be refused first
        assert codes == ["YAML009"], text


PIECES = ["- ", "? ", ": ", "-\t", "  ", " " * 9, "k:", "v", "[", "]", "{a: ", "}", "|", "'", '"']
BREAKS = ["\n", "\r\n", "\r", "\x85", "\u2028", "\ufeff"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(PIECES + BREAKS), max_size=400))
def test_punctuation_soup_is_never_deeper_than_the_estimate(pieces: list[str]) -> None:
    text = "".join(pieces)
    if depths(text)[0] > LIMIT:
        assert source._may_nest_deeply(text), text
    doc, found = source.read("soup.yaml", text.encode())
    assert (doc is None) == bool(found)
