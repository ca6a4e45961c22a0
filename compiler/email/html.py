"""The HTML part made ready to send (CSS inlined, a hidden preheader) and the text part
derived from it."""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass


_BLOCKS = {"p", "div", "table", "tr", "h1", "h2", "h3", "h4", "ul", "ol", "li", "br", "hr"}
_SKIP = {"style", "script", "head", "title"}


class _Text(HTMLParser):
    """HTML to readable text: blocks become lines, links `label (url)`, images their alt."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skipping = 0
        self.hidden = 0
        self.link: str | None = None
        self.label: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in _SKIP:
            self.skipping += 1
        elif tag == "div" and "display:none" in (values.get("style") or "").replace(" ", ""):
            self.hidden += 1  # the preheader: the inbox shows it, the body does not
        if tag in _BLOCKS:
            self.out.append("\n" if tag != "li" else "\n- ")
        if tag == "a":
            self.link = values.get("href")
            self.label = []
        if tag == "img" and values.get("alt"):
            self.write(values["alt"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skipping = max(self.skipping - 1, 0)
        elif tag == "div" and self.hidden:
            self.hidden -= 1
        if tag == "a" and self.link is not None:
            label = " ".join("".join(self.label).split())
            url = self.link
            self.link = None
            self.out.append(f"{label} ({url})" if label and label != url else url)
        if tag in _BLOCKS and tag not in ("br", "li"):
            self.out.append("\n")

    def handle_data(self, data: str) -> None:
        self.write(data)

    def write(self, data: str) -> None:
        if self.skipping or self.hidden:
            return
        if self.link is not None:
            self.label.append(data)
        else:
            self.out.append(data)


def to_text(html: str) -> str:
    """The plain-text alternative of an email's HTML."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.out).splitlines()]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return text + "\n"


def inline_css(html: str) -> str:
    """CSS from `<style>` moved into style attributes; @media and other at-rules kept."""
    import css_inline

    inliner = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)
    return str(inliner.inline(html))


def with_preheader(html: str, preheader: str | None) -> str:
    """A hidden preheader as the first thing in `<body>`."""
    if not preheader:
        return html
    hidden = (
        '<div style="display:none;max-height:0;overflow:hidden;mso-hide:all">'
        f"{escape(preheader)}</div>"
    )
    match = re.search(r"<body[^>]*>", html, re.IGNORECASE)
    if match is None:
        return hidden + html
    return html[: match.end()] + hidden + html[match.end() :]
