"""The template sandbox: Jinja2 rendering that cannot reach outside its folder, run code,
or build values past its bounds.

Templates are Jinja2 under `campaigns/templates/`, rendered by an immutable sandbox
with `StrictUndefined`: a template reads only the variables its spec declares (with
their sample values) and the ones campc provides (`subject`, `preheader`,
`unsubscribe_url`, `preferences_url`). The sandbox refuses attribute walks
(`''.__class__`) and changes to lists and dicts; the loader reads templates through
`files.read_bytes`, so never a path outside the templates folder, a link, a FIFO or a
device. Every operation that builds a value is bounded before it runs (filters, str
and int methods, `*`, `**`, `+`, `%`, `~`, `str.format`, the output macros and
`{% set %}` blocks collect, comparisons): nothing may print larger than MAX_VALUE, so
`'a'|center(3000000000)` is refused, not built. Compiling and rendering have a time
limit and a memory cap (RLIMIT_AS) for whatever the bounds miss.
HTML templates are autoescaped; text (the subject) is not, so O'Brien stays O'Brien.
Every failure is a `TemplateProblem` naming the template file and line.
"""

from __future__ import annotations

import os
import re
import signal
import threading
import time
import types
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from compiler import files
from compiler.project.facts import Fact
from compiler.project.layout import MAX_TEMPLATE

if TYPE_CHECKING:
    pass

RENDER_SECONDS = 2
"""Longest a template may take to render."""
MAX_OUTPUT = 2_000_000
"""Largest rendered email, in characters (Gmail clips at about 102 KB)."""
MAX_REPEAT = 100_000
"""Largest string or list `*` may build, in characters or items (and the most items
`batch` and `slice` may make)."""
MAX_VALUE = MAX_OUTPUT
"""Most characters any one value a template builds may print as (a filter's, a method's,
an operator's result, a `{% set %}` block, a macro's output): no value is larger than
the largest email."""
MAX_INT_BITS = 10_000
"""Largest integer `*` and `**` may build, in bits."""
RENDER_MEMORY = 512 * 2**20
"""Most address space compiling and rendering one template may add to the process
(Linux; elsewhere the bounds on values alone apply)."""
CAMPC_VARIABLES = ("subject", "preheader", "unsubscribe_url", "preferences_url")
"""Variables every template may read besides the spec's own."""


class TemplateProblem(Exception):
    """A template that cannot be rendered: where, what, and what to do."""

    def __init__(self, template: str, line: int, message: str, hint: str, column: int = 1) -> None:
        super().__init__(message)
        self.template = template
        self.line = line
        self.column = column
        self.message = message
        self.hint = hint
        self.undeclared = False
        """Whether the template read a variable the render was not given."""


_QUOTED = re.compile(r"'([^']+)'")


def _column(env: Any, template: str, line: int, err: BaseException | None) -> int:
    """Where on the template's line the error is: the name the error quotes (the undefined
    variable, the refused attribute, the missing template), else the first Jinja tag, else
    the first character; 1-based. The text comes from the environment's loader."""
    try:
        text: str = env.loader.get_source(env, template)[0].splitlines()[line - 1]
    except Exception:  # an unreadable template: its own finding says why
        return 1
    needles = [getattr(err, "name", None), *_QUOTED.findall(str(err) if err else "")]
    for needle in needles:
        if not isinstance(needle, str) or not needle:
            continue
        found = re.search(rf"(?<![\w.]){re.escape(needle)}(?!\w)", text) or re.search(
            re.escape(needle), text
        )
        if found:
            return found.start() + 1
    tags = [i for i in (text.find("{{"), text.find("{%")) if i >= 0]
    if tags:
        return min(tags) + 1
    return len(text) - len(text.lstrip()) + 1


# -- bounds: every value a template builds is measured before it is built ---------------


class _Exceeded(Exception):
    """A template asked for more than a bound allows (before it was built)."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


UNREADABLE: tuple[type[BaseException], ...] = (
    OSError,
    files.NotRegular,
    _Exceeded,
    ValueError,
    RecursionError,
    MemoryError,
    TimeoutError,
)
"""What reading and parsing a hostile template can raise (besides a syntax error): a
link or FIFO, a file too large, bad UTF-8 or a 5,000-digit number, nesting too deep,
the limits."""

_WIDTH_HINT = "use a small width: lay text out with CSS (padding, text-align), not with characters"
_GROWTH_HINT = "build the text once instead of growing it in a loop; keep values under 2 MB"
_REPEAT_HINT = f"repeat fewer times: `*` may build up to {MAX_REPEAT:,} characters or items"
_NUMBER_HINT = (
    f"use smaller numbers: `**` takes exponents up to 64, integers up to {MAX_INT_BITS:,} bits"
)


def _fits(
    size: int, what: str, hint: str, limit: int = MAX_VALUE, unit: str = "characters"
) -> None:
    """_Exceeded when `what` would build more than `limit` characters (or `unit`)."""
    if size > limit:
        raise _Exceeded(
            f"{what} would build too large a value ({size:,} {unit} or more; "
            f"the limit is {limit:,})",
            hint,
        )


def _printed(value: object, limit: int = MAX_VALUE) -> int:
    """About how many characters `value` prints as, counted without printing it (a list
    nested in itself by reference, `[x, x]` a few dozen times over, prints far larger than
    it is); counting stops soon after `limit`."""
    if isinstance(value, str):
        return len(value)
    from jinja2.utils import Namespace

    known: dict[int, int] = {}

    def size(item: object, depth: int) -> int:
        if isinstance(item, str):
            return len(item) + 2
        if isinstance(item, bytes | bytearray):
            return 4 * len(item) + 3
        if isinstance(item, int):
            return item.bit_length() * 3 // 10 + 2
        if isinstance(item, Namespace):
            item = object.__getattribute__(item, "_Namespace__attrs")
        if not isinstance(item, Collection):
            return 24  # a number, None, a macro, a loop: a short repr
        if depth > 200:
            return limit + 1
        if id(item) in known:
            return known[id(item)]
        total = 2
        elements: Iterable[Any] = item.items() if isinstance(item, Mapping) else item
        for element in elements:
            total += size(element, depth + 1) + 2
            if total > limit:
                break
        known[id(item)] = total
        return total

    return size(value, 0)


def _printable(value: object, what: str = "this value") -> None:
    """_Exceeded when `value` would print larger than MAX_VALUE."""
    if not isinstance(value, str | int | float | bool) and value is not None:
        _fits(_printed(value), what, _GROWTH_HINT)


class _Buffer(list[str]):
    """The output a macro, a `{% set %}` block, a filter block or an import collects,
    refused as it passes MAX_VALUE (before it is joined)."""

    size = 0

    def append(self, item: str) -> None:
        self.size += len(item)
        _fits(self.size, "the collected output", _GROWTH_HINT)
        super().append(item)

    def extend(self, items: Iterable[str]) -> None:
        for item in items:
            self.append(item)


def _bounded_concat(parts: Iterable[str]) -> str:
    buffer = parts if isinstance(parts, _Buffer) else _Buffer()
    if buffer is not parts:
        buffer.extend(parts)
    return "".join(buffer)


class _Joining:
    """The parts of a `~`, refused as soon as they add up to more than MAX_VALUE."""

    def __init__(self, join: Callable[[Iterable[Any]], str]) -> None:
        self.join = join
        self.parts: list[Any] = []
        self.size = 0

    def add(self, part: Any) -> _Joining:
        self.size += _printed(part)
        _fits(self.size, "`~`", _GROWTH_HINT)
        self.parts.append(part)
        return self

    def joined(self) -> str:
        return self.join(self.parts)


def _digits(text: str) -> int:
    """The sum of the numbers written in a format spec (its width and precision)."""
    total = 0
    for run in re.findall(r"[0-9]+", text):
        if len(run) > 9:
            return MAX_VALUE + 1
        total += int(run)
    return total


def _printf_size(fmt: str, values: object) -> int:
    """About how long `fmt % values` is, from the widths and precisions it asks for
    (`*` read from the values) and the values it prints, read the way `%` reads them."""
    positional = list(values) if isinstance(values, tuple) else [values]
    mapping = values if isinstance(values, Mapping) else None
    taken = 0

    def take() -> object:
        nonlocal taken
        taken += 1
        return positional[taken - 1] if taken <= len(positional) else None

    total, i, end = len(fmt), 0, len(fmt)
    while (i := fmt.find("%", i)) >= 0:
        i += 1
        key = None
        if fmt.startswith("(", i):
            depth, j = 1, i + 1
            while j < end and depth:
                depth += {"(": 1, ")": -1}.get(fmt[j], 0)
                j += 1
            key, i = fmt[i + 1 : j - 1], j
        while i < end and fmt[i] in "#0- +":
            i += 1
        for part in ("width", "precision"):
            if part == "precision":
                if not fmt.startswith(".", i):
                    break
                i += 1
            if fmt.startswith("*", i):
                star = take()
                total += star if isinstance(star, int) and star > 0 else 0
                i += 1
                continue
            j = i
            while j < end and fmt[j] in "0123456789":
                j += 1
            total += _digits(fmt[i:j])
            i = j
        while i < end and fmt[i] in "hlL":
            i += 1
        conversion, i = fmt[i : i + 1], i + 1
        if conversion != "%":
            value = mapping.get(key) if mapping is not None and key is not None else take()
            total += _printed(value)
        if total > MAX_VALUE:
            break
    return total


def _check_repeat(left: object, right: object) -> None:
    for sized, times in ((left, right), (right, left)):
        if isinstance(sized, str | bytes | list | tuple) and isinstance(times, int):
            _fits(
                len(sized) * max(times, 0), "`*`", _REPEAT_HINT, MAX_REPEAT, "characters or items"
            )
            _fits(_printed(sized) * max(times, 0), "`*`", _REPEAT_HINT)
    if isinstance(left, int) and isinstance(right, int):
        bits = left.bit_length() + right.bit_length()
        _fits(bits, "`*`", _NUMBER_HINT, MAX_INT_BITS, "bits")


def _check_power(left: object, right: object) -> None:
    if isinstance(right, int | float) and abs(right) > 64:
        raise _Exceeded("`**` with an exponent over 64 is not allowed", _NUMBER_HINT)
    if isinstance(left, int) and isinstance(right, int) and right > 0:
        _fits(left.bit_length() * right, "`**`", _NUMBER_HINT, MAX_INT_BITS, "bits")


def _check_binop(operator: str, left: object, right: object) -> None:
    """_Exceeded before `left operator right` builds a value over its bound."""
    if operator == "*":
        _check_repeat(left, right)
    elif operator == "**":
        _check_power(left, right)
    elif operator == "+" and not isinstance(left, int | float):
        _fits(_printed(left) + _printed(right), "`+`", _GROWTH_HINT)
    elif operator == "%" and isinstance(left, str):
        _fits(_printf_size(left, right), "`%`", _WIDTH_HINT)


# -- str, bytes and int methods ------------------------------------------------------------


def _method_size(owner: Any, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> int:
    """About how long `owner.name(*args, **kwargs)` would be, for the methods whose
    result grows with an argument; 0 for the others (checked after they run)."""
    length = _printed(owner)
    values = [*args, *kwargs.values()]
    number = next((v for v in values if isinstance(v, int)), 0)
    if name in ("center", "ljust", "rjust", "zfill"):
        return max(length, number)
    if name == "expandtabs":
        tabs = int(owner.count("\t" if isinstance(owner, str) else b"\t"))
        return length + tabs * max(number if values else 8, 0)
    if name == "replace" and len(args) >= 2:
        old, new = args[0], args[1]
        count = args[2] if len(args) > 2 else kwargs.get("count", -1)
        found = int(owner.count(old)) if old else length + 1
        if isinstance(count, int) and count >= 0:
            found = min(found, count)
        return length + found * max(_printed(new) - len(old), 0)
    if name == "translate" and args:
        table = args[0]
        pieces = table.values() if isinstance(table, Mapping) else table
        if isinstance(table, bytes):
            return length
        longest = max((_printed(p) for p in pieces), default=1)
        return length * max(longest, 1)
    if name == "to_bytes":
        return number
    return 0


def _bounded_method(method: Any) -> Callable[..., Any]:
    """`method` of a str, bytes or int with its result bounded before it runs."""
    owner, name = method.__self__, method.__name__

    def run(*args: Any, **kwargs: Any) -> Any:
        for value in (*args, *kwargs.values()):
            _printable(value, f"`{name}`")
        if name == "join" and args:
            items = list(args[0])
            length = sum(_printed(i) for i in items) + _printed(owner) * max(len(items) - 1, 0)
            _fits(length, f"`{name}`", _GROWTH_HINT)
            args = (items, *args[1:])
        else:
            _fits(_method_size(owner, name, args, kwargs), f"`{name}`", _WIDTH_HINT)
        result = method(*args, **kwargs)
        _printable(result, f"`{name}`")
        return result

    return run


# -- filters -------------------------------------------------------------------------------

_QUICK_FILTERS = frozenset(
    {"length", "count", "first", "last", "random", "default", "d", "attr", "safe", "abs"}
)
"""Filters that read a value without printing or copying it: their arguments are not
measured (which would cost as much as the value is long)."""


def _text(value: object) -> str:
    return value if isinstance(value, str) else str(value)


def _filter_bounds(name: str, environment: Any, args: list[Any], kwargs: dict[str, Any]) -> None:
    """_Exceeded before filter `name` builds more than MAX_VALUE from `args`; `args`
    starts with the filtered value."""

    def arg(index: int, keyword: str, default: Any) -> Any:
        if len(args) > index:
            return args[index]
        return kwargs.get(keyword, default)

    value = arg(0, "value", "")
    if name == "center":
        _fits(max(_printed(value), _int(arg(1, "width", 80))), "`center`", _WIDTH_HINT)
    elif name == "indent":
        width = arg(1, "width", 4)
        indent = len(width) if isinstance(width, str) else _int(width)
        text = _text(value)
        _fits(len(text) + (text.count("\n") + 1) * indent, "`indent`", _WIDTH_HINT)
    elif name == "wordwrap":
        wrap = arg(3, "wrapstring", None)
        wrap = environment.newline_sequence if wrap is None else _text(wrap)
        text = _text(value)
        lines = len(text) // 2 + text.count("\n") + 1
        _fits(len(text) + lines * len(wrap), "`wordwrap`", _WIDTH_HINT)
    elif name == "replace":
        text, old, new = _text(value), _text(arg(1, "old", "")), _text(arg(2, "new", ""))
        count = arg(3, "count", None)
        found = text.count(old) if old else len(text) + 1
        if isinstance(count, int) and count >= 0:
            found = min(found, count)
        grows = max(len(escape(new)) - len(old), 0)
        _fits(len(text) + found * grows, "`replace`", "replace a text with a short one")
    elif name == "format":
        values = kwargs or tuple(args[1:])
        _fits(_printf_size(_text(value), values), "`format`", _WIDTH_HINT)
    elif name in ("batch", "slice"):
        count = _int(arg(1, "linecount" if name == "batch" else "slices", 1))
        _fits(count, f"`{name}`", "use a count no larger than the list", MAX_REPEAT, "items")
    elif name == "urlize":
        text = _text(value)
        words = len(re.findall(r"\S+", text))
        extra = sum(_printed(arg(i, k, "") or "") for i, k in ((3, "target"), (4, "rel")))
        _fits(len(text) + words * extra, "`urlize`", "use a short `target` and `rel`")
    elif name == "tojson":
        indent = arg(1, "indent", None)
        if indent is not None:
            _fits(_json_size(value, indent), "`tojson`", "use a small indent")
    elif name == "pprint":
        _fits(_printed(value) * 4, "`pprint`", _GROWTH_HINT)


def _int(value: object) -> int:
    return value if isinstance(value, int) else 0


def _json_size(value: object, indent: object) -> int:
    """The length of `value` as indented JSON, counted chunk by chunk (the encoder that
    indents is Python, so the deadline can stop it) and no further than MAX_VALUE."""
    import json

    if (isinstance(indent, int) and indent > 64) or (isinstance(indent, str) and len(indent) > 64):
        return MAX_VALUE + 1
    total = 0
    encoder = json.JSONEncoder(indent=indent, sort_keys=True, default=str)  # type: ignore[arg-type]
    for chunk in encoder.iterencode(value):
        total += len(chunk)
        if total > MAX_VALUE:
            break
    return total


def _bounded_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """Filter `func` with its result bounded before it runs (and measured after).

    The wrapper takes the context, so Jinja never runs it while compiling (it folds
    constant filters, `'a'|center(10**9)` included, outside any deadline)."""
    from jinja2 import pass_context

    passing = getattr(getattr(func, "jinja_pass_arg", None), "name", None)

    @pass_context
    def run(context: Any, *args: Any, **kwargs: Any) -> Any:
        if name not in _QUICK_FILTERS:
            for value in (*args, *kwargs.values()):
                _printable(value, f"`{name}`")
        _filter_bounds(name, context.environment, list(args), kwargs)
        lead = {
            "context": context,
            "eval_context": context.eval_ctx,
            "environment": context.environment,
        }.get(passing or "")
        result = func(*args, **kwargs) if lead is None else func(lead, *args, **kwargs)
        if isinstance(result, str | bytes | list | tuple | dict):
            _printable(result, f"`{name}`")
        return result

    return run


def _items(context: Any, values: Iterable[Any], attribute: str | int | None) -> list[Any]:
    from jinja2.filters import make_attrgetter

    items = list(values)
    if attribute is None:
        return items
    get = make_attrgetter(context.environment, attribute)
    return [get(item) for item in items]


def _join(join: Callable[..., str]) -> Callable[..., str]:
    """The `join` filter, measuring the joined text before joining."""

    def run(context: Any, values: Iterable[Any], d: str = "", attribute: Any = None) -> str:
        items = _items(context, values, attribute)
        size = sum(_printed(item) for item in items) + len(_text(d)) * max(len(items) - 1, 0)
        _fits(size, "`join`", "join fewer or shorter items")
        return join(context.eval_ctx, items, d)

    return run


def _sum(context: Any, values: Iterable[Any], attribute: Any = None, start: Any = 0) -> Any:
    """The `sum` filter, adding one item at a time through the bounded `+` (a sum of
    lists is quadratic in C, where no deadline can stop it)."""
    total = start
    for item in _items(context, values, attribute):
        total = context.environment.call_binop(context, "+", total, item)
    return total


Sources = Mapping[str, "bytes | Exception"]
"""Template files as `load/` read them: name -> bytes, or the error that stopped the read."""


def _read_template(folder: Path, path: Path, name: str) -> str | None:
    """The text of template `name` at `path` (None when there is none): read only as a
    regular file inside the templates folder, never through a link."""
    try:
        files.check_folder(folder, folder.parent)
        data = files.read_bytes(path, folder, limit=MAX_TEMPLATE)
    except (FileNotFoundError, NotADirectoryError):
        return None
    return _text_of(data, name)


def _from_sources(sources: Sources, pieces: list[str], name: str) -> str | None:
    """The text of template `name` from what `load/` read (None when there is none); a
    template below a folder that was refused (a link) is refused the same way."""
    for end in range(1, len(pieces)):
        refused = sources.get("/".join(pieces[:end]))
        if isinstance(refused, Exception):
            raise refused
    found = sources.get("/".join(pieces))
    if found is None or isinstance(found, FileNotFoundError | NotADirectoryError):
        return None
    if isinstance(found, Exception):
        raise found
    return _text_of(found, name)


def _text_of(data: bytes, name: str) -> str:
    if len(data) > MAX_TEMPLATE:
        raise _Exceeded(
            f"template `{name}` is larger than {MAX_TEMPLATE:,} bytes",
            "split it into smaller templates joined with `{% include %}`",
        )
    return data.decode("utf-8")


def _lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:
    """Jinja's `lipsum`, with the text it writes bounded."""
    from jinja2.utils import generate_lorem_ipsum

    _fits(_int(n) * _int(max) * 12, "`lipsum`", "ask for fewer paragraphs and words")
    return str(generate_lorem_ipsum(n, html, min, max))


@cache
def _sandbox_classes() -> tuple[type[Any], type[Any]]:
    """The sandbox environment and the templates loader (made once: Jinja2 is imported
    only when a template is read)."""
    from jinja2 import TemplateNotFound, nodes
    from jinja2.compiler import CodeGenerator, Frame, operators, optimizeconst
    from jinja2.environment import Template, TemplateModule
    from jinja2.loaders import BaseLoader, split_template_path
    from jinja2.runtime import markup_join, str_join
    from jinja2.sandbox import (
        ImmutableSandboxedEnvironment,
        SandboxedEscapeFormatter,
        SandboxedFormatter,
    )
    from markupsafe import Markup

    class Generator(CodeGenerator):
        """Jinja's code generator, with what it builds outside any call bounded: `~`,
        comparisons and dict keys (compared and hashed in C, where no deadline reaches),
        and the buffers macros and `{% set %}` blocks collect output in."""

        def buffer(self, frame: Frame) -> None:
            frame.buffer = self.temporary_identifier()
            self.writeline(f"{frame.buffer} = environment.campc_buffer()")

        @optimizeconst
        def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
            # each part measured as soon as it is made, not all of them made first
            self.write("environment.campc_concat(context.eval_ctx.autoescape)")
            for arg in node.nodes:
                self.write(".add(")
                self.visit(arg, frame)
                self.write(")")
            self.write(".joined()")

        @optimizeconst
        def visit_Compare(self, node: nodes.Compare, frame: Frame) -> None:
            self.write("(environment.campc_comparable(")
            self.visit(node.expr, frame)
            self.write(")")
            for operand in node.ops:
                self.write(f" {operators[operand.op]} environment.campc_comparable(")
                self.visit(operand.expr, frame)
                self.write(")")
            self.write(")")

        def visit_Dict(self, node: nodes.Dict, frame: Frame) -> None:
            self.write("{")
            for index, item in enumerate(node.items):
                if index:
                    self.write(", ")
                self.write("environment.campc_comparable(")
                self.visit(item.key, frame)
                self.write("): ")
                self.visit(item.value, frame)
            self.write("}")

    class BoundedTemplate(Template):
        """A template whose imported module collects its output in a bounded buffer."""

        def make_module(
            self,
            vars: dict[str, Any] | None = None,
            shared: bool = False,
            locals: Mapping[str, Any] | None = None,
        ) -> TemplateModule:
            context = self.new_context(vars, shared, locals)
            body = _Buffer()
            body.extend(self.root_render_func(context))
            return TemplateModule(self, context, body)

    class Counting(SandboxedFormatter):
        """`str.format` with its fields' widths and values measured as they are formatted."""

        built = 0

        def vformat(self, format_string: str, args: Any, kwargs: Any) -> str:
            self.built = len(format_string)
            return super().vformat(format_string, args, kwargs)

        def format_field(self, value: Any, format_spec: str) -> Any:
            self.built += _printed(value) + _digits(format_spec)
            _fits(self.built, "`format`", _WIDTH_HINT)
            return super().format_field(value, format_spec)

    class CountingEscape(Counting, SandboxedEscapeFormatter):
        pass

    class TemplatesFolder(BaseLoader):
        """Templates read by `files.read_bytes`: regular files inside the templates
        folder, never through a link, a FIFO or a device."""

        def __init__(self, folder: Path, sources: Sources | None = None) -> None:
            self.folder = folder
            self.sources = sources

        def get_source(self, environment: Any, template: str) -> tuple[str, str, Any]:
            pieces = split_template_path(template)
            if self.sources is not None:  # what load/ read: no file is opened here
                data = _from_sources(self.sources, pieces, template)
            else:
                data = _read_template(self.folder, self.folder.joinpath(*pieces), template)
            if data is None:
                raise TemplateNotFound(template)
            return data, os.path.join(self.folder.resolve(), *pieces), lambda: True

    class Sandbox(ImmutableSandboxedEnvironment):
        """The sandbox, with every operation that builds a value bounded before it runs,
        and the lists, dicts and sets of the context not modifiable."""

        intercepted_binops = frozenset({"*", "**", "+", "%"})
        code_generator_class = Generator
        template_class = BoundedTemplate
        concat = staticmethod(_bounded_concat)

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            _check_binop(operator, left, right)
            result = super().call_binop(context, operator, left, right)
            _printable(result, f"`{operator}`")
            return result

        def call(self, context: Any, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
            for value in (*args, *kwargs.values()):
                _printable(value, "a call's argument")
            return super().call(context, obj, *args, **kwargs)

        def getitem(self, obj: Any, argument: Any) -> Any:
            _printable(argument, "a key")
            return super().getitem(obj, argument)

        def wrap_str_format(self, value: Any) -> Callable[..., Any] | None:
            if not isinstance(value, types.MethodType | types.BuiltinMethodType):
                return None
            owner, name = value.__self__, value.__name__
            if name.startswith("_") or not isinstance(owner, str | bytes | int):
                return None
            if name not in ("format", "format_map") or not isinstance(owner, str):
                return _bounded_method(value)
            formatter: Counting = Counting(self)
            if isinstance(owner, Markup):
                formatter = CountingEscape(self, escape=owner.escape)

            def format(*args: Any, **kwargs: Any) -> str:
                if name == "format_map":
                    if kwargs or len(args) != 1:
                        raise TypeError("format_map() takes exactly one argument")
                    return type(owner)(formatter.vformat(owner, (), args[0]))
                return type(owner)(formatter.vformat(owner, args, kwargs))

            return format

        def _parse(self, source: str, name: str | None, filename: str | None) -> Any:
            # an environment may compile each template it parses further (`esp.py`)
            tree = super()._parse(source, name, filename)
            transform = getattr(self, "campc_transform", None)
            return tree if transform is None else transform(self, tree, name)

        @staticmethod
        def campc_buffer() -> _Buffer:
            return _Buffer()

        @staticmethod
        def campc_concat(autoescape: bool) -> _Joining:
            return _Joining(markup_join if autoescape else str_join)

        @staticmethod
        def campc_comparable(value: Any) -> Any:
            _printable(value, "a comparison")
            return value

    return Sandbox, TemplatesFolder


ENVIRONMENT: Fact[Any] = Fact("the sandboxed Jinja2 environment")
"""One environment per run, so each template compiles once."""


def environment(folder: Path, sources: Sources | None = None) -> Any:
    """A sandboxed Jinja2 environment for the templates of `folder`: those `load/` read
    (`sources`), or, without them, read from the folder itself."""
    from jinja2 import StrictUndefined, pass_context

    sandbox, loader = _sandbox_classes()
    env = sandbox(
        loader=loader(folder, sources),
        undefined=StrictUndefined,
        autoescape=lambda name: name is not None and name.endswith((".html", ".htm")),
        keep_trailing_newline=True,
        auto_reload=False,
        finalize=_finalize,
    )
    join = env.filters["join"]
    for name, func in list(env.filters.items()):
        env.filters[name] = _bounded_filter(name, func)
    env.filters["join"] = pass_context(_join(join))
    env.filters["sum"] = pass_context(_sum)
    env.globals["lipsum"] = _lipsum
    # subjects and preheaders are text: never escaped, compiled once per run
    env.campc_text_environment = env.overlay(autoescape=False)
    env.campc_text_templates = {}
    return env


def _finalize(value: object) -> object:
    """What `{{ }}` writes, measured before it is turned into text."""
    _printable(value, "this output")
    return value


# The modules a render's Python code runs in: Jinja2 and MarkupSafe, campc's own filters
# and bounds, and the standard library the built-in filters call (wordwrap, tojson,
# pprint, urlencode, random, format). campc defines no `__del__` or garbage collector
# callback in any of them.
_RENDER_MODULES = (
    "jinja2",
    "markupsafe",
    "compiler",
    "textwrap",
    "json",
    "pprint",
    "urllib",
    "random",
    "string",
    "re",
    "html",
)


def _in_render(frame: types.FrameType | None) -> bool:
    """Whether `frame` runs a template or the code it calls (not a garbage collector
    callback, a `__del__` or a hook that happened to run at that moment)."""
    if frame is None:
        return False
    names = frame.f_globals
    module = names.get("__name__")
    if module is None:  # a compiled template: Jinja runs its code without a module name
        return "environment" in names
    if not isinstance(module, str):
        return False
    return module.split(".", 1)[0] in _RENDER_MODULES and frame.f_code.co_name != "__del__"


@contextmanager
def _deadline(seconds: int) -> Iterator[None]:
    """Raise TimeoutError in the block after `seconds` (main thread of a Unix process;
    elsewhere the output limit alone applies).

    An exception raised by a signal handler lands in whatever Python code runs at that
    moment. Where that is a garbage collector callback, a `__del__` or a hook (a test
    runner's, a library's), Python swallows it as "unraisable", reports it on stderr and
    the render goes on. So the alarm repeats every 50 ms once the time is up and raises
    only where the interrupted frame is the template's or code it calls (`_in_render`);
    a second past the deadline without such a frame, it raises wherever it lands."""
    usable = hasattr(signal, "SIGALRM") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return
    last_chance = time.monotonic() + seconds + 1

    def expire(signum: int, frame: types.FrameType | None) -> None:
        if _in_render(frame) or time.monotonic() > last_chance:
            raise TimeoutError

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.05)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def _memory_cap(extra: int) -> Iterator[None]:
    """At most `extra` more bytes of address space in the block (Linux): past it, any
    allocation raises MemoryError, which the render turns into a finding.

    The bounds above stop every growth campc knows of before it runs; this stops the
    rest (a C routine no signal can interrupt, an operation nobody thought of) before
    it takes the machine. The limit is put back when the block ends, before the error
    is handled."""
    try:
        import resource

        with open("/proc/self/statm", "rb") as statm:
            size = int(statm.read().split()[0]) * resource.getpagesize()
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    except (ImportError, OSError, ValueError, IndexError):
        yield
        return
    limit = size + extra
    if soft != resource.RLIM_INFINITY and soft <= limit:
        yield  # already tighter (and the hard limit is never below the soft one)
        return
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@contextmanager
def limits() -> Iterator[None]:
    """The time (RENDER_SECONDS) and memory (RENDER_MEMORY) compiling or rendering a
    template may take: TimeoutError or MemoryError past them."""
    with _deadline(RENDER_SECONDS), _memory_cap(RENDER_MEMORY):
        yield


class _TooLarge(Exception):
    """The output passed MAX_OUTPUT."""


def _stream(template: Any, context: dict[str, Any]) -> str:
    """Render chunk by chunk, stopping as soon as the output is too large or too slow
    (so a runaway loop is stopped by its output, not by the machine's memory)."""
    chunks = []
    total = 0
    stop = time.monotonic() + RENDER_SECONDS
    for chunk in template.generate(context):
        chunks.append(chunk)
        total += len(chunk)
        if total > MAX_OUTPUT:
            raise _TooLarge(total)
        if time.monotonic() > stop:
            raise TimeoutError
    return "".join(chunks)


def _template_line(err: BaseException, folder: Path, fallback: str) -> tuple[str, int]:
    """The innermost template file and line in a render error's traceback (or in the
    error it was raised while handling: a MemoryError can strike again in Jinja's own
    error handling)."""
    base = str(folder.resolve())
    seen: BaseException | None = err
    while seen is not None:
        found = None
        trace = seen.__traceback__
        while trace is not None:
            filename = trace.tb_frame.f_code.co_filename
            if filename.startswith(base):
                found = (Path(filename).relative_to(base).as_posix(), trace.tb_lineno)
            trace = trace.tb_next
        if found is not None:
            return found
        seen = seen.__context__
    return (fallback, 1)


def _explain(err: BaseException, folder: Path) -> tuple[str, str]:
    """A render error's message and hint, for the template's author."""
    from jinja2 import TemplateNotFound, UndefinedError
    from jinja2.exceptions import SecurityError

    if isinstance(err, files.NotRegular):
        hint = "commit the template itself under campaigns/templates/, not a link to it"
        if err.path == folder:
            return f"the templates folder is {err.what}, refused", hint
        try:
            shown = err.path.relative_to(folder).as_posix()
        except ValueError:
            shown = str(err.path)
        return f"template `{shown}` is {err.what}, refused", hint
    if isinstance(err, _Exceeded):
        return err.message, err.hint
    if isinstance(err, TemplateNotFound):
        return (
            f"template `{err.name}` does not exist in the templates folder",
            "templates may only include, extend or import files under campaigns/templates/",
        )
    if isinstance(err, UndefinedError):
        return (
            f"{err.message}: the template uses a variable its spec does not declare",
            "declare it under the spec's `variables` with a sample value",
        )
    if isinstance(err, SecurityError):
        return (
            f"the template sandbox refused this: {err}",
            "templates may read variables only; no attributes of Python objects, "
            "no changes to lists and dicts",
        )
    if isinstance(err, TimeoutError):
        return f"rendering took longer than {RENDER_SECONDS} s", "remove loops over large ranges"
    if isinstance(err, MemoryError):
        return (
            f"rendering needed more than {RENDER_MEMORY // 2**20} MiB of memory",
            "remove loops that build ever larger values",
        )
    if isinstance(err, _TooLarge):
        return (
            f"the rendered email passed {MAX_OUTPUT:,} characters",
            "make the email shorter; check loops over large ranges",
        )
    if isinstance(err, RecursionError):
        return "the template includes itself", "break the include cycle"
    return f"rendering failed: {err}", "check the expressions on this line"


class Passthrough(Exception):
    """An exception `render` lets through, for its caller to handle (what an ESP cannot
    express, found while rendering its version of a template)."""


def render(env: Any, folder: Path, name: str, context: Mapping[str, Any]) -> str:
    """Render template `name` with `context`; TemplateProblem on any failure."""
    from jinja2 import TemplateSyntaxError

    try:
        with limits():
            return _stream(env.get_template(name), dict(context))
    except Passthrough:
        raise
    except TemplateSyntaxError as err:
        message = f"template syntax error: {err.message}"
        where, line = err.name or name, err.lineno or 1
        # the column of the name the message quotes (`No filter named 'shout'`), if any
        column = _column(env, where, line, Exception(err.message or ""))
        raise TemplateProblem(where, line, message, "fix the Jinja syntax", column) from None
    except Exception as err:  # anything a template can raise becomes a finding
        where, line = _template_line(err, folder, name)
        message, hint = _explain(err, folder)
        from jinja2 import UndefinedError

        problem = TemplateProblem(where, line, message, hint, _column(env, where, line, err))
        problem.undeclared = isinstance(err, UndefinedError)
        raise problem from None


def render_text(env: Any, template: str, source: str, context: Mapping[str, Any]) -> str:
    """A one-line text (the subject, the preheader) with variables, never escaped."""
    try:
        cache: dict[str, Any] = env.campc_text_templates
        with limits():
            compiled = cache.get(source)
            if compiled is None:
                compiled = cache[source] = env.campc_text_environment.from_string(source)
            return _stream(compiled, dict(context))
    except Passthrough:
        raise
    except Exception as err:
        message = str(err)
        if isinstance(err, _Exceeded | MemoryError | TimeoutError | _TooLarge):
            message, _ = _explain(err, Path())
        raise TemplateProblem(
            template, 1, f"cannot render `{source}`: {message}", "use declared variables only"
        ) from None


def unescaped(path: Path, root: Path | None = None) -> list[tuple[int, str]]:
    """Where a template turns escaping off: `|safe` filters, `autoescape false` blocks.
    The template is read as a regular file inside `root` (the templates folder; its own
    folder by default), never through a link."""

    root = path.parent if root is None else root
    try:
        text = _read_template(root, path, path.name)
    except UNREADABLE:
        return []  # EMAIL001 reports templates that cannot be read
    return [] if text is None else unescaped_in(text, root)


def unescaped_in(text: str, root: Path) -> list[tuple[int, str]]:
    """Where a template's text turns escaping off: `|safe` filters, `autoescape false`
    blocks (nothing when it does not parse: EMAIL001 reports it)."""
    from jinja2 import nodes
    from jinja2.exceptions import TemplateSyntaxError

    try:
        with limits():
            tree = environment(root, {}).parse(text)
    except (*UNREADABLE, TemplateSyntaxError):  # type: ignore[misc]
        return []
    found = [
        (node.lineno, "`|safe`") for node in tree.find_all(nodes.Filter) if node.name == "safe"
    ]
    for block in tree.find_all(nodes.ScopedEvalContextModifier):
        for option in block.options:
            value = option.value
            if option.key == "autoescape" and isinstance(value, nodes.Const) and not value.value:
                found.append((block.lineno, "`{% autoescape false %}`"))
    return sorted(found)
