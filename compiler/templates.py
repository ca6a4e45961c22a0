"""What the repository's templates reference, read with Jinja2's own parser."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


def referenced(folder: Path, names: Iterable[str]) -> set[str] | None:
    """Templates reachable from `names` through extends/include/import; None if undecidable."""
    from jinja2 import meta  # Jinja2 takes a tenth of a second to import: only when needed
    from jinja2.exceptions import TemplateSyntaxError
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment()
    seen: set[str] = set()
    pending = [n for n in names if (folder / n).is_file()]
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            tree = env.parse((folder / name).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, TemplateSyntaxError):
            continue  # the email rules report unreadable templates
        for child in meta.find_referenced_templates(tree):
            if child is None:
                return None  # a computed name: any template may be used
            pending.append(child)
    return seen
