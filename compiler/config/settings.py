"""The settings of a project: `[tool.campc]` as one pydantic model, its folders, and
`[tool.campc.lint]` and the policy tables as models of their own (`config.lint`,
`config.policy`). A mistake is one line naming the option: `pyproject.toml:
`tool.campc.email.allow-safe` must be true or false`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, StrictStr, ValidationError
from pydantic_core import PydanticCustomError

from compiler.config.discovery import DEFAULTS, Known, Project, locate
from compiler.config.lint import LintSettings, selectors
from compiler.config.options import Says, Table, message
from compiler.config.policy import (
    DEFAULT_CLIENTS,
    BudgetPolicy,
    CalendarPolicy,
    EmailPolicy,
    ExperimentPolicy,
    Policy,
    ScoringPolicy,
)
from compiler.errors import SettingsError


@dataclass(frozen=True)
class Settings(Project):
    """A project with its lint configuration and policies, validated."""

    lint: LintSettings = field(default_factory=LintSettings)
    policy: Policy = field(default_factory=Policy)

    @property
    def uid_domain(self) -> str:
        """The domain part of calendar UIDs."""
        return self.policy.calendar.uid_domain


class CampcTable(Table):
    """`[tool.campc]`. The folders are checked by `discovery.locate` (they must be real
    folders inside the project); every other option here."""

    campaigns: StrictStr = DEFAULTS["campaigns"]
    """the folder of the specs, relative to pyproject.toml"""
    outputs: StrictStr = DEFAULTS["outputs"]
    """where `campc build` writes the artifacts"""
    schemas: StrictStr = DEFAULTS["schemas"]
    """where `campc schema` writes the JSON Schemas"""
    locale: Annotated[Literal["en", "fr", "de"], Says("must be 'en', 'fr' or 'de'")] = "en"
    """the language of the labels in the calendars and their overview"""
    budget: BudgetPolicy = Field(default_factory=BudgetPolicy)
    """`[tool.campc.budget]`"""
    calendar: CalendarPolicy = Field(default_factory=CalendarPolicy)
    """`[tool.campc.calendar]`"""
    email: EmailPolicy = Field(default_factory=EmailPolicy)
    """`[tool.campc.email]`"""
    experiments: ExperimentPolicy = Field(default_factory=ExperimentPolicy)
    """`[tool.campc.experiments]`"""
    scoring: ScoringPolicy = Field(default_factory=ScoringPolicy)
    """`[tool.campc.scoring]`"""
    lint: LintSettings = Field(default_factory=LintSettings)
    """`[tool.campc.lint]`"""


def validate(project: Project, known: Known | None = None) -> Settings:
    """The settings of `project`: its `[tool.campc]` validated, rule selectors with
    `known` (any selector passes without it)."""
    where = (
        project.root,
        project.campaigns,
        project.outputs,
        project.schemas,
        project.config_file,
    )
    if project.config_file is None:
        return Settings(*where)
    try:
        table = CampcTable.model_validate(project.table, context={"known": known})
    except ValidationError as err:
        raise SettingsError(
            f"{project.config_file}: {message(err, CampcTable, 'tool.campc')}"
        ) from None
    _known_to_caniemail(project.config_file, table.email)
    policy = Policy(
        calendar=table.calendar,
        budget=table.budget,
        experiments=table.experiments,
        email=table.email,
        scoring=table.scoring,
        locale=table.locale,
    )
    return Settings(*where, project.table, lint=table.lint, policy=policy)


def _known_to_caniemail(config_file: Path, email: EmailPolicy) -> None:
    """Every client and feature `[tool.campc.email]` names is one caniemail tests (its
    data is read only when the options are given)."""
    if email.clients == DEFAULT_CLIENTS and not email.allow_unsupported:
        return
    from compiler.conventions.caniemail import data as caniemail

    data = caniemail()
    for option, values, known, what in (
        ("clients", email.clients, data.clients, "client"),
        ("allow-unsupported", email.allow_unsupported, data.features, "feature"),
    ):
        for value in values:
            if value not in known:
                shown = ", ".join(known) if what == "client" else "the slugs of caniemail.com"
                raise SettingsError(
                    f"{config_file}: `tool.campc.email.{option}`: unknown {what} `{value}` "
                    f"(known: {shown})"
                )


def load(cwd: Path, known: Known | None = None) -> Settings:
    """Settings for a run started in `cwd`, validated (rule selectors with `known`)."""
    return validate(locate(cwd), known)


def check_selectors(where: str, values: Any, known: Known) -> tuple[str, ...]:
    """Rule selectors given on the command line (`--select`), each one `known` names."""
    try:
        return selectors(values, known)
    except PydanticCustomError as err:  # an unknown rule (a ValueError too)
        raise SettingsError(f"`{where}`{err.message()}") from None
    except ValueError:
        raise SettingsError(f"`{where}` must be a list of rule codes") from None
