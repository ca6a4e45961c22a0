"""The accessibility audit of finished emails (EMAIL016-EMAIL020).

The contrast ratios are held to published figures (WebAIM's contrast checker and
WCAG 2.2's own examples): #767676 on white is the lightest grey at 4.5:1, #777777 just
misses it, Tailwind's gray-500 (#6b7280) on white is 4.83:1.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compiler.email.accessibility import CONTRAST, FONT, LANG, LINK, TABLE, audit, contrast


def _rgb(hex_colour: str) -> tuple[float, float, float]:
    value = hex_colour.lstrip("#")
    return tuple(int(value[i : i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


@pytest.mark.parametrize(
    ("fg", "bg", "published"),
    [
        ("#000000", "#ffffff", 21.0),
        ("#767676", "#ffffff", 4.54),
        ("#777777", "#ffffff", 4.48),
        ("#6b7280", "#ffffff", 4.83),
        ("#ffffff", "#ffffff", 1.0),
    ],
)
def test_contrast_matches_the_published_ratios(fg: str, bg: str, published: float) -> None:
    assert round(contrast(_rgb(fg), _rgb(bg)), 2) == published


channel = st.floats(min_value=0, max_value=1)
colour = st.tuples(channel, channel, channel)


@given(colour, colour)
def test_contrast_is_symmetric_and_between_1_and_21(
    a: tuple[float, float, float], b: tuple[float, float, float]
) -> None:
    assert contrast(a, b) == pytest.approx(contrast(b, a))
    assert 1 - 1e-9 <= contrast(a, b) <= 21 + 1e-9


def _kinds(page: str) -> list[str]:
    return [p.kind for p in audit(page, 12)]


def test_colours_are_inherited_and_backgrounds_layered() -> None:
    page = (
        '<html lang="en"><body style="color: #111111">'
        '<table role="presentation" bgcolor="#1d2330"><tr><td>'
        '<p style="color: #ffffff">light on dark</p><p>dark on dark</p>'
        "</td></tr></table></body></html>"
    )
    [problem] = audit(page, 12)
    assert problem.kind == CONTRAST
    assert "`dark on dark` is #111111 on #1d2330" in problem.message


def test_large_bold_text_needs_3_to_1_and_hidden_text_is_not_read() -> None:
    grey = "color: #949494"  # 3.03:1 on white
    page = (
        '<html lang="en"><body>'
        '<div style="display:none;max-height:0;color:#ffffff">preheader</div>'
        f'<h2 style="font-size: 19px; {grey}">Large and bold</h2>'
        f'<p style="font-size: 19px; {grey}">Large, not bold</p>'
        "</body></html>"
    )
    problems = audit(page, 12)
    assert [p.kind for p in problems] == [CONTRAST]
    assert "Large, not bold" in problems[0].message


def test_each_kind_is_found() -> None:
    page = (
        "<html><body><table><tr><td>"
        '<span style="font-size: 8pt">tiny</span> '
        '<a href="https://x.example/">Read more</a> '
        '<a href="https://x.example/a"><img src="https://x.example/a.png" alt=""></a>'
        '<a href="https://x.example/b" aria-label="Our blog"><img src="b.png" alt=""></a>'
        "</td></tr></table></body></html>"
    )
    assert _kinds(page) == [LANG, TABLE, FONT, LINK, LINK]


def test_hostile_css_is_read_as_css_reads_it() -> None:
    """Out-of-range channels are clamped as CSS clamps them; a weight written with a
    superscript digit is no weight; nothing raises."""
    page = (
        '<html lang="en"><body>'
        '<p style="font-weight: \u00b2; color: rgb(300, -1, 0)">red</p>'
        '<p style="font-size: 1e309px; color: rgb(-50,-50,-50); background: url(x.png)">x</p>'
        "</body></html>"
    )
    problems = audit(page, 12)
    assert [p.kind for p in problems] == [CONTRAST]
    assert "is #ff0000 on #ffffff: contrast 4.00:1" in problems[0].message
