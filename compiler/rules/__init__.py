"""The explicit rule registry: each family (`rules/<family>/`) lists its rule modules by
name, one rule per module (`<code>_<name>.py`); this joins them with the loader's codes
and the engine's. A rule module is imported only when its rule is asked for (to run, to
stamp a severity, to be shown), so `campc check --select ROUTE001` imports ROUTE001's
module alone."""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator, Mapping

from compiler.diagnostics import Rule
from compiler.load.codes import LOAD_RULES, UNUSED_NOQA

FAMILIES = ("score", "exp", "budget", "cal", "email", "metric", "ref", "meta", "route", "seq")
"""The rule families (`rules/<family>/`), in the order the reference lists them."""

_MODULE = re.compile(r"([a-z]+\d{3})_([a-z0-9_]+)")


class Registry(Mapping[str, Rule]):
    """Every code, in reference order: the loader's, the engine's, then each family's."""

    def __init__(self) -> None:
        self._fixed: dict[str, Rule] = {**LOAD_RULES, UNUSED_NOQA.code: UNUSED_NOQA}
        self._modules: dict[str, str] = {}
        self._names: dict[str, str] = {rule.name: code for code, rule in self._fixed.items()}
        for family in FAMILIES:
            listed: tuple[str, ...] = importlib.import_module(f"{__name__}.{family}").MODULES
            for module in listed:
                found = _MODULE.fullmatch(module)
                if found is None:
                    raise ValueError(f"rules/{family}/{module}.py is not named <code>_<name>")
                code = found.group(1).upper()
                self._modules[code] = f"{__name__}.{family}.{module}"
                self._names[found.group(2).replace("_", "-")] = code
        self._loaded: dict[str, Rule] = {}

    def __getitem__(self, code: str) -> Rule:
        if code in self._fixed:
            return self._fixed[code]
        if code not in self._loaded:
            rule = importlib.import_module(self._modules[code]).RULE
            if not isinstance(rule, Rule) or rule.code != code:
                raise TypeError(f"{self._modules[code]}.RULE is not the rule {code}")
            self._loaded[code] = rule
        return self._loaded[code]

    def __iter__(self) -> Iterator[str]:
        yield from self._fixed
        yield from self._modules

    def __len__(self) -> int:
        return len(self._fixed) + len(self._modules)

    def __contains__(self, code: object) -> bool:
        return code in self._fixed or code in self._modules

    def code_of(self, name: str) -> str | None:
        """The code of the rule named `name` (kebab-case), without importing it."""
        return self._names.get(name)

    def module_of(self, code: str) -> str | None:
        """The module a lint rule lives in (None for the loader's and the engine's)."""
        return self._modules.get(code)


RULES = Registry()
"""Every code: the loader's findings, the engine's, then the lint rules."""


def selected(selector: str) -> list[Rule]:
    """Rules a selector names: ALL, a family prefix (ROUTE), a code or a kebab-case name."""
    wanted = selector.strip()
    if wanted.upper() == "ALL":
        return list(RULES.values())
    rule = lookup(wanted)
    if rule is not None:
        return [rule]
    if wanted.isalpha():
        prefix = wanted.upper()
        return [RULES[code] for code in RULES if code.rstrip("0123456789") == prefix]
    return []


def selects(selector: str) -> bool:
    """Whether a selector names at least one rule."""
    return bool(selected(selector))


def lookup(code_or_name: str) -> Rule | None:
    """A rule by code (case-insensitive) or kebab-case name."""
    wanted = code_or_name.strip()
    code = wanted.upper() if wanted.upper() in RULES else RULES.code_of(wanted.lower())
    return None if code is None else RULES[code]
