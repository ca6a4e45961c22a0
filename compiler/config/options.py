"""What every `[tool.campc]` table shares: a strict pydantic model with kebab-case option
names, and one line per mistake (`tool.campc.calendar.uid-domain` must be a domain name).

Each option says what is wrong with a bad value through a `Says` marker in its type;
a validator that knows more (the key of a table, a rule that does not exist) raises
`refusal`. `message` turns pydantic's first error into that one line."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from compiler.model import docstrings


class Table(docstrings.Described, BaseModel):
    """A `[tool.campc...]` table: unknown options refused, values frozen, options spelt
    `uid-domain` in TOML and `uid_domain` in code, each documented by its docstring."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        alias_generator=lambda name: name.replace("_", "-"),
        populate_by_name=True,
        arbitrary_types_allowed=True,
        defer_build=True,
    )


@dataclass(frozen=True)
class Says:
    """What a bad value of this option is told (`must be a domain name`)."""

    text: str


def refusal(text: str, key: str = "") -> PydanticCustomError:
    """An error whose words are `text` as they are, about the option (or, with `key`,
    about one key of the option's table: `quarterly-caps.usd`). A `text` starting with
    `:` follows the option's name directly (`select`: unknown rule ...)."""
    return PydanticCustomError("campc", "{text}", {"text": text, "key": key})


def fullmatch(pattern: str) -> AfterValidator:
    """A validator: text that matches `pattern` whole (Python's `re`, as documented)."""
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if compiled.fullmatch(value) is None:
            raise ValueError(f"does not match {pattern}")
        return value

    return AfterValidator(check)


def message(err: ValidationError, model: type[BaseModel], prefix: str) -> str:
    """Pydantic's first error as one line about the option it concerns."""
    first = err.errors()[0]
    loc = [str(part) for part in first["loc"]]
    if first["type"] == "extra_forbidden":
        owner, path, _ = _walk(model, loc[:-1])
        known = ", ".join(_alias(name, info) for name, info in owner.model_fields.items())
        return f"unknown option `{_dotted(prefix, [*path, loc[-1]])}` (known: {known})"
    owner, path, says = _walk(model, loc)
    if first["type"] == "campc":
        ctx = first.get("ctx") or {}
        text, key = str(ctx["text"]), str(ctx["key"])
        where = _dotted(prefix, [*path, *([key] if key else [])])
        return f"`{where}`{text}" if text.startswith(":") else f"`{where}` {text}"
    if path == loc and says is None and first["type"] in _NOT_A_TABLE:
        return f"[{_dotted(prefix, path)}] must be a table"
    return f"`{_dotted(prefix, path)}` {says.text if says else first['msg']}"


_NOT_A_TABLE = {"model_type", "model_attributes_type", "dict_type"}


def _walk(model: type[BaseModel], loc: list[str]) -> tuple[type[BaseModel], list[str], Says | None]:
    """Follow `loc` through the models: the deepest model reached, the option names on the
    way (as written in TOML), and the last option's `Says`."""
    path: list[str] = []
    says = None
    owner = model
    for part in loc:
        found = next(
            (
                (name, info)
                for name, info in owner.model_fields.items()
                if _alias(name, info) == part
            ),
            None,
        )
        if found is None:
            break
        path.append(part)
        info = found[1]
        says = next((m for m in info.metadata if isinstance(m, Says)), None)
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            owner = annotation
        else:
            break
    return owner, path, says


def _alias(name: str, info: FieldInfo) -> str:
    return info.alias or name


def _dotted(prefix: str, path: list[str]) -> str:
    return ".".join([prefix, *path])
