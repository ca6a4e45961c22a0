"""Where things are: `[tool.campc]` in pyproject.toml, then command-line overrides."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from compiler import files
from compiler.config.lint import LintSettings
from compiler.config.policy import (
    BudgetPolicy,
    CalendarPolicy,
    EmailPolicy,
    ExperimentPolicy,
    Policy,
)
from compiler.diagnostics import Severity
from compiler.errors import SettingsError
from compiler.model.names import DOMAINS

DEFAULTS = {"campaigns": "campaigns", "outputs": "outputs", "schemas": "schemas"}
"""Every `[tool.campc]` option with its default, relative to the project root."""


LINT_OPTIONS = {
    "select": "rules to run: codes, families (ROUTE), names or ALL",
    "ignore": "rules not to run",
    "extend-select": "rules to run on top of `select`",
    "per-file-ignores": "glob (relative to pyproject.toml) -> rules not to run on those files",
    "severity": "rule -> error, warning or info",
}
"""Every `[tool.campc.lint]` option."""


CALENDAR_OPTIONS = {
    "uid-domain": "domain part of calendar event UIDs",
    "markets": "countries whose public holidays apply by default, like ['FR', 'DE-BY']",
    "quiet-hours": "no campaign send between these local times, like '21:00-08:00' (or '')",
}
"""Every `[tool.campc.calendar]` option."""

BUDGET_OPTIONS = {
    "quarterly-caps": "currency -> most all campaigns may spend per quarter",
    "domain-caps": "domain -> currency -> most its campaigns may spend per quarter",
    "max-contingency-share": "largest share of a budget held as contingency (default 0.1)",
}
"""Every `[tool.campc.budget]` option."""

EXPERIMENT_OPTIONS = {"max-duration": "longest planned run without a spec's own, like '8w'"}
"""Every `[tool.campc.experiments]` option."""


@dataclass(frozen=True)
class Settings:
    """Resolved paths of one project, and its lint configuration."""

    root: Path
    campaigns: Path
    outputs: Path
    schemas: Path
    config_file: Path | None = field(default=None)
    lint: LintSettings = field(default_factory=LintSettings)
    policy: Policy = field(default_factory=Policy)

    @property
    def uid_domain(self) -> str:
        """The domain part of calendar UIDs."""
        return self.policy.calendar.uid_domain


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml with a `[tool.campc]` table, from `start` upwards."""
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if os.path.lexists(candidate) and "campc" in _tool_table(candidate):
            return candidate
    return None


def _tool_table(path: Path) -> dict[str, object]:
    try:
        text = files.read_bytes(path, path.parent, limit=files.SOURCE_LIMIT).decode("utf-8")
        data = tomllib.loads(text)
    except files.NotRegular as err:
        raise SettingsError(f"{path} is {err.what}: campc reads only a regular file") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise SettingsError(f"{path}: cannot read: {err}") from None
    tool = data.get("tool", {})
    return tool if isinstance(tool, dict) else {}


def _check_inside(what: str, folder: Path, root: Path) -> None:
    """SettingsError unless `folder` is the project root or a folder below it reached
    without a link (campc reads nothing outside the project)."""
    here = Path(os.path.normpath(os.path.abspath(folder)))
    if here == Path(os.path.normpath(os.path.abspath(root))):
        return
    try:
        files.check_folder(folder, root)
    except files.NotRegular as err:
        if err.what == "outside the project":
            raise SettingsError(f"{what} = {folder} is outside the project ({root})") from None
        raise SettingsError(
            f"{what}: {err.path} is {err.what}; campc reads only real folders inside the project"
        ) from None


Known = Callable[[str], bool]
"""Whether a rule selector (a code, family, name or ALL) names a rule: the registry's
`selects`, handed in by the caller (the settings sit below the rules)."""


def _any_selector(selector: str) -> bool:
    return True


def load(cwd: Path, known: Known = _any_selector) -> Settings:
    """Settings for a run started in `cwd`; rule selectors are checked with `known`."""
    pyproject = find_pyproject(cwd)
    if pyproject is None:
        for key in ("campaigns", "schemas"):
            _check_inside(f"the default {key} folder", cwd / DEFAULTS[key], cwd)
        return Settings(
            root=cwd,
            campaigns=cwd / DEFAULTS["campaigns"],
            outputs=cwd / DEFAULTS["outputs"],
            schemas=cwd / DEFAULTS["schemas"],
        )
    table = _tool_table(pyproject)["campc"]
    if not isinstance(table, dict):
        raise SettingsError(f"{pyproject}: [tool.campc] must be a table")
    values = dict(DEFAULTS)
    lint = LintSettings()
    calendar = CalendarPolicy()
    budget = BudgetPolicy()
    experiments = ExperimentPolicy()
    email = EmailPolicy()
    for key, value in table.items():
        if key == "email":
            email = _email(pyproject, value)
            continue
        if key == "lint":
            lint = _lint(pyproject, value, known)
            continue
        if key == "calendar":
            calendar = _calendar(pyproject, value)
            continue
        if key == "budget":
            budget = _budget(pyproject, value)
            continue
        if key == "experiments":
            experiments = _experiments(pyproject, value)
            continue
        if key not in DEFAULTS:
            options = ", ".join(
                [*sorted(DEFAULTS), "budget", "calendar", "email", "experiments", "lint"]
            )
            raise SettingsError(
                f"{pyproject}: unknown option `tool.campc.{key}` (known: {options})"
            )
        if not isinstance(value, str) or not value:
            raise SettingsError(f"{pyproject}: `tool.campc.{key}` must be a path")
        values[key] = value
    root = pyproject.parent
    for key in ("campaigns", "schemas"):
        _check_inside(f"{pyproject}: `tool.campc.{key}`", root / values[key], root)
    return Settings(
        root=root,
        campaigns=root / values["campaigns"],
        outputs=root / values["outputs"],
        schemas=root / values["schemas"],
        config_file=pyproject,
        lint=lint,
        policy=Policy(calendar=calendar, budget=budget, experiments=experiments, email=email),
    )


def _table(pyproject: Path, prefix: str, table: object, options: dict[str, str]) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise SettingsError(f"{pyproject}: [{prefix}] must be a table")
    for key in table:
        if key not in options:
            known = ", ".join(options)
            raise SettingsError(f"{pyproject}: unknown option `{prefix}.{key}` (known: {known})")
    return table


def _calendar(pyproject: Path, value: object) -> CalendarPolicy:
    prefix = "tool.campc.calendar"
    table = _table(pyproject, prefix, value, CALENDAR_OPTIONS)
    domain = table.get("uid-domain", CalendarPolicy.uid_domain)
    if not isinstance(domain, str) or not domain or any(c in domain for c in "@/ \t\n"):
        raise SettingsError(f"{pyproject}: `{prefix}.uid-domain` must be a domain name")
    markets = table.get("markets", [])
    if not isinstance(markets, list) or not all(
        isinstance(m, str) and re.fullmatch(r"[A-Z]{2}(?:-[A-Z0-9]{1,3})?", m) for m in markets
    ):
        raise SettingsError(f"{pyproject}: `{prefix}.markets` must list codes like 'FR' or 'DE-BY'")
    quiet = table.get("quiet-hours", "21:00-08:00")
    match = re.fullmatch(r"([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)", str(quiet))
    if quiet != "" and match is None:
        raise SettingsError(f"{pyproject}: `{prefix}.quiet-hours` must look like '21:00-08:00'")
    hours = None
    if match is not None:
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        hours = (time(h1, m1), time(h2, m2))
    return CalendarPolicy(uid_domain=domain, markets=tuple(markets), quiet_hours=hours)


def _experiments(pyproject: Path, value: object) -> ExperimentPolicy:
    # pydantic and the models, only for a project that sets experiment policies: the
    # settings are read on the cached path, which loads no model
    from pydantic import TypeAdapter, ValidationError

    from compiler.model.common import Duration

    prefix = "tool.campc.experiments"
    table = _table(pyproject, prefix, value, EXPERIMENT_OPTIONS)
    if "max-duration" not in table:
        return ExperimentPolicy()
    try:
        duration = TypeAdapter(Duration).validate_python(table["max-duration"])
    except ValidationError:
        raise SettingsError(
            f"{pyproject}: `{prefix}.max-duration` must be a duration like '8w' or '30d'"
        ) from None
    return ExperimentPolicy(max_duration=duration)


EMAIL_OPTIONS = {
    "sending-domains": "domains a From address may use, like ['fjord.example']",
    "unsubscribe-url": "https URL of the one-click unsubscribe (List-Unsubscribe)",
    "preferences-url": "https URL of the preference centre",
    "unsubscribe-mailto": "address for List-Unsubscribe's mailto: form",
    "max-subject-length": "longest subject in characters (default 78)",
    "allow-safe": "let templates use |safe (default false)",
}
"""Every `[tool.campc.email]` option."""


_HEADER_URL = r"https://[A-Za-z0-9.-]+(?::\d+)?(?:[/?#][!#$&'()*+,/:;=?@\[\]~%A-Za-z0-9_.-]*)?"
"""An https URL that can go into a `List-Unsubscribe` header as it is: no space, control,
quote, angle bracket or non-ASCII character (which would end or add a header)."""
_ADDRESS = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
"""One plain address (what `List-Unsubscribe`'s mailto: takes, with no name)."""


def _email(pyproject: Path, value: object) -> EmailPolicy:
    prefix = "tool.campc.email"
    table = _table(pyproject, prefix, value, EMAIL_OPTIONS)
    defaults = EmailPolicy()
    domains = table.get("sending-domains", [])
    if not isinstance(domains, list) or not all(
        isinstance(d, str) and re.fullmatch(r"[a-z0-9-]+(?:\.[a-z0-9-]+)+", d) for d in domains
    ):
        raise SettingsError(f"{pyproject}: `{prefix}.sending-domains` must list domain names")
    urls = {}
    for key in ("unsubscribe-url", "preferences-url"):
        url = table.get(key, getattr(defaults, key.replace("-", "_")))
        if not isinstance(url, str) or not re.fullmatch(_HEADER_URL, url):
            raise SettingsError(f"{pyproject}: `{prefix}.{key}` must be an https:// URL")
        urls[key] = url
    mailto = table.get("unsubscribe-mailto")
    if mailto is not None and (not isinstance(mailto, str) or not re.fullmatch(_ADDRESS, mailto)):
        raise SettingsError(f"{pyproject}: `{prefix}.unsubscribe-mailto` must be an address")
    length = table.get("max-subject-length", defaults.max_subject_length)
    if not isinstance(length, int) or isinstance(length, bool) or not 10 <= length <= 998:
        raise SettingsError(f"{pyproject}: `{prefix}.max-subject-length` must be 10 to 998")
    allow = table.get("allow-safe", False)
    if not isinstance(allow, bool):
        raise SettingsError(f"{pyproject}: `{prefix}.allow-safe` must be true or false")
    return EmailPolicy(
        sending_domains=tuple(domains),
        unsubscribe_url=urls["unsubscribe-url"],
        preferences_url=urls["preferences-url"],
        unsubscribe_mailto=mailto,
        max_subject_length=length,
        allow_safe=allow,
    )


def _money_table(pyproject: Path, where: str, value: object) -> dict[str, Decimal]:
    if not isinstance(value, dict):
        raise SettingsError(f"{pyproject}: `{where}` must be a table of CURRENCY = amount")
    caps = {}
    for currency, amount in value.items():
        if not re.fullmatch(r"[A-Z]{3}", currency) or isinstance(amount, bool):
            raise SettingsError(f"{pyproject}: `{where}.{currency}` must be CURRENCY = amount")
        try:
            caps[currency] = Decimal(str(amount))
        except InvalidOperation:
            raise SettingsError(f"{pyproject}: `{where}.{currency}` is not a number") from None
    return caps


def _budget(pyproject: Path, value: object) -> BudgetPolicy:
    prefix = "tool.campc.budget"
    table = _table(pyproject, prefix, value, BUDGET_OPTIONS)
    quarterly = _money_table(pyproject, f"{prefix}.quarterly-caps", table.get("quarterly-caps", {}))
    domains_value = table.get("domain-caps", {})
    if not isinstance(domains_value, dict):
        raise SettingsError(f"{pyproject}: `{prefix}.domain-caps` must be a table")
    domains = {}
    for domain, caps in domains_value.items():
        if domain not in DOMAINS:
            known = ", ".join(DOMAINS)
            raise SettingsError(
                f"{pyproject}: `{prefix}.domain-caps.{domain}` is not a domain ({known})"
            )
        domains[domain] = _money_table(pyproject, f"{prefix}.domain-caps.{domain}", caps)
    share = table.get("max-contingency-share", 0.1)
    if isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 1:
        raise SettingsError(f"{pyproject}: `{prefix}.max-contingency-share` must be in [0, 1]")
    return BudgetPolicy(
        quarterly_caps=quarterly, domain_caps=domains, max_contingency_share=Decimal(str(share))
    )


def check_selectors(where: str, values: Any, known: Known) -> tuple[str, ...]:
    """A list of rule selectors, each a known code, family, name or ALL."""
    if isinstance(values, str):
        values = [part.strip() for part in values.split(",") if part.strip()]
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise SettingsError(f"`{where}` must be a list of rule codes")
    for value in values:
        if not known(value):
            raise SettingsError(f"`{where}`: unknown rule `{value}` (see `campc rules`)")
    return tuple(values)


def _lint(pyproject: Path, table: object, known: Known) -> LintSettings:
    prefix = "tool.campc.lint"
    if not isinstance(table, dict):
        raise SettingsError(f"{pyproject}: [{prefix}] must be a table")
    for key in table:
        if key not in LINT_OPTIONS:
            options = ", ".join(LINT_OPTIONS)
            raise SettingsError(f"{pyproject}: unknown option `{prefix}.{key}` (known: {options})")
    try:
        per_file = table.get("per-file-ignores", {})
        if not isinstance(per_file, dict):
            raise SettingsError(f"`{prefix}.per-file-ignores` must be a table of glob = [codes]")
        severities = table.get("severity", {})
        if not isinstance(severities, dict):
            raise SettingsError(f"`{prefix}.severity` must be a table of code = level")
        levels = {s.value: s for s in Severity}
        severity = []
        for code, level in severities.items():
            check_selectors(f"{prefix}.severity", [code], known)
            if level not in levels:
                raise SettingsError(
                    f"`{prefix}.severity.{code}`: `{level}` is not one of {', '.join(levels)}"
                )
            severity.append((code, levels[level]))
        return LintSettings(
            select=check_selectors(f"{prefix}.select", table.get("select", ["ALL"]), known),
            ignore=check_selectors(f"{prefix}.ignore", table.get("ignore", []), known),
            extend_select=check_selectors(
                f"{prefix}.extend-select", table.get("extend-select", []), known
            ),
            per_file_ignores=tuple(
                (glob, check_selectors(f'{prefix}.per-file-ignores."{glob}"', codes, known))
                for glob, codes in per_file.items()
            ),
            severity=tuple(severity),
        )
    except SettingsError as err:
        raise SettingsError(f"{pyproject}: {err}") from None
