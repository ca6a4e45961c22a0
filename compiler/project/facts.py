"""What is worked out once per run from a repository and shared (the schedule, the
rendered emails, the template facts): typed, each owned by the module that computes it.

A module declares its fact (`EVENTS: Fact[list[Event]] = Fact("events")`) and reads it
with `repo.facts.get(EVENTS, lambda: _events(repo))`: the first reader computes it,
the others get the same value, typed as declared. A fact is never changed after it is
handed out; what builds on it is another fact.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar, cast

T = TypeVar("T")


class Fact(Generic[T]):
    """The name of one fact, and (through `T`) its type."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"Fact({self.name!r})"


class Facts:
    """One run's facts about one repository."""

    def __init__(self) -> None:
        self._values: dict[Fact[Any], object] = {}

    def get(self, fact: Fact[T], compute: Callable[[], T]) -> T:
        """The fact, computed by `compute` the first time it is asked for."""
        if fact not in self._values:
            self._values[fact] = compute()
        return cast(T, self._values[fact])

    def known(self, fact: Fact[T]) -> bool:
        """Whether the fact was worked out already."""
        return fact in self._values
