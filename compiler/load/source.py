"""Reading YAML specs into plain data, keeping the line and column of every key and value.

The file is composed into a node tree by ruamel.yaml's C parser (falling back to its
pure-Python parser for the YAML 1.2 flow forms libyaml refuses), then converted by
hand so that nothing but plain data can come out: only the core tags are accepted,
timestamps stay strings (pydantic parses them with a location), duplicate keys and
oversized alias expansions are findings, and every problem carries a position.
"""

from __future__ import annotations

import math
import re
from typing import Any

from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import CollectionEndEvent, CollectionStartEvent, NodeEvent
from ruamel.yaml.main import YAML
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.resolver import VersionedResolver, implicit_resolvers
from ruamel.yaml.tag import Tag

from compiler.diagnostics import Diagnostic, Loc
from compiler.load.codes import finding
from compiler.project.document import Document, Span

MAX_BYTES = 1_000_000
MAX_DEPTH = 64
MAX_NODES = 100_000

_CORE = "tag:yaml.org,2002:"
_SCALAR_TAGS = {f"{_CORE}{t}" for t in ("str", "int", "float", "bool", "null", "timestamp")}
_SCALAR_TAGS.add("!")
_DIRECTIVE = re.compile(r"^%(?:YAML|TAG)\b.*$", re.MULTILINE)
_BRACKETS = re.compile(r"[\[\]{}]")
# Block nesting, bounded from the text: a block collection starts at its line's first
# token or after `- `, `? ` or `: ` there, so its column is at most the length of the
# line's run of these characters (tabs separate too; a BOM at a line's start is skipped
# but counted). Down a chain of block collections the columns rise, except that a
# mapping's key or value may be a sequence at the mapping's own column: with no run of
# MAX_DEPTH // 2 characters, no chain is deeper than MAX_DEPTH. libyaml also breaks
# lines at CR, NEL, LS and PS.
_BLOCK_RUN = f"[ \t\ufeff?:-]{{{MAX_DEPTH // 2}}}"
_DEEP_FIRST_LINE = re.compile(_BLOCK_RUN)
_DEEP_LINE = re.compile("\n" + _BLOCK_RUN)
_DEEP_LINE_ANY_BREAK = re.compile("[\n\r\x85\u2028\u2029]" + _BLOCK_RUN)
_OTHER_BREAKS = ("\r", "\x85", "\u2028", "\u2029")
_DIGIT_COLON = re.compile(r"(?<=\d):(?=\d)")
_COLON_MASK = "\ue000"  # a private-use character: never in real specs, one column wide
_FLOAT_SPECIAL = {".inf": math.inf, "+.inf": math.inf, "-.inf": -math.inf, ".nan": math.nan}


def _implicit_table() -> dict[str | None, tuple[tuple[Tag, Any], ...]]:
    """YAML 1.2's implicit typing rules by a plain scalar's first character."""
    by_first: dict[str | None, list[tuple[Tag, Any]]] = {}
    for versions, tag, regexp, first in implicit_resolvers:
        if (1, 2) in versions:
            starts: list[str | None] = list(first) if first else [None]
            for ch in starts:
                by_first.setdefault(ch, []).append((Tag(suffix=tag), regexp))
    anywhere = by_first.pop(None, [])
    table = {ch: (*rules, *anywhere) for ch, rules in by_first.items()}
    table[None] = tuple(anywhere)
    return table


_IMPLICIT = _implicit_table()


class _Resolver(VersionedResolver):
    """ruamel.yaml's YAML 1.2 resolver with its rules looked up once, not per scalar.

    The stock resolver re-derives the version's rule table for every scalar, which is
    most of the time spent reading a spec; specs are always YAML 1.2 (directives are
    refused before parsing), so the table is fixed. Tags are shared objects, so their
    text is looked up by identity (`_tag`).
    """

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is ScalarNode:
            if implicit[0]:
                rules = _IMPLICIT.get(value[:1], _IMPLICIT[None])
                for tag, regexp in rules:
                    if regexp.match(value):
                        return tag
            return self.DEFAULT_SCALAR_TAG
        return super().resolve(kind, value, implicit)


def _yaml(pure: bool) -> YAML:
    yaml = YAML(typ="safe", pure=pure)
    yaml.Resolver = _Resolver
    return yaml


try:
    _C_YAML: YAML | None = _yaml(pure=False)
except Exception:  # pragma: no cover - the C extension is a declared dependency
    _C_YAML = None
_PURE_YAML = _yaml(pure=True)
_TAG_TEXT: dict[int, str] = {id(tag): str(tag) for rules in _IMPLICIT.values() for tag, _ in rules}
for _default in (
    VersionedResolver.DEFAULT_SCALAR_TAG,
    VersionedResolver.DEFAULT_SEQUENCE_TAG,
    VersionedResolver.DEFAULT_MAPPING_TAG,
):
    _TAG_TEXT[id(_default)] = str(_default)


class _Refused(Exception):
    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def read(path: str, raw: bytes) -> tuple[Document | None, list[Diagnostic]]:
    """Parse one file's bytes; returns the document or the findings that stopped it."""
    try:
        return _read(path, raw), []
    except _Refused as refused:
        return None, [refused.diagnostic]


def _read(path: str, raw: bytes, with_spans: bool = False) -> Document:
    if len(raw) > MAX_BYTES:
        raise _Refused(
            finding(
                "YAML009",
                path,
                1,
                1,
                f"file is {len(raw):,} bytes; a spec may be at most {MAX_BYTES:,}",
                "split the spec into several files",
            )
        )
    text = _decode(path, raw)
    if (directive := _DIRECTIVE.search(text)) is not None:
        line = text.count("\n", 0, directive.start()) + 1
        raise _Refused(
            finding(
                "YAML010",
                path,
                line,
                1,
                f"directive `{directive.group(0).strip()}` is not allowed",
                "remove it: specs are always read as YAML 1.2 (so `no` stays text)",
            )
        )
    _check_flow_depth(path, text)
    root, masked = _compose(path, text)
    if root is None:
        raise _Refused(finding("YAML006", path, 1, 1, "file is empty", "start it with `kind:`"))
    if not isinstance(root, MappingNode):
        line, col = _mark(root)
        what = "a list" if isinstance(root, SequenceNode) else "a single value"
        raise _Refused(
            finding(
                "YAML007",
                path,
                line,
                col,
                f"a spec must be a mapping of keys to values, not {what}",
                "start the file with `kind: ...` at column 1",
            )
        )
    if "*" in text:  # without an alias nothing can expand
        _check_expansion(path, root)
    spans: dict[Loc, Span] | None = {} if with_spans else None
    data = _Converter(path, spans, masked).value(root, (), 0)
    assert isinstance(data, dict)
    return Document(path=path, data=data, text=text, _spans=spans, locate=positions)


def positions(path: str, text: str) -> dict[Loc, Span]:
    """Read a document's text again, this time recording where everything is."""
    try:
        return _read(path, text.encode("utf-8"), with_spans=True).spans
    except _Refused:  # pragma: no cover - the text was read once already
        return {}


def _decode(path: str, raw: bytes) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        before = raw[: err.start]
        line = before.count(b"\n") + 1
        col = err.start - (before.rfind(b"\n") + 1) + 1
        raise _Refused(
            finding(
                "YAML005",
                path,
                line,
                col,
                f"byte 0x{raw[err.start]:02x} is not valid UTF-8",
                "save the file as UTF-8 (your editor's 'Save with encoding')",
            )
        ) from None
    return text.removeprefix("\ufeff")


def _too_deep(path: str, line: int, col: int) -> _Refused:
    return _Refused(
        finding(
            "YAML009",
            path,
            line,
            col,
            f"nesting deeper than {MAX_DEPTH} levels",
            "flatten the structure; no spec field nests this deep",
        )
    )


def _check_flow_depth(path: str, text: str) -> None:
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return
    depth = 0
    for match in _BRACKETS.finditer(text):
        depth = depth + 1 if match.group() in "[{" else max(depth - 1, 0)
        if depth > MAX_DEPTH:
            line = text.count("\n", 0, match.start()) + 1
            col = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
            raise _too_deep(path, line, col)


def _may_nest_deeply(text: str) -> bool:
    """Whether block collections could nest past MAX_DEPTH: never false when they do."""
    if _DEEP_FIRST_LINE.match(text) is not None:
        return True
    lines = _DEEP_LINE_ANY_BREAK if any(b in text for b in _OTHER_BREAKS) else _DEEP_LINE
    return lines.search(text) is not None


def _check_depth(path: str, yaml: YAML, text: str) -> None:
    """Refuse nesting past MAX_DEPTH, counted on the parser's events.

    libyaml's parser keeps its stacks on the heap; it is the composer's recursion (C
    code in ruamel.yaml.clib, no recursion limit) that overflows the stack and kills the
    process some 30,000 levels down. The count stops at the first node too deep.
    """
    depth = 0
    events = yaml.parse(text)
    try:
        for event in events:
            if isinstance(event, CollectionEndEvent):
                depth -= 1
            elif isinstance(event, NodeEvent):
                if depth > MAX_DEPTH:
                    mark = event.start_mark
                    raise _too_deep(path, mark.line + 1, mark.column + 1)
                if isinstance(event, CollectionStartEvent):
                    depth += 1
    except YAMLError:
        return  # composing stops at the same event, no deeper than the count got
    finally:
        events.close()


def _compose_with(yaml: YAML, path: str, text: str, deep: bool) -> Node | None:
    if deep:
        _check_depth(path, yaml, text)
    node: Node | None = yaml.compose(text)
    return node


def _compose(path: str, text: str) -> tuple[Node | None, bool]:
    """The node tree, and whether colons between digits were masked for libyaml."""
    deep = _may_nest_deeply(text)
    try:
        if _C_YAML is None:
            return _compose_with(_PURE_YAML, path, text, deep), False
        # libyaml reads flow scalars as YAML 1.1 did: `{at: 2027-03-10T16:00}` is legal
        # YAML 1.2 it refuses. A colon between digits is never a mapping indicator, so
        # it is masked with a same-width character (positions stay exact) before the C
        # parser reads the text; only if that fails, the pure-Python parser (about 4x
        # slower) has the last word.
        masked = _COLON_MASK not in text and _DIGIT_COLON.search(text) is not None
        try:
            shown = _DIGIT_COLON.sub(_COLON_MASK, text) if masked else text
            return _compose_with(_C_YAML, path, shown, deep), masked
        except MarkedYAMLError as err:
            if "found unexpected ':'" not in str(err.problem):
                raise
        return _compose_with(_PURE_YAML, path, text, deep), False
    except MarkedYAMLError as err:
        raise _Refused(_yaml_error(path, err, text)) from None
    except YAMLError as err:
        raise _Refused(_reader_error(path, text, err)) from None
    except RecursionError:
        raise _Refused(
            finding(
                "YAML009",
                path,
                1,
                1,
                "nesting too deep to read",
                "flatten the structure; no spec field nests this deep",
            )
        ) from None


_KEY_LINE = re.compile(r"^( *)(?:- +)*([^\s#:][^:#]*?)\s*:(?:\s|$)")


def _explained(err: MarkedYAMLError, text: str) -> tuple[int, int, str, str] | None:
    """libyaml's messages in the words of the mistake, with the position to fix: a tab,
    a key indented out of line, a quote or bracket never closed (where it opened)."""
    lines = text.splitlines()
    mark, opened = err.problem_mark, err.context_mark
    context, problem = str(err.context or ""), str(err.problem or "")
    if mark is not None and mark.line < len(lines):
        here = lines[mark.line]
        if "cannot start any token" in problem and here[mark.column : mark.column + 1] == "\t":
            return (
                mark.line + 1,
                mark.column + 1,
                "a tab character: YAML indents with spaces only",
                "replace the tab with spaces (most editors: 'Convert indentation to spaces')",
            )
    if opened is not None and "quoted scalar" in context and "end of stream" in problem:
        quote = (
            lines[opened.line][opened.column : opened.column + 1]
            if opened.line < len(lines)
            else '"'
        )
        return (
            opened.line + 1,
            opened.column + 1,
            f"the {quote} opened here (line {opened.line + 1}, column {opened.column + 1}) "
            "is never closed",
            f"close it with {quote} at the end of the value",
        )
    if opened is not None and "flow" in context and mark is not None and "expected ','" in problem:
        bracket = "[" if "sequence" in context else "{"
        closing = "]" if bracket == "[" else "}"
        return (
            opened.line + 1,
            opened.column + 1,
            f"the `{bracket}` opened here (line {opened.line + 1}, column {opened.column + 1}) "
            f"is not closed before line {mark.line + 1}, column {mark.column + 1}",
            f"close it with `{closing}` (or add the missing `,` between its items)",
        )
    if mark is None or mark.line >= len(lines):
        return None
    key = _KEY_LINE.match(lines[mark.line])
    above = [
        (number, match)
        for number in range(mark.line - 1, -1, -1)
        if (match := _KEY_LINE.match(lines[number])) is not None
    ]
    if key is None or not above:
        return None
    indent, name = len(key.group(1)), key.group(2)
    number, previous = above[0]
    before = len(previous.group(1))
    has_value = bool(lines[number][previous.end() :].strip())
    if "mapping values are not allowed" in problem and indent > before and has_value:
        return (
            mark.line + 1,
            indent + 1,
            f"`{name}` is indented deeper ({indent} spaces) than `{previous.group(2)}` on "
            f"line {number + 1} ({before}), which already has a value",
            f"line `{name}` up with `{previous.group(2)}` ({before} spaces), or quote the "
            "value if the colon belongs to it",
        )
    if "expected key" in problem or "expected <block end>" in problem:
        levels = sorted({len(m.group(1)) for _, m in above if len(m.group(1)) != indent})
        shown = " or ".join(f"{n} spaces" for n in levels[-2:]) or "the keys above"
        return (
            mark.line + 1,
            indent + 1,
            f"`{name}` is indented {indent} space{'' if indent == 1 else 's'}, which lines "
            "it up with no key above",
            f"indent it like its siblings: {shown}",
        )
    return None


def _yaml_error(path: str, err: MarkedYAMLError, text: str = "") -> Diagnostic:
    explained = _explained(err, text) if text else None
    if explained is not None:
        return finding("YAML001", path, *explained)
    mark = err.problem_mark or err.context_mark
    line = mark.line + 1 if mark is not None else 1
    col = mark.column + 1 if mark is not None else 1
    problem = str(err.problem or err.context or "invalid YAML")
    if "expected a single document" in f"{err.context} {err.problem}":
        return finding(
            "YAML008",
            path,
            line,
            col,
            "file holds more than one YAML document",
            "keep one spec per file: remove the `---` separator and move the rest out",
        )
    if "found undefined alias" in problem or "found recursive" in problem:
        return finding("YAML004", path, line, col, problem, "define the anchor before using it")
    message = problem
    if err.context and err.problem:
        message = f"{err.context}: {err.problem}"
    hint = "fix the YAML syntax at this position"
    if "found unexpected ':'" in problem or "mapping values are not allowed" in problem:
        hint = 'quote values that contain `: ` (for example `name: "Q2: launch"`)'
    elif "found character '\\t'" in problem:
        hint = "indent with spaces, never tabs"
    return finding("YAML001", path, line, col, message, hint)


def _reader_error(path: str, text: str, err: YAMLError) -> Diagnostic:
    """Errors without a mark: the reader refusing a character, at its offset."""
    offset = getattr(err, "position", None)
    character = getattr(err, "character", None)
    if not isinstance(offset, int) or not isinstance(character, str | int):
        return finding("YAML001", path, 1, 1, f"YAML error: {err}", "fix the YAML syntax")
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    code_point = character if isinstance(character, int) else ord(character)
    return finding(
        "YAML001",
        path,
        line,
        col,
        f"character U+{code_point:04X} is not allowed in YAML",
        "remove the control character (write it as an escape inside double quotes if needed)",
    )


def _mark(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _end(node: Node) -> tuple[int, int]:
    return node.end_mark.line + 1, node.end_mark.column + 1


def _tag(node: Node) -> str:
    known = _TAG_TEXT.get(id(node.ctag))
    return known if known is not None else str(node.tag)


def _check_expansion(path: str, root: Node) -> None:
    """Refuse a document whose aliases expand past MAX_NODES (a billion laughs)."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            line, col = _mark(node)
            raise _Refused(
                finding("YAML004", path, line, col, "alias refers to itself", "remove the cycle")
            )
        active.add(key)
        total = 1
        if isinstance(node, MappingNode):
            for k, v in node.value:
                total += size(k) + size(v)
        elif isinstance(node, SequenceNode):
            for item in node.value:
                total += size(item)
        active.discard(key)
        sizes[key] = total
        if total > MAX_NODES:
            line, col = _mark(node)
            raise _Refused(
                finding(
                    "YAML004",
                    path,
                    line,
                    col,
                    f"aliases expand this document past {MAX_NODES:,} values",
                    "write the values out; anchors are for small repeated blocks",
                )
            )
        return total

    try:
        size(root)
    except RecursionError:
        raise _Refused(
            finding("YAML009", path, 1, 1, "nesting too deep to read", "flatten the structure")
        ) from None


class _Converter:
    """Node tree -> plain dicts, lists and scalars, recording every position."""

    def __init__(self, path: str, spans: dict[Loc, Span] | None, masked: bool = False) -> None:
        self.path = path
        self.spans = spans
        self.masked = masked

    def text(self, node: ScalarNode) -> str:
        value = str(node.value)
        return value.replace(_COLON_MASK, ":") if self.masked else value

    def refuse(self, code: str, node: Node, message: str, hint: str) -> _Refused:
        line, col = _mark(node)
        return _Refused(finding(code, self.path, line, col, message, hint))

    def value(self, node: Node, loc: Loc, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise self.refuse(
                "YAML009", node, f"nesting deeper than {MAX_DEPTH} levels", "flatten the structure"
            )
        tag = _tag(node)
        if isinstance(node, ScalarNode):
            return self.scalar(node, tag)
        if isinstance(node, SequenceNode):
            if tag != f"{_CORE}seq":
                raise self.forbidden(node, tag)
            items = []
            for index, item in enumerate(node.value):
                if self.spans is not None:
                    line, col = _mark(item)
                    self.spans[(*loc, index)] = Span(line, col, line, col, *_end(item))
                items.append(self.value(item, (*loc, index), depth + 1))
            return items
        if isinstance(node, MappingNode):
            if tag != f"{_CORE}map":
                raise self.forbidden(node, tag)
            return self.mapping(node, loc, depth)
        raise self.refuse(
            "YAML001", node, "unsupported YAML node", "use plain values"
        )  # pragma: no cover

    def mapping(self, node: MappingNode, loc: Loc, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_seen: dict[str, int] = {}
        merges: list[Node] = []
        for key_node, value_node in node.value:
            if _tag(key_node) == f"{_CORE}merge":
                merges.append(value_node)
                continue
            key = self.key(key_node)
            key_line, key_col = _mark(key_node)
            if key in first_seen:
                raise self.refuse(
                    "YAML002",
                    key_node,
                    f"duplicate key `{key}`",
                    f"`{key}` is already defined at line {first_seen[key]}; keep one",
                )
            first_seen[key] = key_line
            if self.spans is not None:
                line, col = _mark(value_node)
                self.spans[(*loc, key)] = Span(key_line, key_col, line, col, *_end(value_node))
            result[key] = self.value(value_node, (*loc, key), depth + 1)
        for merge in merges:
            sources = merge.value if isinstance(merge, SequenceNode) else [merge]
            for source in sources:
                if not isinstance(source, MappingNode):
                    raise self.refuse(
                        "YAML001",
                        source,
                        "`<<` merges only mappings",
                        "merge an anchored mapping: `<<: *defaults`",
                    )
                merged = _Converter(self.path, None, self.masked).mapping(source, (), depth + 1)
                for key, value in merged.items():
                    if key not in result:
                        if self.spans is not None:
                            line, col = _mark(source)
                            self.spans[(*loc, key)] = Span(line, col, line, col)
                        result[key] = value
        return result

    def key(self, node: Node) -> str:
        if not isinstance(node, ScalarNode):
            raise self.refuse(
                "YAML001", node, "keys must be plain text", "use a plain word as the key"
            )
        tag = _tag(node)
        if tag not in _SCALAR_TAGS:
            raise self.forbidden(node, tag)
        return self.text(node)

    def forbidden(self, node: Node, tag: str) -> _Refused:
        shown = tag.replace(_CORE, "!!")
        return self.refuse(
            "YAML003",
            node,
            f"tag `{shown}` is not allowed: specs hold plain data only",
            "remove the tag (quote the value if it is text)",
        )

    def scalar(self, node: ScalarNode, tag: str) -> Any:
        text = self.text(node)
        if tag in (f"{_CORE}str", f"{_CORE}timestamp", "!"):
            return text
        if tag == f"{_CORE}null":
            return None
        if tag == f"{_CORE}bool":
            return text.lower() == "true"
        try:
            if tag == f"{_CORE}int":
                return _int(text)
            if tag == f"{_CORE}float":
                return _float(text)
        except ValueError:
            kind = tag.removeprefix(_CORE)
            raise self.refuse(
                "YAML001",
                node,
                f"`{text}` is not a valid {kind}",
                "remove the explicit tag or fix the value",
            ) from None
        raise self.forbidden(node, tag)


def _int(text: str) -> int:
    clean = text.replace("_", "")
    body = clean.lstrip("+-")
    if body[:2].lower() in ("0x", "0o", "0b"):
        return int(clean, 0)
    return int(clean, 10)


def _float(text: str) -> float:
    clean = text.replace("_", "").lower()
    if clean in _FLOAT_SPECIAL:
        return _FLOAT_SPECIAL[clean]
    return float(clean)
