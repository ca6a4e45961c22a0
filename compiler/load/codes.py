"""Findings raised while reading and validating files, before any rule runs, and by the engine.

The loader's cannot be ignored: a file that cannot be read has nothing to lint.
"""

from __future__ import annotations

import inspect

from compiler.diagnostics import Diagnostic, Rule, Severity


def _rule(code: str, name: str, doc: str) -> Rule:
    return Rule(
        code=code,
        name=name,
        severity=Severity.ERROR,
        doc=doc,
        ignorable=False,
    )


LOAD_RULES: dict[str, Rule] = {
    rule.code: rule
    for rule in (
        _rule(
            "YAML001",
            "yaml-syntax",
            """The file is not valid YAML.

            ## What it does
            Reports the first syntax error the YAML parser meets, at its line and column.

            ## Why is this bad?
            Nothing in the file can be read until the syntax is fixed.

            ## Example
            ```yaml
            name: Q2: launch
            ```

            ## Use instead
            ```yaml
            name: "Q2: launch"
            ```
            """,
        ),
        _rule(
            "YAML002",
            "duplicate-key",
            """A key appears twice in the same mapping.

            ## What it does
            Reports the second occurrence of a key, naming the line of the first.

            ## Why is this bad?
            YAML parsers silently keep one of the two values, so half of what you
            wrote is ignored, and which half depends on the tool.

            ## Example
            ```yaml
            budget:
              total: 50000
              total: 60000
            ```

            ## Use instead
            ```yaml
            budget:
              total: 60000
            ```
            """,
        ),
        _rule(
            "YAML003",
            "forbidden-tag",
            """A YAML tag other than the core ones (`!!str`, `!!int`, ...) is used.

            ## What it does
            Refuses tags such as `!!python/object/apply:os.system` or `!Custom`.

            ## Why is this bad?
            Tags that construct objects run code when some loaders read the file;
            specs are plain data, so no tag is ever needed.

            ## Example
            ```yaml
            owner: !!python/object/apply:os.getlogin []
            ```

            ## Use instead
            ```yaml
            owner: marketing-ops@acme.example
            ```
            """,
        ),
        _rule(
            "YAML004",
            "alias-expansion",
            """Anchors and aliases expand too far, or an alias refers to itself.

            ## What it does
            Counts the values a document holds once every alias is expanded and
            refuses it past 100,000 values, or when an alias is recursive or undefined.

            ## Why is this bad?
            A few hundred bytes of nested aliases (a "billion laughs") expand to
            gigabytes in every tool that walks the data.

            ## Example
            ```yaml
            a: &a [x, x, x, x, x, x, x, x, x]
            b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
            c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
            ```

            ## Use instead
            Write the values out; keep anchors for small repeated blocks.
            """,
        ),
        _rule(
            "YAML005",
            "not-utf8",
            """The file is not valid UTF-8.

            ## What it does
            Reports the first byte that is not UTF-8, at its line and column.

            ## Why is this bad?
            Specs are read as UTF-8 everywhere (editors, CI, the compiler); a file
            saved as Latin-1 turns `é` into garbage in every artifact.

            ## Example
            A file saved in Windows-1252 with `name: Séquence`.

            ## Use instead
            Save the file as UTF-8.
            """,
        ),
        _rule(
            "YAML006",
            "empty-file",
            """The file holds no YAML document.

            ## What it does
            Reports a spec file that is empty or holds only comments.

            ## Why is this bad?
            An empty spec is usually a file whose content was lost; it defines nothing.

            ## Example
            An empty `campaigns/campagnes/spring.yaml`.

            ## Use instead
            Write the spec, or delete the file.
            """,
        ),
        _rule(
            "YAML007",
            "not-a-mapping",
            """The document is a list or a single value instead of a mapping.

            ## What it does
            Reports a file whose top level is not `key: value` pairs.

            ## Why is this bad?
            Every spec is a mapping that starts with `kind:`.

            ## Example
            ```yaml
            - kind: campaign
            ```

            ## Use instead
            ```yaml
            kind: campaign
            ```
            """,
        ),
        _rule(
            "YAML008",
            "multiple-documents",
            """The file holds more than one YAML document (`---` separators).

            ## What it does
            Reports the start of the second document.

            ## Why is this bad?
            One spec per file keeps ids, file names and outputs in step, and lets
            git and reviewers see one change per spec.

            ## Example
            ```yaml
            kind: campaign
            id: a
            ---
            kind: campaign
            id: b
            ```

            ## Use instead
            Two files, `a.yaml` and `b.yaml`.
            """,
        ),
        _rule(
            "YAML009",
            "too-large",
            """The file is larger than 1 MB or nests deeper than 64 levels.

            ## What it does
            Refuses oversized or absurdly nested files before parsing them.

            ## Why is this bad?
            No real spec comes close; such files are mistakes or attacks, and deep
            nesting crashes YAML parsers.

            ## Example
            ```yaml
            a: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[ ...
            ```

            ## Use instead
            Flatter data, split across several specs.
            """,
        ),
        _rule(
            "YAML010",
            "yaml-directive",
            """The file starts with a `%YAML` or `%TAG` directive.

            ## What it does
            Refuses directives.

            ## Why is this bad?
            `%YAML 1.1` changes how values are read (`no` becomes false, `010`
            becomes 8); specs are always YAML 1.2 so every tool reads them alike.

            ## Example
            ```yaml
            %YAML 1.1
            ---
            kind: campaign
            ```

            ## Use instead
            ```yaml
            kind: campaign
            ```
            """,
        ),
        _rule(
            "FILE001",
            "not-a-regular-file",
            """A path campc would read is a symbolic link, a FIFO, a device or a socket.

            ## What it does
            Reports every spec, template, template folder or committed artifact that
            is not a regular file (or folder) inside the project, naming what it is.
            campc never follows it and never reads it.

            ## Why is this bad?
            campc runs in CI on pull requests from anyone. A link committed as
            `campaigns/acquisition/news.yaml -> /proc/self/environ`, or a template
            linked to `~/.ssh/id_rsa`, would otherwise print the CI machine's secrets
            into a finding, a diff or an artifact; a FIFO would hang the run. Specs and
            templates are plain files in git: a link is never needed.

            ## Example
            ```sh
            $ ls -l campaigns/templates/
            footer.html -> ../../../shared/footer.html
            ```

            ## Use instead
            Commit the file itself (copy it into `campaigns/templates/`), or use
            `{% include %}` between templates inside the templates folder.
            """,
        ),
        _rule(
            "SCHEMA001",
            "invalid-value",
            """A value does not have the type or form its field requires.

            ## What it does
            Reports each value the spec's schema rejects, at the value, with what
            was expected (a date, a duration like `2d`, a slug, a number in a range...).

            ## Why is this bad?
            The compiler cannot build from a spec it cannot read.

            ## Example
            ```yaml
            window: {start: 2027-02-30, end: 2027-04-30}
            ```

            ## Use instead
            ```yaml
            window: {start: 2027-02-28, end: 2027-04-30}
            ```
            """,
        ),
        _rule(
            "SCHEMA002",
            "unknown-key",
            """A key that the spec's kind does not define.

            ## What it does
            Reports keys the schema does not know, usually typos.

            ## Why is this bad?
            A misspelt key (`budjet:`) would otherwise be silently ignored.

            ## Example
            ```yaml
            budjet: {currency: EUR, total: 5000}
            ```

            ## Use instead
            ```yaml
            budget: {currency: EUR, total: 5000}
            ```
            """,
        ),
        _rule(
            "SCHEMA003",
            "missing-key",
            """A required key is missing.

            ## What it does
            Reports the mapping that lacks a required key.

            ## Why is this bad?
            Every spec needs its identity (`id`, `name`, `owner`, `domain`) and the
            fields its kind compiles from.

            ## Example
            ```yaml
            kind: campaign
            id: spring-launch
            ```

            ## Use instead
            Add `name`, `domain`, `owner`, `timezone` and `window`.
            """,
        ),
        _rule(
            "SCHEMA004",
            "unknown-kind",
            """The `kind` key is missing or names no known kind.

            ## What it does
            Reports files whose `kind` is not one of campaign, sequence,
            scoring_model, experiment, audiences, routing or metrics.

            ## Why is this bad?
            The kind decides which schema applies and what the file compiles into.

            ## Example
            ```yaml
            kind: campain
            ```

            ## Use instead
            ```yaml
            kind: campaign
            ```
            """,
        ),
    )
}


UNUSED_NOQA = Rule(
    code="NOQA001",
    name="unused-noqa",
    severity=Severity.WARNING,
    doc=inspect.cleandoc(
        """A `# campc: noqa` comment suppresses nothing, or names an unknown rule.

        ## What it does
        Reports suppression comments (line-level `# campc: noqa: CODE` and
        file-level `# campc: noqa-file: CODE`) whose codes did not suppress a
        finding, and codes or names that are not rules.

        ## Why is this bad?
        A stale suppression hides the next real finding on that line, and a
        misspelt code suppresses nothing while looking as if it does.

        ## Example
        ```yaml
        domain: campagnes  # campc: noqa: ROUTE001  (the domain is right now)
        ```

        ## Use instead
        ```yaml
        domain: campagnes
        ```
        """
    ),
)


def finding(code: str, path: str, line: int, col: int, message: str, hint: str = "") -> Diagnostic:
    """A loader finding of one of the codes above."""
    return LOAD_RULES[code].diagnostic(path, line, col, message, hint)
