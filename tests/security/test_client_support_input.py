"""What EMAIL021 reads comes from templates in a pull request: markup and CSS built to
break a parser (unclosed blocks, nesting past lxml's limit, a style of a million
declarations, tags named like caniemail's slugs) gives features or none, never a crash,
and nothing a template writes becomes a feature caniemail does not know."""

from __future__ import annotations

from compiler.conventions import caniemail
from compiler.email import support


def test_css_built_to_break_the_parser_is_read_as_far_as_it_goes() -> None:
    styles = [
        "display:flex" + ";" * 10_000,
        "{" * 5_000 + "display: grid",
        "display: flex; " * 20_000,
        "background: url('x\\'); display: flex",
        "/* unclosed comment display: flex",
        "color: red !important !important; --evil: {{ env }}",
    ]
    for style in styles:
        page = f'<html><body><div style="{style}">x</div></body></html>'
        uses = support.features(page)
        assert all(u.slug in caniemail.data().features for u in uses)


def test_deep_or_odd_markup_gives_no_crash() -> None:
    deep = "<div>" * 300 + "x" + "</div>" * 300
    assert support.features(f"<html><body>{deep}</body></html>") is not None
    odd = (
        "<html><body><css-display-flex>a</css-display-flex><html-video></html-video>"
        "<style>@media {</style><style>@import url(x); .a{</style>"
        '<p style="\x00display:\x00flex">b</p></body></html>'
    )
    slugs = {u.slug for u in support.features(odd)}
    assert "css-at-import" in slugs
    assert slugs <= set(caniemail.data().features)
    assert "html-css-display-flex" not in slugs
