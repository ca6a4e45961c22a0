"""What the repository's templates reference, read with Jinja2's own parser once per run."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from compiler.repository import Repository

Facts = dict[str, tuple[set[str], list[str] | None]]


def facts(repo: Repository) -> Facts:
    """Per template file: the variables it reads and the templates it extends, includes
    or imports (None when a name is computed). Parsed once per run, shared by the rules."""
    cached = repo.derived.get("template-facts")
    if isinstance(cached, dict):
        return cached
    from jinja2 import meta  # Jinja2 takes a tenth of a second to import: only when needed
    from jinja2.exceptions import TemplateNotFound, TemplateSyntaxError

    from compiler.emails import UNREADABLE, environment, limits

    # the email sandbox, not a plain one: finding a template's variables compiles it, and
    # compiling folds constants, so `2 ** 100000000` must stay intercepted here too; the
    # sandbox's loader reads the file (a regular file in the folder, never a link)
    env = environment(repo.templates_dir)
    found: Facts = {}
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
    repo.derived["template-facts"] = found
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
