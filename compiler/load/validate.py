"""Validating a read document against its kind's model; pydantic errors become findings."""

from __future__ import annotations

import difflib
import re
import types
import typing
import unicodedata
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from compiler.diagnostics import Diagnostic, Loc
from compiler.load.codes import finding
from compiler.load.kinds import KINDS
from compiler.model.common import (
    CLOCK_PATTERN,
    CURRENCY_PATTERN,
    NAME_PATTERN,
    SLUG_PATTERN,
    TEMPLATE_PATTERN,
)
from compiler.project.document import Document

_PATTERNS = {
    SLUG_PATTERN: "a lowercase slug like `spring-launch-2027` (letters, digits, single hyphens)",
    NAME_PATTERN: "a snake_case name like `paid_social`",
    r"^[A-Z]{3}$": "an ISO 4217 currency code like EUR",
    r"^[A-Z]{2}$": "an ISO 3166 country code like FR",
    CLOCK_PATTERN: "a time of day like 08:30",
    TEMPLATE_PATTERN: "a path under campaigns/templates/ like `onboarding/welcome.html` "
    "(no leading `/`, no `.` or `..` segments)",
}


def validate(doc: Document) -> tuple[BaseModel | None, list[Diagnostic]]:
    """The document's model, or the findings that say why it is not valid."""
    kind = doc.data.get("kind")
    model = KINDS.get(kind) if isinstance(kind, str) else None
    if model is None:
        return None, [_unknown_kind(doc, kind)]
    try:
        return model.model_validate(doc.data), []
    except ValidationError as err:
        return None, _findings(doc, model, err.errors(include_url=False))


def _unknown_kind(doc: Document, kind: Any) -> Diagnostic:
    known = ", ".join(KINDS)
    if "kind" not in doc.data:
        return finding("SCHEMA004", doc.path, 1, 1, "missing `kind`", f"add `kind:` ({known})")
    line, col = doc.value_at(("kind",))
    close = difflib.get_close_matches(str(kind), list(KINDS), n=1)
    hint = f"did you mean `{close[0]}`?" if close else f"use one of: {known}"
    return finding("SCHEMA004", doc.path, line, col, f"unknown kind `{kind}`", hint)


def _findings(
    doc: Document, model: type[BaseModel], errors: list[ErrorDetails]
) -> list[Diagnostic]:
    grouped: dict[tuple[str, Loc], list[ErrorDetails]] = {}
    for error in errors:
        code, where = _classify(doc, error)
        grouped.setdefault((code, where), []).append(error)
    found = []
    for (code, where), group in grouped.items():
        found.append(_finding(doc, model, code, where, group))
    return found


def _classify(doc: Document, error: ErrorDetails) -> tuple[str, Loc]:
    kind = error["type"]
    raw_loc = tuple(error["loc"])
    if kind in ("union_tag_not_found", "union_tag_invalid"):
        raw_loc = (*raw_loc, _discriminator(error))  # point at (or under) the `type` key
    loc = _data_loc(doc.data, raw_loc)
    if kind == "extra_forbidden":
        return "SCHEMA002", loc
    if kind in ("missing", "union_tag_not_found"):
        return "SCHEMA003", loc
    return "SCHEMA001", loc


def _data_loc(data: Any, loc: tuple[int | str, ...]) -> Loc:
    """Map pydantic's loc (with union tags and validator names) onto the data's keys."""
    path: list[str | int] = []
    node = data
    for index, part in enumerate(loc):
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        ):
            path.append(part)
            node = _child(node, part)
        elif index == len(loc) - 1 and isinstance(node, dict) and isinstance(part, str):
            path.append(part)  # a missing key: keep its name
    return tuple(path)


def _finding(
    doc: Document, model: type[BaseModel], code: str, loc: Loc, group: list[ErrorDetails]
) -> Diagnostic:
    field = _field_name(loc)
    if code == "SCHEMA002":
        line, col = doc.key_at(loc)
        hint = "remove it"
        close = difflib.get_close_matches(str(loc[-1]), _fields_at(model, doc.data, loc[:-1]), n=1)
        if close:
            hint = f"did you mean `{close[0]}`?"
        return finding(code, doc.path, line, col, f"unknown key `{loc[-1]}`", hint)
    if code == "SCHEMA003":
        parent = loc[:-1]
        line, col = doc.key_at(parent) if parent else (1, 1)
        missing = ", ".join(f"`{_missing_name(e)}`" for e in group)
        where = f" in `{_field_name(parent)}`" if parent else ""
        return finding(
            code, doc.path, line, col, f"missing required key {missing}{where}", f"add {missing}"
        )
    line, col = doc.value_at(loc)
    reasons = list(dict.fromkeys(_reason(e) for e in group))
    message = " or ".join(reasons) if len(reasons) > 1 else reasons[0]
    subject = f"`{field}`" if field else "document"
    hint = _hint(group) or _describe(model, doc.data, loc)
    return finding(code, doc.path, line, col, f"invalid {subject}: {message}", hint)


def _discriminator(error: ErrorDetails) -> str:
    return str(error.get("ctx", {}).get("discriminator", "type")).strip("'")


def _missing_name(error: ErrorDetails) -> str:
    if error["type"] == "union_tag_not_found":
        return _discriminator(error)
    return str(error["loc"][-1])


def _field_name(loc: Loc) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _reason(error: ErrorDetails) -> str:
    ctx = error.get("ctx", {})
    kind = error["type"]
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        return "expected " + _PATTERNS.get(pattern, f"text matching `{pattern}`")
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    if kind == "union_tag_invalid":
        expected = ctx.get("expected_tags", "")
        return f"`{ctx.get('tag')}` is not one of {expected}"
    if kind == "literal_error":
        return f"expected one of {ctx.get('expected', '')}"
    message = error["msg"]
    return message[:1].lower() + message[1:]


_CURRENCY_NAMES = {
    "€": "EUR", "EURO": "EUR", "EUROS": "EUR", "$": "USD", "US$": "USD", "DOLLAR": "USD",
    "DOLLARS": "USD", "USD$": "USD", "£": "GBP", "POUND": "GBP", "POUNDS": "GBP",
    "¥": "JPY", "YEN": "JPY", "円": "JPY", "FR.": "CHF", "SFR": "CHF", "KR": "SEK",
    "C$": "CAD", "A$": "AUD", "₹": "INR", "RUPEE": "INR", "₩": "KRW", "ZŁ": "PLN",
}  # fmt: skip
"""Near misses for an ISO 4217 code: symbols and names people write."""


def slug_of(text: str) -> str:
    """`text` as a slug: accents dropped, lower case, runs of other characters as `-`."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:64].strip("-")


def _near_miss(error: ErrorDetails) -> str:
    """A "did you mean" for a value that misses its pattern by a common slip."""
    pattern = str(error.get("ctx", {}).get("pattern", ""))
    given = error.get("input")
    if not isinstance(given, str):
        return ""
    if pattern == SLUG_PATTERN:
        slug = slug_of(given)
        return f"did you mean `{slug}`?" if slug and slug != given else ""
    if pattern == CURRENCY_PATTERN:
        key = given.strip().upper()
        code = _CURRENCY_NAMES.get(key) or (key if re.fullmatch(r"[A-Z]{3}", key) else None)
        return f"did you mean `{code}`? (an ISO 4217 code)" if code and code != given else ""
    return ""


def _hint(group: list[ErrorDetails]) -> str:
    for error in group:
        if error["type"] == "string_pattern_mismatch" and (near := _near_miss(error)):
            return near
        if error["type"] in ("literal_error", "union_tag_invalid"):
            ctx = error.get("ctx", {})
            expected = str(ctx.get("expected", ctx.get("expected_tags", "")))
            options = re.findall(r"'([^']*)'", expected)
            given = ctx.get("tag", error.get("input"))
            close = difflib.get_close_matches(str(given), options, n=1)
            return f"did you mean `{close[0]}`?" if close else "use one of the values listed"
        if error["type"] in ("date_from_datetime_parsing", "date_parsing", "datetime_parsing"):
            return "check that the date exists (month 1-12, day within the month)"
        if error["type"] == "bool_type":
            return "write `true` or `false` (in YAML 1.2, yes/no/on/off are text)"
    return ""


def _describe(model: type[BaseModel], data: Any, loc: Loc) -> str:
    """The description of the field at `loc`, as a hint of what it expects."""
    if not loc or not isinstance(loc[-1], str):
        return ""
    for candidate in _models_at(model, data, loc[:-1]):
        for name, info in candidate.model_fields.items():
            if loc[-1] in (name, info.alias) and info.description:
                return f"`{loc[-1]}`: {' '.join(info.description.split())}"
    return ""


def _models_at(model: type[BaseModel], data: Any, loc: Loc) -> list[type[BaseModel]]:
    """The models that can hold the mapping at `loc` (narrowed by its `type` in a union)."""
    candidates: list[type[BaseModel]] = [model]
    node = data
    for part in loc:
        node = _child(node, part)
        if isinstance(part, int):
            continue
        following: dict[type[BaseModel], None] = {}
        for candidate in candidates:
            for name, info in candidate.model_fields.items():
                if part in (name, info.alias):
                    following.update(dict.fromkeys(_models_in(info.annotation)))
        if following:
            candidates = list(following)
    tag = node.get("type") if isinstance(node, dict) else None
    narrowed = [c for c in candidates if _accepts_type(c, tag)]
    return narrowed or candidates


def _child(node: Any, part: str | int) -> Any:
    if isinstance(node, dict):
        return node.get(part)
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return None


def _accepts_type(model: type[BaseModel], tag: Any) -> bool:
    info = model.model_fields.get("type")
    return info is not None and tag in typing.get_args(info.annotation)


def _fields_at(model: type[BaseModel], data: Any, loc: Loc) -> list[str]:
    """Every key allowed at `loc`, for a "did you mean"."""
    keys: dict[str, None] = {}
    for candidate in _models_at(model, data, loc):
        keys.update(
            dict.fromkeys(info.alias or name for name, info in candidate.model_fields.items())
        )
    return list(keys)


def _models_in(annotation: Any) -> Iterable[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        return
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        yield from _models_in(typing.get_args(annotation)[0])
        return
    if origin is not None or isinstance(annotation, types.UnionType):
        for arg in typing.get_args(annotation):
            yield from _models_in(arg)
