"""What an email's finished HTML (CSS inlined) does to readers who need it most: the
checks of EMAIL016-EMAIL020, each a `Problem` with the text that locates it in the
templates.

- the root `<html>` names its language (`lang`), so screen readers pronounce it;
- a layout table says `role="presentation"` (a table with `<th>` is a data table);
- no text is smaller than the minimum font size (`[tool.campc.email] min-font-size`);
- a link's text says where it goes: never empty, never "click here" (English, French
  and German stock phrases);
- text contrasts with its background by WCAG 2.2's ratio, at least 4.5:1, or 3:1 for
  large text (24 px, or 18.67 px bold): the colours come from the inlined `color`,
  `background-color`, `background` and `bgcolor`, inherited down the tree, black on
  white where nothing says (https://www.w3.org/TR/WCAG22/#contrast-minimum,
  https://www.w3.org/TR/WCAG22/#dfn-relative-luminance).

Hidden text (`display: none`, the preheader) is not read. CSS values are read by
tinycss2, colours by its CSS Color Level 3 parser.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import tinycss2
import tinycss2.color3

from compiler.project.facts import Fact

if TYPE_CHECKING:
    from compiler.diagnostics import Diagnostic, Rule
    from compiler.project.repository import Repository

LANG = "lang"
TABLE = "table"
FONT = "font"
LINK = "link"
CONTRAST = "contrast"

VAGUE = frozenset(
    {
        "click here",
        "click",
        "here",
        "this",
        "this link",
        "link",
        "more",
        "read more",
        "learn more",
        "click here to learn more",
        "cliquez ici",
        "ici",
        "en savoir plus",
        "lire la suite",
        "plus",
        "hier klicken",
        "klicken sie hier",
        "hier",
        "mehr",
        "weiterlesen",
        "mehr erfahren",
    }
)
"""Link texts that do not say where the link goes (compared lower-case, trimmed)."""

_TRIM = " \t\r\n.:!?>-\u00bb\u203a\u2192\u2026"


@dataclass(frozen=True)
class Problem:
    """One accessibility problem of an email."""

    kind: str
    message: str
    needles: tuple[str, ...]
    """How a template may write what is wrong (to find its line)."""
    pattern: str | None = None
    """Or a regular expression that finds it in a template."""


def _declarations(style: str | None) -> dict[str, list[Any]]:
    if not style:
        return {}
    found: dict[str, list[Any]] = {}
    for item in tinycss2.parse_blocks_contents(style, skip_whitespace=True, skip_comments=True):
        if item.type == "declaration":
            tokens = [t for t in item.value if t.type not in ("whitespace", "comment")]
            found[item.lower_name] = tokens
    return found


def _color(tokens: list[Any]) -> tuple[float, float, float, float] | None:
    for token in tokens:
        parsed = tinycss2.color3.parse_color(token)
        if parsed is not None and parsed != "currentColor":
            # CSS clamps out-of-range channels (`rgb(300, -1, 0)` is `rgb(255, 0, 0)`)
            channels = (parsed.red, parsed.green, parsed.blue, parsed.alpha)
            red, green, blue, alpha = (min(max(c, 0.0), 1.0) for c in channels)
            return (red, green, blue, alpha)
    return None


def _pixels(tokens: list[Any]) -> float | None:
    for token in tokens:
        if token.type == "dimension" and token.lower_unit in ("px", "pt"):
            return float(token.value) * (4 / 3 if token.lower_unit == "pt" else 1)
    return None


def _linear(channel: float) -> float:
    return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4


def luminance(color: tuple[float, float, float]) -> float:
    """WCAG's relative luminance of an sRGB colour (channels 0 to 1)."""
    r, g, b = (_linear(c) for c in color)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@functools.lru_cache(maxsize=4096)
def contrast(first: tuple[float, float, float], second: tuple[float, float, float]) -> float:
    """WCAG's contrast ratio of two colours, from 1 to 21."""
    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _over(top: tuple[float, float, float, float], under: tuple[float, float, float]) -> Any:
    alpha = top[3]
    return tuple(alpha * t + (1 - alpha) * u for t, u in zip(top[:3], under, strict=True))


def hex_of(color: tuple[float, float, float]) -> str:
    """`#rrggbb`."""
    return "#" + "".join(f"{round(c * 255):02x}" for c in color)


@dataclass
class _Style:
    color: tuple[float, float, float] = (0.0, 0.0, 0.0)
    color_text: str = ""
    background: tuple[float, float, float] = (1.0, 1.0, 1.0)
    size: float = 16.0
    bold: bool = False
    hidden: bool = False


@dataclass(frozen=True)
class _Declared:
    """What one element's `style` (and `bgcolor`) say, read once per distinct text."""

    background: tuple[float, float, float, float] | None
    color: tuple[float, float, float, float] | None
    color_text: str
    size: float | None
    bold: bool | None
    hidden: bool


@functools.lru_cache(maxsize=4096)
def _declared(style: str | None, bgcolor: str | None) -> _Declared:
    found = _declarations(style)
    background = _color(found.get("background-color") or found.get("background") or [])
    if background is None and bgcolor:
        background = _color(list(tinycss2.parse_component_value_list(bgcolor)))
    weight = tinycss2.serialize(found.get("font-weight", [])).strip().lower()
    display = tinycss2.serialize(found.get("display", [])).strip().lower()
    visibility = tinycss2.serialize(found.get("visibility", [])).strip().lower()
    return _Declared(
        background=background,
        color=_color(found.get("color", [])),
        color_text=tinycss2.serialize(found["color"]).strip() if "color" in found else "",
        size=_pixels(found.get("font-size", [])),
        bold=(
            weight in ("bold", "bolder")
            or (_DIGITS.fullmatch(weight) is not None and int(weight) >= 700)
        )
        if weight
        else None,
        hidden=display == "none" or visibility == "hidden",
    )


_DIGITS = re.compile(r"[0-9]{1,4}")
"""A numeric font weight (`str.isdigit` takes `²`, which `int` refuses)."""
_BOLD_TAGS = frozenset({"b", "strong", "h1", "h2", "h3", "h4", "th"})


def _child_style(element: Any, parent: _Style) -> _Style:
    declared = _declared(element.get("style"), element.get("bgcolor"))
    style = _Style(**vars(parent))
    if declared.background is not None and declared.background[3] > 0:
        style.background = _over(declared.background, parent.background)
    if declared.color is not None:
        style.color = _over(declared.color, style.background)
        style.color_text = declared.color_text
    if declared.size is not None:
        style.size = declared.size
    if declared.bold is not None:
        style.bold = declared.bold
    elif element.tag in _BOLD_TAGS:
        style.bold = True
    style.hidden = declared.hidden or style.size == 0
    return style


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def audit(page: str, min_font: float) -> list[Problem]:
    """Every accessibility problem of an email's HTML, in document order (each kind and
    colour pair once)."""
    from lxml import etree, html

    try:
        root = html.document_fromstring(page)
    except (ValueError, SyntaxError, etree.ParserError):  # nothing to read
        return []
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()

    def add(problem: Problem, key: str) -> None:
        if (problem.kind, key) not in seen:
            seen.add((problem.kind, key))
            problems.append(problem)

    if not (root.get("lang") or "").strip():
        add(
            Problem(LANG, "the email's `<html>` has no `lang`", ("<html",), r"<html\b"),
            "",
        )

    def visit(element: Any, parent: _Style) -> None:
        if not isinstance(element.tag, str):
            return
        style = _child_style(element, parent)
        if style.hidden:
            return
        layout = element.tag == "table" and (element.get("role") or "") != "presentation"
        if layout and not element.xpath(".//th"):
            add(
                Problem(
                    TABLE,
                    'a layout table without `role="presentation"`',
                    ("<table",),
                    r"<table\b(?![^>]*\brole\s*=)[^>]*>",
                ),
                "",
            )
        text = _words(element.text or "")
        if text:
            _text_problems(style, text, min_font, add)
        if element.tag == "a" and element.get("href"):
            _link_problem(element, add)
        for child in element:
            visit(child, style)
            tail = _words(child.tail or "")
            if tail:  # the parent's text, after the child
                _text_problems(style, tail, min_font, add)

    body = root.find("body")
    visit(body if body is not None else root, _Style())
    return problems


def _text_problems(style: _Style, text: str, min_font: float, add: Any) -> None:
    if style.size < min_font:
        shown = f"{style.size:g}px"
        needles = tuple(f"font-size{sep}{shown}" for sep in (": ", ":"))
        add(
            Problem(
                FONT,
                f"text at {shown} (`{text[:30]}`) is smaller than {min_font:g}px",
                needles,
            ),
            shown,
        )
    large = style.size >= 24 or (style.bold and style.size >= 18.66)
    needed = 3.0 if large else 4.5
    ratio = contrast(style.color, style.background)
    if ratio < needed:
        fg, bg = hex_of(style.color), hex_of(style.background)
        needles = tuple(n for n in (style.color_text, fg, text[:40]) if n)
        add(
            Problem(
                CONTRAST,
                f"text `{text[:30]}` is {fg} on {bg}: contrast {ratio:.2f}:1, below {needed:g}:1",
                needles,
            ),
            f"{fg}/{bg}",
        )


def _link_problem(element: Any, add: Any) -> None:
    text = _words(element.text_content())
    alts = [_words(img.get("alt") or "") for img in element.iter("img")]
    label = _words(element.get("aria-label") or element.get("title") or "")
    if not text and not any(alts) and not label:
        href = element.get("href") or ""
        written = href.split("?", 1)[0]  # as the template writes it, before the UTM tags
        needles = (f'"{written}"', f"'{written}'", f'"{written}?', written)
        add(Problem(LINK, "a link with no text (a screen reader reads its URL)", needles), href)
        return
    if text.lower().strip(_TRIM) in VAGUE and not label:
        add(Problem(LINK, f"the link text `{text}` does not say where it goes", (text,)), text)


AUDITS: Fact[list[tuple[Any, list[Problem]]]] = Fact("accessibility audits")


def audits(repo: Repository) -> list[tuple[Any, list[Problem]]]:
    """Each rendered send with its problems (once per run, shared by the rules)."""
    from compiler.email.html import inline_css
    from compiler.email.render import FINISHED, rendered

    minimum = float(repo.policy.email.min_font_size)

    def compute() -> list[tuple[Any, list[Problem]]]:
        if repo.facts.known(FINISHED):  # a build finished them already
            return [(e.send, audit(e.html, minimum)) for e in rendered(repo) if e.html]
        # a check needs no UTM tags, preheader or text part: the CSS inlined is enough
        return [
            (e.send, audit(inline_css(e.raw_html), minimum))
            for e in rendered(repo, full=False)
            if not e.problems and e.raw_html
        ]

    return repo.facts.get(AUDITS, compute)


def diagnostics(repo: Repository, rule: Rule, kind: str, hint: str) -> Iterator[Diagnostic]:
    """The findings of one kind: at the template line that writes what is wrong (named
    once for every send that shows it), else at the variable's sample it came from,
    else at the send's template."""
    from compiler.email.places import AtTemplates, sample_at
    from compiler.email.templates import locate, matching

    in_templates = AtTemplates(repo)
    for send, problems in audits(repo):
        for problem in problems:
            if problem.kind != kind:
                continue
            template = send.email.template
            place = (
                matching(repo, template, problem.pattern)
                if problem.pattern
                else locate(repo, template, problem.needles)
            )
            if place is None and (sample := sample_at(send, problem.needles)) is not None:
                yield rule.diagnostic(
                    send.spec.path, *sample, f"email `{send.key}`: {problem.message}", hint
                )
                continue
            in_templates.add(place or (template, 1, 1), problem.message, hint, send)
    yield from in_templates.diagnostics(rule)
