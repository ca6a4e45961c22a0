"""One escaper per medium campc writes user text into; every spec string is hostile.

A pull request controls every name, description, tag, path and message campc prints
or compiles. Each function here takes such a string and returns text that, placed in
its medium, reads as that text and nothing more: no new line, statement, command,
header, cell, tag or link. Call sites never escape by hand.

GitHub Actions reads workflow commands from every line a step prints: a line that is
`::name props::data` once leading whitespace is trimmed (the runner's `TryParseV2`),
or that contains `##[name props]data` anywhere (the legacy `TryParse`). So every
medium that reaches stdout or stderr (`log`, `workflow_command`, `json_document`,
and `markdown`, since `campc diff` prints Markdown) also guarantees that its text can
neither start such a line nor contain `##[`.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from urllib.parse import quote

_SURROGATE = re.compile("[\ud800-\udfff]")
"""What `os.fsdecode` makes of a file name's bytes that are not UTF-8."""

# -- CI logs and terminals -------------------------------------------------------------

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _shown(char: str) -> str:
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _unsafe_in_log(char: str) -> bool:
    return char in _BIDI or unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp")


def _log_chars(text: str, tabs: bool) -> str:
    if text.isascii() and text.isprintable() and "##[" not in text:
        return text  # the common case: nothing to escape
    out = []
    for index, char in enumerate(text):
        if tabs and char == "\t":
            out.append(char)
        elif _unsafe_in_log(char):
            out.append(_shown(char))
        elif char == "[" and text[max(index - 2, 0) : index] == "##":
            out.append("\\[")
        else:
            out.append(char)
    return "".join(out)


def _no_command_start(shown: str) -> str:
    stripped = shown.lstrip()  # the runner trims leading whitespace before looking for `::`
    if stripped.startswith(":"):
        return f"{shown[: len(shown) - len(stripped)]}\\{stripped}"
    return shown


def log(text: str, *, quoted: bool = False) -> str:
    """A user string inside one line of terminal or CI-log output.

    Guarantees: no line break and no control character (CR, LF, tab, ESC and every
    other C0/C1 control, U+2028/U+2029, bidirectional overrides, and the lone surrogates
    a file name that is not UTF-8 decodes to) survives; each is
    shown as a visible escape (`\\n`, `\\x1b`, `\\u202e`). No workflow command can
    come of it: `##[` is shown as `##\\[`, and a leading `:` (after whitespace) as
    `\\:`, so the text cannot start a `::command::` line.

    `quoted` is for a source line quoted after campc's own gutter: tabs are kept (the
    caret lines up under them) and a leading `:` too, since the line starts with the
    gutter. The escape is then character by character: escaping a prefix of the text
    gives a prefix of its escape.
    """
    shown = _log_chars(text, tabs=quoted)
    return shown if quoted else _no_command_start(shown)


def log_lines(text: str) -> str:
    """A block of user text shown line by line (a diff, a file's lines): each line as
    `log` shows it, tabs kept, so no line can be a workflow command or carry a control."""
    return "\n".join(_no_command_start(_log_chars(line, tabs=True)) for line in text.split("\n"))


# -- GitHub workflow commands -------------------------------------------------------------


def _command_data(text: str) -> str:
    escaped = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return escaped.replace("##[", "##\\[")


def _command_property(text: str) -> str:
    return _command_data(text).replace(":", "%3A").replace(",", "%2C")


def workflow_command(command: str, properties: Mapping[str, str], message: str) -> str:
    """One GitHub Actions workflow command line, `::command k=v,...::message`, without
    the newline.

    Escapes by GitHub's documented rules (the runner's `ActionCommand` decodes exactly
    these): in the message `%`, CR and LF; in property values also `:` and `,`. So
    nothing the values hold ends the command, adds a property or starts another line.
    `##[` has no escape there and is shown as `##\\[` (as `log` shows it), so the line
    holds no legacy command either.
    `command` and the property names are campc's own constants.
    """
    props = ",".join(f"{key}={_command_property(value)}" for key, value in properties.items())
    head = f"{command} {props}" if props else command
    return f"::{head}::{_command_data(message)}"


# -- JSON ----------------------------------------------------------------------------------


def json_document(document: object) -> str:
    """A document as indented JSON text, ending in a newline, that decodes to `document`.

    `json` already escapes quotes, backslashes and control characters; besides, `[`
    after `##` is written `\\u005b` (the same string once decoded), so no printed line
    holds a legacy workflow command, and no line starts with a string (the indent
    puts a quote or a bracket first), so none starts with `::`. A lone surrogate (a
    file name that is not UTF-8) is written as its `\\udcxx` escape, so the text
    always encodes as UTF-8.
    """
    text = json.dumps(document, indent=2, ensure_ascii=False)
    text = _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return text.replace("##[", "##\\u005b") + "\n"


# -- Markdown (GitHub-flavoured, as github.com renders it) --------------------------------

_MARKDOWN_SPACE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_MARKDOWN_ENTITIES = {"&": "&amp;", "<": "&lt;"}
_MARKDOWN_BACKSLASHED = frozenset("\\`*[]|~$#")
_LIST_NUMBER = re.compile(r"^(\d{1,9})([.)])(?=\s|$)")
_BLOCK_START = re.compile(r"^(?:[>:]|[-+=](?:\s|$)|([-=])[-=\s]*$)")
"""A quote, a bullet (`- `, `+ `), a setext underline or thematic break (`---`, `==`)."""


def _word(char: str) -> bool:
    return char.isalnum()


def markdown(text: str) -> str:
    """A user string as inline text anywhere in a Markdown line: a paragraph, a heading,
    a list item, a table cell, a link text, or inside an HTML block GitHub renders.

    Guarantees: one line (line breaks and controls become spaces, the ends are
    trimmed); `&` and `<` are entities, so no tag (`<script>`, `<img onerror>`,
    `</details>`) or entity is written; the characters with inline meaning (`\\`
    `` ` `` `*` `[` `]` `|` `~` `$` `#`, and `_` unless inside a word) are
    backslash-escaped, so no emphasis, code, link, image, math, strike-through or
    extra table cell; and it cannot start a block (heading, list, quote, setext
    underline, code block) where it starts a line. No `##[` or leading `:` remains; a
    lone surrogate (a file name that is not UTF-8) is shown as U+FFFD.
    """
    text = _SURROGATE.sub("\ufffd", _MARKDOWN_SPACE.sub(" ", text)).strip()
    out = []
    for index, char in enumerate(text):
        if char in _MARKDOWN_ENTITIES:
            out.append(_MARKDOWN_ENTITIES[char])
        elif char in _MARKDOWN_BACKSLASHED:
            out.append("\\" + char)
        elif char == "_" and not (
            0 < index < len(text) - 1 and _word(text[index - 1]) and _word(text[index + 1])
        ):
            out.append("\\_")
        else:
            out.append(char)
    escaped = "".join(out)
    if _BLOCK_START.match(escaped):
        return "\\" + escaped
    return _LIST_NUMBER.sub(r"\1\\\2", escaped, count=1)


def _plain_code(text: str) -> bool:
    return (
        bool(text)
        and text.isprintable()
        and text == text.strip()
        and not any(c in text for c in "`|#<")
    )


def markdown_code(text: str) -> str:
    """A user string as inline code (an id, a path, a revision) anywhere `markdown`
    may go, table cells included.

    Text made only of printable characters without a backtick, `|`, `#` or `<` becomes a
    backtick code span (whose content Markdown never interprets); anything else becomes
    `<code>` around `markdown(text)`, which GitHub shows the same way. Same guarantees
    as `markdown`.
    """
    if _plain_code(text):
        return f"`{text}`"
    return f"<code>{markdown(text)}</code>"


_URL_SCHEMES = ("http", "https", "mailto")
_URL_SAFE = "/?#&=+%:@!$'*,;~-._"


def markdown_url(url: str) -> str:
    """A user string as a Markdown link destination, `[text](HERE)`.

    Guarantees: every character outside URL-safe ASCII (spaces, parentheses, `<`, `>`,
    quotes, backslashes, `|`, `[`, `]`, controls, anything non-ASCII) is
    percent-encoded, so the destination cannot end early, carry a title or leave its
    table cell; a URL with a scheme other than http, https or mailto
    (`javascript:`, `data:`) is made a relative path (`./javascript:...`).
    """
    encoded = quote(url, safe=_URL_SAFE, errors="backslashreplace")
    scheme, colon, _ = encoded.partition(":")
    relative = not colon or any(c in scheme for c in "/?#")
    if not relative and scheme.lower() not in _URL_SCHEMES:
        return f"./{encoded}"
    return encoded


# -- Mermaid ---------------------------------------------------------------------------

_MERMAID_KEPT = frozenset(" -_.,/()'!?+@")
_MERMAID_KEYWORD = re.compile(
    r"^(?:click|href|call|gantt|dateformat|inclusiveenddates|topaxis|axisformat|tickinterval"
    r"|includes|excludes|todaymarker|weekday|title|accdescription|accdescr|acctitle|section"
    r"|flowchart|graph|subgraph|end|style|classdef|class|linkstyle|pie|showdata|direction)"
    r"(?![a-z0-9])|^\d{4}-\d{2}-\d{2}",
    re.IGNORECASE,
)


def _fullwidth(char: str) -> str:
    return chr(ord(char) + 0xFEE0)


def mermaid(text: str) -> str:
    """A user string as a label in a Mermaid diagram: a Gantt task or section name, a
    flowchart node's quoted label, a pie slice's quoted label.

    Guarantees: one line (every space, line break or control becomes a space); only
    letters, digits, spaces and `- _ . , / ( ) ' ! ? +` `@` are kept as they are, every
    other ASCII character (`:` `;` `#` `%` `"` `[` `]` `{` `}` `<` `>` `&` `|` `` ` ``
    ...) is shown as its full-width form (U+FF01 to U+FF5E: a full-width colon for `:`),
    which no Mermaid parser reads, so the label cannot end, start a statement, comment,
    directive, entity code (`#60;`) or HTML tag. A label that would start with a
    keyword Mermaid reads at the start of a statement (`click`, `title`, `section`, a
    date...) has its first character shown full-width too.
    """
    out = []
    for char in text:
        if char.isalnum() or char in _MERMAID_KEPT:
            out.append(char)
        elif char.isascii() and char.isprintable():
            out.append(_fullwidth(char))
        elif char.isspace() or not char.isprintable():
            out.append(" ")
        else:
            out.append(char)
    label = " ".join("".join(out).split())
    if _MERMAID_KEYWORD.match(label) and label[0].isascii():
        label = _fullwidth(label[0]) + label[1:]
    return label
