"""Lint policy, `[tool.campc.lint]`: which rules run where, and how severe their findings
are. Rule selectors (a code, a family, a name or ALL) are checked against the registry
the caller hands in as the validation context's `known` (the settings sit below the
rules, so they never import them)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from pydantic import BeforeValidator, ValidationInfo
from pydantic_core import PydanticCustomError

from compiler.config.options import Says, Table, refusal
from compiler.diagnostics import Severity

Known = Callable[[str], bool]
"""Whether a rule selector (a code, family, name or ALL) names a rule: the registry's
`selects`, handed in by the caller."""


def selectors(values: Any, known: Known | None) -> tuple[str, ...]:
    """A list of rule selectors (or one comma-separated text), each one `known` names;
    ValueError (not a list) or a refusal (an unknown rule) otherwise."""
    if isinstance(values, str):
        values = [part.strip() for part in values.split(",") if part.strip()]
    if not isinstance(values, list | tuple) or not all(isinstance(v, str) for v in values):
        raise ValueError("not a list of rule codes")
    for value in values:
        if known is not None and not known(value):
            raise refusal(f": unknown rule `{value}` (see `campc rules`)")
    return tuple(values)


def _known(info: ValidationInfo) -> Known | None:
    context = info.context
    return context.get("known") if isinstance(context, dict) else None


def _selectors(values: Any, info: ValidationInfo) -> tuple[str, ...]:
    return selectors(values, _known(info))


def _per_file(value: Any, info: ValidationInfo) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not isinstance(value, dict):
        raise ValueError("not a table")
    pairs = []
    for glob, codes in value.items():
        try:
            pairs.append((glob, selectors(codes, _known(info))))
        except PydanticCustomError as err:  # an unknown rule (a ValueError too)
            raise refusal(err.message(), f'"{glob}"') from None
        except ValueError:
            raise refusal("must be a list of rule codes", f'"{glob}"') from None
    return tuple(pairs)


def _severity(value: Any, info: ValidationInfo) -> tuple[tuple[str, Severity], ...]:
    if not isinstance(value, dict):
        raise ValueError("not a table")
    levels = {s.value: s for s in Severity}
    pairs = []
    for code, level in value.items():
        selectors([code], _known(info))
        if level not in levels:
            raise refusal(f": `{level}` is not one of {', '.join(levels)}", code)
        pairs.append((code, levels[level]))
    return tuple(pairs)


Selectors = Annotated[
    tuple[str, ...], BeforeValidator(_selectors), Says("must be a list of rule codes")
]


class LintSettings(Table):
    """`[tool.campc.lint]`: which rules run where, and how severe their findings are."""

    select: Selectors = ("ALL",)
    """rules to run: codes, families (ROUTE), names or ALL"""
    ignore: Selectors = ()
    """rules not to run"""
    extend_select: Selectors = ()
    """rules to run on top of `select`"""
    per_file_ignores: Annotated[
        tuple[tuple[str, tuple[str, ...]], ...],
        BeforeValidator(_per_file),
        Says("must be a table of glob = [codes]"),
    ] = ()
    """glob (relative to pyproject.toml) -> rules not to run on those files"""
    severity: Annotated[
        tuple[tuple[str, Severity], ...],
        BeforeValidator(_severity),
        Says("must be a table of code = level"),
    ] = ()
    """rule -> error, warning or info"""

    def with_overrides(
        self, select: tuple[str, ...] | None, ignore: tuple[str, ...] | None
    ) -> LintSettings:
        """Command-line `--select` replaces the configured selection (and its ignores);
        `--ignore` adds to whatever is selected."""
        return self.model_copy(
            update={
                "select": select if select else self.select,
                "ignore": (*(() if select else self.ignore), *(ignore or ())),
                "extend_select": () if select else self.extend_select,
            }
        )
