"""YAML syntax errors in the words of the mistake, at the line to fix.

The lines of the tab and indentation cases are yamllint's own (`yamllint -f parsable`
reports tab.yaml:4, indent.yaml:5, dedent.yaml:5); an unclosed quote or bracket is
reported where it opened, which yamllint does not say (it points at the end of the
file, or at the line where the parser gave up).
"""

from __future__ import annotations

import pytest

from compiler.load.source import read

CASES = {
    "tab": (
        "kind: campaign\nid: a\nbudget:\n\ttotal: 5\n",
        (4, 1),
        "a tab character",
    ),
    "indented-deeper": (
        "kind: campaign\nid: a\nbudget:\n  total: 5\n   currency: EUR\nname: x\n",
        (5, 4),
        "`currency` is indented deeper (3 spaces) than `total` on line 4",
    ),
    "indented-out-of-line": (
        "kind: campaign\nid: a\nbudget:\n  total: 5\n currency: EUR\n",
        (5, 2),
        "`currency` is indented 1 space, which lines it up with no key above",
    ),
    "double-quote": (
        'kind: campaign\nid: a\nname: "unclosed\nowner: x\ndomain: y\n',
        (3, 7),
        'the " opened here (line 3, column 7) is never closed',
    ),
    "single-quote": (
        "kind: campaign\nname: 'single\nid: a\n",
        (2, 7),
        "the ' opened here (line 2, column 7) is never closed",
    ),
    "bracket": (
        "kind: campaign\nid: a\nchannels: [email, social\nowner: x\ndomain: y\n",
        (3, 11),
        "the `[` opened here (line 3, column 11) is not closed before line 4",
    ),
    "brace": (
        "kind: campaign\nbudget: {total: 5, currency: EUR\nid: a\n",
        (2, 9),
        "the `{` opened here (line 2, column 9) is not closed before line 3",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_syntax_error_names_the_mistake_where_it_is(name: str) -> None:
    text, (line, col), message = CASES[name]
    doc, found = read("spec.yaml", text.encode())
    assert doc is None
    assert [(d.code, d.line, d.col) for d in found] == [("YAML001", line, col)]
    assert message in found[0].message
    assert found[0].hint


def test_a_colon_inside_a_value_still_says_to_quote_it() -> None:
    _, found = read("spec.yaml", b"kind: campaign\nname: Q2: launch\n")
    assert found[0].code == "YAML001"
    assert "quote" in found[0].hint
