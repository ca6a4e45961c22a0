"""Links in an email: UTM tags added, links rewritten in HTML and found in text, every
link and image an HTML part holds."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from html import escape
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

if TYPE_CHECKING:
    pass


def with_utm(url: str, params: Mapping[str, str]) -> str:
    """`url` with the UTM parameters it does not already set; query order and the
    fragment are kept."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return url
    existing = parse_qsl(parts.query, keep_blank_values=True)
    present = {k for k, _ in existing}
    added = [(k, v) for k, v in params.items() if k not in present]
    if not added:
        return url
    query = parts.query + ("&" if parts.query else "") + urlencode(added)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


_TEXT_URL = re.compile(r"https?://[^\s<>\"'()\[\]]+")


def text_links(text: str) -> list[str]:
    """The http(s) URLs written in a plain text, without trailing punctuation."""
    return [match.group().rstrip(".,;:!?") for match in _TEXT_URL.finditer(text)]


def tag_text_links(text: str, rewrite: Callable[[str], str]) -> str:
    """`text` with every http(s) URL in it passed through `rewrite`."""

    def one(match: re.Match[str]) -> str:
        url = match.group()
        bare = url.rstrip(".,;:!?")
        return rewrite(bare) + url[len(bare) :]

    return _TEXT_URL.sub(one, text)


class _Rewriter(HTMLParser):
    """Copies HTML as it is, rewriting the href of every `<a>` through `rewrite`."""

    def __init__(self, rewrite: Any) -> None:
        super().__init__(convert_charrefs=False)
        self.rewrite = rewrite
        self.out: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raw = self.get_starttag_text() or ""
        if tag != "a" or not any(k == "href" for k, _ in attrs):
            self.out.append(raw)
            return
        parts = []
        for key, value in attrs:
            if key == "href" and value is not None:
                value = self.rewrite(value)
            parts.append(key if value is None else f'{key}="{escape(value, quote=True)}"')
        closing = "/>" if raw.rstrip().endswith("/>") else ">"
        self.out.append(f"<a {' '.join(parts)}{closing}")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.out.append(data)

    def handle_entityref(self, name: str) -> None:
        self.out.append(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.out.append(f"&#{name};")

    def handle_comment(self, data: str) -> None:
        self.out.append(f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self.out.append(f"<!{decl}>")

    def handle_pi(self, data: str) -> None:
        self.out.append(f"<?{data}>")

    def unknown_decl(self, data: str) -> None:
        self.out.append(f"<![{data}]>")


def rewrite_links(html: str, rewrite: Any) -> str:
    """`html` with every link's href passed through `rewrite`."""
    parser = _Rewriter(rewrite)
    parser.feed(html)
    parser.close()
    return "".join(parser.out)


def scan(html: str) -> tuple[list[str], list[dict[str, str | None]]]:
    """Every link target and every image's attributes in `html` (lxml's parser: the
    rules read every email on every check, so this must be quick)."""
    import lxml.html
    from lxml.etree import ParserError

    try:
        document = lxml.html.document_fromstring(html)
    except ParserError:  # an empty document
        return [], []
    found = [str(a.get("href")) for a in document.iter("a") if a.get("href")]
    images: list[dict[str, str | None]] = [
        {str(k): str(v) for k, v in img.attrib.items()} for img in document.iter("img")
    ]
    for image in images:
        image.setdefault("alt", None)
    return found, images
