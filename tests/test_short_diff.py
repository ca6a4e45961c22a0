"""`build --check`'s short diff of a stale file: difflib's unified diff, numbered as in
the whole file; a large file (the site's front page holds every entry of a quarter) is
compared in a window from its first changed line, so a one-line change to a 30,000-line
page costs milliseconds, not a minute. Property: every hunk shown is true of both files
(its context and removed lines are the committed file's at those numbers, its context
and added lines the built file's)."""

from __future__ import annotations

import difflib
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from compiler.output.writer import _DIFF_WINDOW, _short_diff

_HEADER = re.compile(r"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


def _assert_hunks_hold(before: list[str], after: list[str], diff: str) -> int:
    lines = diff.split("\n")
    hunks = 0
    for index, line in enumerate(lines):
        header = _HEADER.match(line)
        if header is None:
            continue
        hunks += 1
        old = int(header[1]) + (header[2] == ",0")
        new = int(header[3]) + (header[4] == ",0")
        for body in lines[index + 1 :]:
            if body.startswith(("@@", "... ")):
                break
            if body[:1] in (" ", "-"):
                assert before[old - 1] == body[1:], (old, body)
                old += 1
            if body[:1] in (" ", "+"):
                assert after[new - 1] == body[1:], (new, body)
                new += 1
    return hunks


_EDITS = st.lists(
    st.tuples(st.sampled_from(["drop", "add", "change"]), st.integers(0, 10**6)),
    min_size=1,
    max_size=6,
)


@settings(max_examples=60, deadline=None)
@given(size=st.integers(2 * _DIFF_WINDOW + 1, 3000), edits=_EDITS, seed=st.integers(0, 50))
def test_a_large_files_diff_is_true_of_both_files(
    size: int, edits: list[tuple[str, int]], seed: int
) -> None:
    before = [f"<tr><td>{(n * seed) % 97}</td></tr>" for n in range(size)]
    after = list(before)
    for kind, where in edits:
        at = where % len(after)
        if kind == "drop":
            del after[at]
        elif kind == "add":
            after.insert(at, "<tr><td>new</td></tr>")
        else:
            after[at] = "<tr><td>changed</td></tr>"
    diff = _short_diff("site/index.html", "\n".join(before).encode(), "\n".join(after).encode())
    if before == after:
        assert diff == ""
        return
    assert _assert_hunks_hold(before, after, diff) >= 1


def test_a_small_files_diff_is_difflibs_own() -> None:
    before = [f"line {n}" for n in range(50)]
    after = [*before[:10], "changed", *before[11:40], *before[41:]]
    whole = list(
        difflib.unified_diff(before, after, "a (committed)", "a (built)", lineterm="", n=1)
    )
    shown = _short_diff("a", "\n".join(before).encode(), "\n".join(after).encode())
    assert shown == "\n".join(whole)


def test_a_one_line_change_deep_in_a_large_page_is_shown_at_its_line() -> None:
    before = [f"<tr><td>{n}</td></tr>" for n in range(30_000)]
    after = list(before)
    after[20_000] = "<tr><td>x</td></tr>"
    shown = _short_diff("p", "\n".join(before).encode(), "\n".join(after).encode()).split("\n")
    assert shown[2] == "@@ -20000,3 +20000,3 @@"
    assert shown[4:6] == ["-<tr><td>20000</td></tr>", "+<tr><td>x</td></tr>"]
    assert shown[-1] == f"... (compared {_DIFF_WINDOW} lines from the first change)"


_LINES = st.sampled_from(["<tr>", "<td>1</td>", "", "x\r", "é", "a\u2028b", "</tr>"])


@settings(max_examples=150, deadline=None)
@given(
    lines=st.lists(_LINES, min_size=2 * _DIFF_WINDOW // 2 + 20, max_size=1200),
    edits=_EDITS,
    endings=st.sampled_from(["\n", "\r\n"]),
    final=st.booleans(),
)
def test_a_diff_of_large_files_read_in_part_is_the_diff_of_the_whole_files(
    lines: list[str], edits: list[tuple[str, int]], endings: str, final: bool
) -> None:
    """Past `large` bytes a short diff reads only the window it shows (it does not
    split a 20 MB manifest into lines): the same diff, hunk headers and cut note, as
    reading the whole files, whatever the line ends (CRLF, a lone CR, U+2028)."""
    after = list(lines)
    for kind, where in edits:
        at = where % (len(after) + 1)
        if kind == "drop" and after:
            del after[min(at, len(after) - 1)]
        elif kind == "add":
            after.insert(at, "<td>new</td>")
        elif after:
            after[min(at, len(after) - 1)] = "<td>changed</td>"
    tail = endings if final else ""
    old = (endings.join(lines) + tail).encode()
    new = (endings.join(after) + tail).encode()
    whole = _short_diff("f", old, new, large=len(old) + len(new))
    assert _short_diff("f", old, new, large=0) == whole


def test_a_large_file_that_is_not_text_has_no_diff() -> None:
    text = "\n".join(f"line {n}" for n in range(2000)).encode()
    assert _short_diff("f", text + b"\xff", text + b"\xfe", large=0) == ""
    assert _short_diff("f", b"\xff" + text, b"\xff" + text + b"x", large=0) == ""
