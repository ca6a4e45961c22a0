"""Frozen dataclasses of numbers, text, dates and tuples as plain data (what the cache
keeps) and back, guided by their type hints: an experiment's plan, worked out once and
kept across runs (`experiments.planned`). What comes back equals what went in (a test
holds it for every plan of the example and bench repositories); data of another shape
raises ValueError."""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from datetime import date
from typing import Any, TypeVar

T = TypeVar("T")


def to_plain(value: Any) -> Any:
    """`value` as JSON-ready data: a dataclass as a dict of its fields, a tuple as a
    list, a date as its ISO text; numbers, text, booleans and None as they are."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple):
        return [to_plain(item) for item in value]
    if isinstance(value, date):
        if type(value) is not date:
            raise ValueError(f"only dates are kept, not {type(value).__name__}")
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise ValueError(f"a {type(value).__name__} is not plain data")


def from_plain(kind: type[T], data: Any) -> T:
    """The `kind` (a frozen dataclass) that `to_plain` gave `data` for."""
    return typing.cast(T, _decode(kind, data))


@functools.cache
def _hints(kind: type) -> dict[str, Any]:
    return typing.get_type_hints(kind)


def _decode(kind: Any, data: Any) -> Any:
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(kind)
        if data is None and type(None) in options:
            return None
        chosen = [option for option in options if option is not type(None)]
        if len(chosen) != 1:
            raise ValueError(f"cannot decode a value of {kind}")
        return _decode(chosen[0], data)
    if origin is tuple:
        if not isinstance(data, list):
            raise ValueError(f"expected a list for {kind}")
        args = typing.get_args(kind)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(args[0], item) for item in data)
        if len(args) != len(data):
            raise ValueError(f"expected {len(args)} items for {kind}")
        return tuple(_decode(arg, item) for arg, item in zip(args, data, strict=True))
    if origin is typing.Literal:
        if data not in typing.get_args(kind):
            raise ValueError(f"{data!r} is not one of {typing.get_args(kind)}")
        return data
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        if not isinstance(data, dict):
            raise ValueError(f"expected a mapping for {kind.__name__}")
        hints = _hints(kind)
        names = {f.name for f in dataclasses.fields(kind)}
        if set(data) != names:
            raise ValueError(f"{kind.__name__} has fields {sorted(names)}")
        return kind(**{name: _decode(hints[name], data[name]) for name in names})
    if kind is date:
        if not isinstance(data, str):
            raise ValueError("expected a date's ISO text")
        return date.fromisoformat(data)
    if kind is float:
        if isinstance(data, bool) or not isinstance(data, int | float):
            raise ValueError("expected a number")
        return data  # an int stays one: the plan held it so
    if kind in (int, str, bool):
        if type(data) is not kind:
            raise ValueError(f"expected {kind.__name__}")
        return data
    raise ValueError(f"cannot decode a value of {kind}")
