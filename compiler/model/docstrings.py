"""Field descriptions from the docstring under each field, as pydantic's
`use_attribute_docstrings` reads them, but with one parse per module.

Pydantic (before Python 3.13) finds each class's source by walking frames and asks
`inspect` for the module of every frame: 3 ms a class, 0.12-0.19 s for the 67 models
of a check that loads them. This reads each module's source once, takes every class's
`field: type` followed by a string, and fills in the descriptions a field does not
already have, when the class is made; with `defer_build` the schemas (and the JSON
Schemas of `campc schema`) are built later, with them."""

from __future__ import annotations

import ast
import inspect
import sys
from functools import cache
from itertools import pairwise
from typing import Any


class Described:
    """A base for pydantic models (listed before `BaseModel`) whose fields take their
    descriptions from `describe` when each subclass is made; with `defer_build` the
    schemas are built later, with them."""

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)  # type: ignore[misc]
        describe(cls)


def describe(model: Any) -> None:
    """Give each field of the pydantic model class `model` that has no description the
    docstring written under it in the class body."""
    docs = _classes(model.__module__).get(model.__qualname__, {})
    for name, info in model.model_fields.items():
        if info.description is None and name in docs:
            info.description = docs[name]


@cache
def _classes(module: str) -> dict[str, dict[str, str]]:
    """Class qualified name -> field -> its docstring, for every class of `module` not
    defined inside a function."""
    try:
        tree = ast.parse(inspect.getsource(sys.modules[module]))
    except (OSError, TypeError, KeyError, SyntaxError):  # no source: no descriptions
        return {}
    found: dict[str, dict[str, str]] = {}

    def visit(body: list[ast.stmt], prefix: str) -> None:
        for node in body:
            if isinstance(node, ast.ClassDef):
                name = f"{prefix}{node.name}"
                found[name] = _fields(node.body)
                visit(node.body, f"{name}.")

    visit(tree.body, "")
    return found


def _fields(body: list[ast.stmt]) -> dict[str, str]:
    docs: dict[str, str] = {}
    for first, second in pairwise(body):
        if (
            isinstance(first, ast.AnnAssign)
            and isinstance(first.target, ast.Name)
            and isinstance(second, ast.Expr)
            and isinstance(second.value, ast.Constant)
            and isinstance(second.value.value, str)
        ):
            docs[first.target.id] = inspect.cleandoc(second.value.value)
    return docs
