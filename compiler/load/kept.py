"""What is worked out from a model alone, as the loader hands it to the rules and
back-ends (`Repository.kept`): kept across runs in the project's cache, so that no rule
opens the cache itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from compiler.cache import Cache


class Kept:
    """`Repository.kept` through the project's cache: plain data a function of the key
    alone (an experiment's model and list size for its plan), kept in the `kept` pack,
    which every command adds to and none empties (`Cache.flush`)."""

    def __init__(self, store: Cache) -> None:
        self._store = store

    def __call__(self, kind: str, key: bytes, make: Callable[[], Any]) -> Any:
        if not self._store.active:
            return make()
        entry = self._store.key(b"kept", kind.encode(), key)
        stored = self._store.get(kind, entry)
        if isinstance(stored, list) and len(stored) == 1:
            return stored[0]
        value = make()
        self._store.put(kind, entry, [value])  # in a list: a None is kept too
        return value
