"""What the repository's templates reference, read with Jinja2's own parser once per run."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from compiler.email.sandbox import ENVIRONMENT, UNREADABLE, environment, limits
from compiler.project.facts import Fact

if TYPE_CHECKING:
    from compiler.project.repository import Repository

TemplateFacts = dict[str, tuple[set[str], list[str] | None]]

FACTS: Fact[TemplateFacts] = Fact("template facts")
SOURCES: Fact[dict[str, str | None]] = Fact("template sources")


def facts(repo: Repository) -> TemplateFacts:
    """Per template file: the variables it reads and the templates it extends, includes
    or imports (None when a name is computed). Parsed once per run, shared by the rules."""
    return repo.facts.get(FACTS, lambda: _facts(repo))


def _facts(repo: Repository) -> TemplateFacts:
    from jinja2 import meta  # Jinja2 takes a tenth of a second to import: only when needed
    from jinja2.exceptions import TemplateNotFound, TemplateSyntaxError

    # the email sandbox, not a plain one: finding a template's variables compiles it, and
    # compiling folds constants, so `2 ** 100000000` must stay intercepted here too; the
    # sandbox's loader reads the file (a regular file in the folder, never a link)
    env = environment_of(repo)
    found: TemplateFacts = {}
    for name in sorted(repo.templates):
        try:
            with limits():
                source, _, _ = env.loader.get_source(env, name)
                tree = env.parse(source)
                children = list(meta.find_referenced_templates(tree))
                variables = set(meta.find_undeclared_variables(tree))
        except (*UNREADABLE, TemplateSyntaxError, TemplateNotFound):  # type: ignore[misc]
            found[name] = (set(), [])  # the email rules report unreadable templates
            continue
        known = None if any(c is None for c in children) else [str(c) for c in children]
        found[name] = (variables, known)
    return found


def closure(repo: Repository, names: Iterable[str]) -> tuple[set[str], set[str]] | None:
    """The templates reachable from `names` through extends/include/import, and the
    variables they read; None if a computed template name makes it undecidable."""
    known = facts(repo)
    seen: set[str] = set()
    variables: set[str] = set()
    pending = [n for n in names if n in known]
    while pending:
        name = pending.pop()
        if name in seen or name not in known:
            continue
        seen.add(name)
        read, children = known[name]
        if children is None:
            return None  # a computed name: any template may be used
        variables |= read
        pending += children
    return seen, variables


def referenced(repo: Repository, names: Iterable[str]) -> set[str] | None:
    """Templates reachable from `names`; None if undecidable."""
    found = closure(repo, names)
    return None if found is None else found[0]


def chain(repo: Repository, name: str) -> list[str]:
    """`name`, then every template it extends, includes or imports, depth first in the
    order they are written (the ones a computed name may reach are not known)."""
    known = facts(repo)
    order: list[str] = []
    pending = [name]
    while pending:
        current = pending.pop()
        if current in order or current not in known:
            continue
        order.append(current)
        pending += reversed(known[current][1] or [])
    return order


def environment_of(repo: Repository) -> Any:
    """The run's sandboxed environment, reading the templates `load/` read (so each
    template compiles once, and no rule opens a file)."""

    return repo.facts.get(ENVIRONMENT, lambda: environment(repo.templates_dir, repo.template_files))


def source(repo: Repository, name: str) -> str | None:
    """The text of template `name` (None when it cannot be read: the email rules say
    why), read once per run through the sandbox's loader."""
    sources = repo.facts.get(SOURCES, dict)
    if name not in sources:
        env = environment_of(repo)
        try:
            sources[name] = env.loader.get_source(env, name)[0]
        except (*UNREADABLE, LookupError):  # type: ignore[misc]
            sources[name] = None
    return sources[name]


def matching(repo: Repository, name: str, pattern: str) -> tuple[str, int, int] | None:
    """Where `pattern` (a regular expression) first matches template `name` or the
    templates it extends, includes or imports: (template, line, column), 1-based."""
    compiled = re.compile(pattern)
    for template in chain(repo, name):
        text = source(repo, template)
        if text is None or (found := compiled.search(text)) is None:
            continue
        at = found.start()
        return template, text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1
    return None


def locate(repo: Repository, name: str, needles: Iterable[str]) -> tuple[str, int, int] | None:
    """Where the first of `needles` is written in template `name` or the templates it
    extends, includes or imports: (template, line, column), 1-based; None when no
    template writes it (the text came from a variable, so from the spec). A needle in
    quotes (`"https://..."`) is located at its first character inside them."""
    wanted = [n for n in dict.fromkeys(needles) if n]
    for template in chain(repo, name):
        text = source(repo, template)
        if text is None:
            continue
        for needle in wanted:
            at = text.find(needle)
            if at >= 0:
                if len(needle) > 1 and needle[0] in "\"'":
                    at += 1  # a value written in quotes: where the value starts
                line = text.count("\n", 0, at) + 1
                return template, line, at - (text.rfind("\n", 0, at) + 1) + 1
    return None
