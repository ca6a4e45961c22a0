"""The repository the rules and back-ends are handed: every spec that validated, the
registries, the template names, what did not load, the conventions and the policy."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import BaseModel

from compiler.config.policy import Policy
from compiler.conventions.holidays import holidays_of
from compiler.conventions.registry import Conventions, conventions
from compiler.model.audience import Audience, Audiences
from compiler.model.names import SPEC_KINDS
from compiler.model.references import Reference, references
from compiler.project.document import Document
from compiler.project.facts import Fact, Facts
from compiler.project.layout import TEMPLATES_DIR


@dataclass(eq=False)
class SpecFile:
    """A valid file: where it is, what it said, and its model.

    The model is validated when first asked for where the loader took the file from the
    cache (`validate` then builds it): a check after one changed file looks only at the
    models of the specs it lints again. The references are kept the same way (the cache
    stores them), so that the links between specs are known without any model.
    """

    path: str
    """Display path (relative to the working directory where possible)."""
    rel: PurePosixPath
    """Path relative to the campaigns folder."""
    doc: Document
    digest: str = ""
    """Hash of the file's bytes (what the cache keys the spec's findings by)."""
    _model: BaseModel | None = field(default=None, repr=False)
    validate: Callable[[Document], BaseModel] | None = field(default=None, repr=False)
    """How the model is built from `doc` when it was not given."""
    _references: tuple[Reference, ...] | None = field(default=None, repr=False)

    @classmethod
    def of(
        cls,
        path: str,
        rel: PurePosixPath,
        doc: Document,
        digest: str,
        model: BaseModel | Callable[[Document], BaseModel],
        refs: tuple[Reference, ...] | None = None,
    ) -> SpecFile:
        """A spec with its model, or with the function that validates it when needed."""
        if isinstance(model, BaseModel):
            return cls(path, rel, doc, digest, _model=model, _references=refs)
        return cls(path, rel, doc, digest, validate=model, _references=refs)

    @property
    def model(self) -> BaseModel:
        """The validated model (validated now if it was not yet)."""
        if self._model is None:
            assert self.validate is not None, "a spec without a model or a validator"
            self._model = self.validate(self.doc)
        return self._model

    @property
    def validated(self) -> bool:
        """Whether the model was built already (tests count what a check validates)."""
        return self._model is not None

    def references(self) -> tuple[Reference, ...]:
        """The references the spec makes, in document order (`model.references`)."""
        if self._references is None:
            self._references = tuple(references(self.model))
        return self._references

    @property
    def kind(self) -> str:
        """The document's kind."""
        return str(self.doc.data["kind"])


@dataclass(frozen=True)
class BrokenFile:
    """A file that did not read or validate: what is known of it, so that the rules do
    not report its absence (one mistake, one finding, in the file that holds it)."""

    path: str
    rel: PurePosixPath
    kind: str | None
    """Its `kind:` when the file read as YAML and said one; else None (any kind)."""
    id: str
    """Its `id:` when readable, else the file name's stem (what REF006 asks for)."""
    data: dict[str, Any] | None
    """What it said, when it read as YAML (untrusted shape: invalid by definition)."""

    def names(self) -> set[str]:
        """Every text value in the file: the names it may refer to."""
        found: set[str] = set()
        pending: list[Any] = [self.data]
        while pending:
            value = pending.pop()
            if isinstance(value, str):
                found.add(value)
            elif isinstance(value, dict):
                pending.extend(value.values())
            elif isinstance(value, list):
                pending.extend(value)
        return found


@dataclass(frozen=True)
class DeclaredAudience:
    """An audience with the file and list index it is declared at."""

    audience: Audience
    file: SpecFile
    index: int


AUDIENCES: Fact[dict[str, Audience]] = Fact("audiences by id")


@dataclass(frozen=True)
class Baseline:
    """The base revision of a check (`campc check --base REV`): its specs, and the date
    the lock is judged on."""

    revision: str
    repo: Repository
    as_of: date


Keep = Callable[[str, bytes, Callable[[], Any]], Any]
"""`keep(kind, key, make)`: the plain data `make()` gives, worked out once and kept in
the project's cache under `kind` and `key` for later runs (the loader hands one out:
rules and back-ends never open the cache themselves)."""


def _unkept(kind: str, key: bytes, make: Callable[[], Any]) -> Any:
    return make()


@dataclass
class Repository:
    """Everything the rules and back-ends read: valid specs, registries, conventions."""

    root: Path
    specs: list[SpecFile] = field(default_factory=list)
    registries: list[SpecFile] = field(default_factory=list)
    templates: frozenset[str] = frozenset()
    conventions: Conventions = field(default_factory=conventions)
    paths: list[Path] = field(default_factory=list)
    """Every YAML file read, in path order."""
    broken: list[BrokenFile] = field(default_factory=list)
    """Files that did not read or validate (their findings are the loader's)."""
    template_files: dict[str, bytes | Exception] = field(default_factory=dict)
    """Every template's bytes as `load/` read them (at most MAX_TEMPLATE + 1), or why it
    could not be read (a link, a FIFO...): rules and back-ends read no file themselves."""
    data_files: dict[str, bytes | Exception] = field(default_factory=dict)
    """Every data file below the campaigns folder (`.csv`, by its path there) as `load/`
    read it (at most MAX_DATA + 1 bytes), or why it could not be read."""
    refused_templates: frozenset[str] = frozenset()
    """Template names that are links, FIFOs...: never read (FILE001)."""
    display: Callable[[Path], str] = str
    """How paths are shown in findings."""
    policy: Policy = field(default_factory=Policy)
    """The project's calendar and budget policies (from pyproject.toml)."""
    facts: Facts = field(default_factory=Facts)
    """What several rules and back-ends share (the schedule...), worked out once per run."""
    holidays: Callable[[str, str | None, int], dict[date, str]] = holidays_of
    """Public holidays by country, subdivision and year, as the loader looks them up
    (through the project's cache): rules never open the cache themselves."""
    base: Baseline | None = None
    """The revision `campc check --base` compares with (the pre-registration lock)."""
    kept: Keep = _unkept
    """What is worked out from a model alone and kept across runs (experiment plans)."""

    @property
    def templates_dir(self) -> Path:
        """Where the email templates live."""
        return self.root / TEMPLATES_DIR

    def maybe_declared(self, kind: str, name: str) -> bool:
        """Whether a file that did not read or validate may be the `kind` spec `name`, or
        may declare it (so a reference to it is not reported as dangling)."""
        for file in self.broken:
            if kind in SPEC_KINDS:
                if file.kind in (kind, None) and file.id == name:
                    return True
            elif kind == "audience" and file.kind in ("audiences", None):
                return True
            elif kind == "send" and file.id == name.partition("/")[0]:
                return True  # the campaign or sequence that did not load may have it
        return kind == "template" and name in self.refused_templates

    def template_bytes(self, name: str) -> bytes:
        """A template file's bytes as `load/` read them; what stopped the read, raised."""
        found = self.template_files.get(name)
        if found is None:
            raise FileNotFoundError(f"no template `{name}`")
        if isinstance(found, Exception):
            raise found
        return found

    def audiences(self) -> Iterator[DeclaredAudience]:
        """Every declared audience, in file order."""
        for file in self.registries:
            if isinstance(file.model, Audiences):
                for index, audience in enumerate(file.model.audiences):
                    yield DeclaredAudience(audience, file, index)

    def audience(self, audience_id: str) -> Audience | None:
        """The audience declared under `audience_id` (the last declaration where an id is
        repeated, as a dict built from `audiences()` gives; REF001 reports repeats). The
        table is built once per run: a back-end asks once per spec."""
        table = self.facts.get(
            AUDIENCES, lambda: {d.audience.id: d.audience for d in self.audiences()}
        )
        return table.get(audience_id)

    def ids(self, kind: str) -> dict[str, SpecFile]:
        """Specs of one kind by id (the first one where an id is duplicated)."""
        found: dict[str, SpecFile] = {}
        for spec in self.specs:
            if spec.kind == kind:
                found.setdefault(str(spec.doc.data["id"]), spec)
        return found
