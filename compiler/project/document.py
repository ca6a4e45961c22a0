"""One YAML file as read: plain data, and where every key and value is in its text.

`load.source` reads a file into a `Document`; everything after the loader (the rules,
the fixes, the report's source lines) reads positions from it and never parses YAML.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from compiler.diagnostics import Edit, Fix, Loc


@dataclass(frozen=True)
class Span:
    """Where a key and its value start, and where the value ends (1-based; the end is
    exclusive). A list item's key position is its value's."""

    key_line: int
    key_col: int
    line: int
    col: int
    end_line: int = 0
    end_col: int = 0


_NOQA = re.compile(
    r"#\s*campc:\s*noqa(?P<file>-file)?"
    r"(?:\s*:\s*(?P<codes>[A-Za-z0-9_-]+(?:\s*,\s*[A-Za-z0-9_-]+)*))?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Noqa:
    """A suppression comment: `# campc: noqa[: CODES]` or `# campc: noqa-file[: CODES]`."""

    line: int
    col: int
    codes: tuple[str, ...]
    """Codes or rule names as written; empty means every rule."""
    file_level: bool


@dataclass
class Document:
    """One YAML file read into plain data, with the position of every key and value.

    Positions are worked out when first asked for (a finding, a fix): most files of a
    repository have no finding, and reading without recording positions is faster.
    They are not pickled either (the cache stores the text, from which they return).
    """

    path: str
    data: dict[str, Any]
    text: str = ""
    _spans: dict[Loc, Span] | None = field(default=None, repr=False, compare=False)
    locate: Callable[[str, str], dict[Loc, Span]] | None = field(
        default=None, repr=False, compare=False
    )
    """How the reader finds the positions in `text` again (`load.source`)."""

    @property
    def spans(self) -> dict[Loc, Span]:
        """The span of every key, value and list item, by location."""
        if self._spans is None:
            self._spans = {} if self.locate is None else self.locate(self.path, self.text)
        return self._spans

    def span(self, loc: Loc) -> Span:
        """The span of `loc` or of its nearest ancestor that has one."""
        for end in range(len(loc), -1, -1):
            found = self.spans.get(loc[:end])
            if found is not None:
                return found
        return Span(1, 1, 1, 1)

    def value_at(self, loc: Loc) -> tuple[int, int]:
        """Line and column of the value at `loc` (or the nearest ancestor)."""
        s = self.span(loc)
        return s.line, s.col

    def noqa(self) -> list[Noqa]:
        """The suppression comments of the file, in order."""
        found = []
        for number, line in enumerate(self.text.splitlines(), start=1):
            if "campc" not in line:
                continue
            for match in _NOQA.finditer(line):
                codes = tuple(
                    c.strip() for c in (match.group("codes") or "").split(",") if c.strip()
                )
                found.append(Noqa(number, match.start() + 1, codes, bool(match.group("file"))))
        return found

    def replace_value(self, loc: Loc, text: str, description: str) -> Fix | None:
        """A fix that rewrites the scalar at `loc` (quotes included) as `text`."""
        span = self.spans.get(loc)
        if span is None or not span.end_line:
            return None
        return Fix(description, (Edit(span.line, span.col, span.end_line, span.end_col, text),))

    def key_at(self, loc: Loc) -> tuple[int, int]:
        """Line and column of the key at `loc` (or the nearest ancestor)."""
        s = self.span(loc)
        return s.key_line, s.key_col
