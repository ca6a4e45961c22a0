"""Which email clients render what an email's HTML uses, from caniemail's data.

caniemail (https://www.caniemail.com) tests each HTML element, attribute and CSS
feature in each client family and platform; `conventions/caniemail.py` reads its data.

`features` lists what a template's HTML uses: elements and attributes by their
caniemail slugs (`html-video`, `html-srcset`), CSS properties in `style` attributes and
`<style>` rules (`css-border-radius`), the values caniemail tests on their own
(`display: flex` is `css-display-flex`), functions (`calc()`, `linear-gradient()`,
`var()`) and at-rules (`@font-face`, `@import`). What sits inside an `@media` block
is left out: a client that does not run the query skips it, which is what such a block
is for; and so are the document's frame (`<html>`, `<head>`, `<body>`, `<meta>`,
`<title>`, `<style>`), which every email has and every client copes with.

Only `n` is a problem: a partly supported feature (`a`) works in the common case, and
the notes say where not.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

import tinycss2

from compiler.conventions.caniemail import data

FRAME = frozenset({"html", "head", "body", "meta", "title", "style", "link", "base"})
"""Elements of the document's frame, never reported."""

_ELEMENTS = {
    "h1": "html-h1-h6",
    "h2": "html-h1-h6",
    "h3": "html-h1-h6",
    "h4": "html-h1-h6",
    "h5": "html-h1-h6",
    "h6": "html-h1-h6",
    "ul": "html-lists",
    "ol": "html-lists",
    "dl": "html-lists",
    "article": "html-semantics",
    "aside": "html-semantics",
    "details": "html-semantics",
    "figcaption": "html-semantics",
    "figure": "html-semantics",
    "footer": "html-semantics",
    "header": "html-semantics",
    "main": "html-semantics",
    "mark": "html-semantics",
    "nav": "html-semantics",
    "section": "html-semantics",
    "summary": "html-semantics",
    "time": "html-semantics",
}
"""Elements caniemail tests under a shared slug; others are `html-<tag>`."""

_ATTRIBUTES = {
    "align": "html-align",
    "background": "html-background",
    "cellpadding": "html-cellpadding",
    "cellspacing": "html-cellspacing",
    "dir": "html-dir",
    "hidden": "html-hidden",
    "loading": "html-loading-attribute",
    "popover": "html-popover",
    "required": "html-required",
    "srcset": "html-srcset",
    "target": "html-target",
    "valign": "html-valign",
    "aria-describedby": "html-aria-describedby",
    "aria-hidden": "html-aria-hidden",
    "aria-label": "html-aria-label",
    "aria-labelledby": "html-aria-labelledby",
    "aria-live": "html-aria-live",
}
"""Attributes caniemail tests (`lang`, `role`, `width` and `height` left out: every client
keeps them)."""

_VALUES = {
    ("display", "flex"): "css-display-flex",
    ("display", "inline-flex"): "css-display-flex",
    ("display", "grid"): "css-display-grid",
    ("display", "inline-grid"): "css-display-grid",
}
_FUNCTIONS = {
    "calc": "css-unit-calc",
    "clamp": "css-function-clamp",
    "min": "css-function-min",
    "max": "css-function-max",
    "var": "css-variables",
    "linear-gradient": "css-linear-gradient",
    "radial-gradient": "css-radial-gradient",
    "conic-gradient": "css-conic-gradient",
    "light-dark": "css-function-light-dark",
}
_AT_RULES = {
    "font-face": "css-at-font-face",
    "import": "css-at-import",
    "keyframes": "css-at-keyframes",
    "supports": "css-at-supports",
}


@dataclass(frozen=True)
class Use:
    """A feature an email uses, and how a template may write it."""

    slug: str
    shown: str
    """How the finding names it: `display: flex`, `<video>`, `border-radius`."""
    pattern: str
    """A regular expression that finds it in a template."""


def _property(name: str) -> Use:
    return Use(f"css-{name}", name, rf"(?<![\w-]){re.escape(name)}\s*:")


@functools.lru_cache(maxsize=4096)
def _declarations(text: str) -> tuple[Use, ...]:
    """The features of a declaration list (a `style` attribute, a rule's body)."""
    found: list[Use] = []
    for item in tinycss2.parse_blocks_contents(text, skip_comments=True, skip_whitespace=True):
        if item.type != "declaration":
            continue
        name = item.lower_name
        found.append(_property(name))
        words = [t.lower_value for t in item.value if t.type == "ident"]
        for word in words[:1]:
            slug = _VALUES.get((name, word))
            if slug:
                found.append(
                    Use(slug, f"{name}: {word}", rf"(?<![\w-]){name}\s*:\s*{re.escape(word)}\b")
                )
        if item.important:
            found.append(Use("css-important", "!important", r"!\s*important"))
        found += _functions(item.value)
    return tuple(found)


def _functions(tokens: list[Any]) -> list[Use]:
    found = []
    for token in tokens:
        if token.type == "function":
            slug = _FUNCTIONS.get(token.lower_name)
            if slug:
                name = token.lower_name
                found.append(Use(slug, f"{name}()", rf"(?<![\w-]){re.escape(name)}\("))
            found += _functions(token.arguments)
    return found


@functools.lru_cache(maxsize=1024)
def _stylesheet(text: str) -> tuple[Use, ...]:
    """The features of a `<style>` element, `@media` blocks left out."""
    found: list[Use] = []
    for rule in tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True):
        if rule.type == "qualified-rule":
            found += _declarations(tinycss2.serialize(rule.content))
        elif rule.type == "at-rule":
            slug = _AT_RULES.get(rule.lower_at_keyword)
            if slug:
                name = rule.lower_at_keyword
                found.append(Use(slug, f"@{name}", rf"@{re.escape(name)}\b"))
    return tuple(found)


def features(page: str) -> list[Use]:
    """What an email's HTML uses that caniemail tests, each feature once, in order."""
    from lxml import etree, html

    try:
        root = html.document_fromstring(page)
    except (ValueError, SyntaxError, etree.ParserError):  # nothing to read
        return []
    known = data().features
    found: dict[str, Use] = {}

    def add(use: Use) -> None:
        if use.slug in known and use.slug not in found:
            found[use.slug] = use

    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.lower()
        if tag == "style":
            for use in _stylesheet(element.text or ""):
                add(use)
            continue
        if tag not in FRAME:
            slug = _ELEMENTS.get(tag, f"html-{tag}")
            add(Use(slug, f"<{tag}>", rf"<{re.escape(tag)}\b"))
        for attribute in element.attrib:
            name = str(attribute).lower()
            if name == "style":
                for use in _declarations(element.get("style") or ""):
                    add(use)
            elif name in _ATTRIBUTES:
                add(Use(_ATTRIBUTES[name], f"the `{name}` attribute", rf"\b{re.escape(name)}\s*="))
    return list(found.values())


def unsupported(use: Use, clients: tuple[str, ...]) -> list[str]:
    """The clients among `clients` whose newest result for the feature is `n`."""
    feature = data().features[use.slug]
    return [c for c in clients if feature.support.get(c, "u").startswith("n")]


def notes(use: Use, clients: list[str]) -> str:
    """caniemail's notes on the results of `clients` (`Buggy. Replaces ...`), joined."""
    feature = data().features[use.slug]
    numbers = dict.fromkeys(
        n for c in clients for n in re.findall(r"#(\d+)", feature.support.get(c, ""))
    )
    return " ".join(feature.notes[n].rstrip(".") + "." for n in numbers if n in feature.notes)
