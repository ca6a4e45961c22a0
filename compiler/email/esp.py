"""Emails for an ESP: each send's templates compiled from Jinja's syntax tree into the
merge tags and control flow of the ESP, so that the ESP fills them per recipient.

What varies per recipient is what the repository's field map names
(`[tool.campc.email.fields.<esp>]`: template variable -> the ESP's field), plus the
unsubscribe and preference links, which become the ESP's own per-recipient tags. The
compiler works on the parsed template (`jinja2.nodes`), never on its text:

- an expression that reads a recipient's field (a variable, an attribute of one, the
  filters the ESP has an equivalent for) becomes the ESP's output tag;
- an `if` whose test reads one becomes the ESP's conditional, a `for` over one its loop;
- everything else (layouts, includes, macros, constants) is evaluated now, by Jinja in
  the same sandbox as the proof, so the HTML is the proof's with the tags in place of
  the sample values. A recipient's value passed to a macro travels as an opaque tag:
  printed as it is, refused if the macro does anything else with it.

What an ESP cannot express is a `Problem` (the rule EMAIL014 reports it at the
template's line, with what to write instead); nothing is silently dropped.

Each ESP's syntax is taken from its own documentation, cited on its `Dialect`.
"""

from __future__ import annotations

import html
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from compiler.email.sandbox import Passthrough as _Passthrough
from compiler.project.facts import Fact

ESPS = ("customerio", "braze", "klaviyo", "hubspot", "mailchimp", "brevo", "mautic")
"""The ESPs campc compiles for, as `[tool.campc.email] esp` names them."""

UNSUBSCRIBE = "unsubscribe_url"
PREFERENCES = "preferences_url"
LINKS = (UNSUBSCRIBE, PREFERENCES)
"""The template variables that are the ESP's own per-recipient links."""


@dataclass(frozen=True)
class Problem:
    """A construct the ESP cannot express, where it is written."""

    template: str
    line: int
    message: str
    hint: str


class Unsupported(_Passthrough):
    """What stops one construct from compiling (becomes a `Problem`)."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


# -- what the compiler hands a dialect ------------------------------------------------


@dataclass(frozen=True)
class Value:
    """A recipient's field (`path`, in the ESP's own naming), through filters."""

    path: str
    filters: tuple[tuple[str, tuple[Any, ...]], ...] = ()


@dataclass(frozen=True)
class Test:
    """A condition on recipients' fields: `truthy`, a comparison (`==`, `!=`) with a
    constant, `not`, or `and`/`or` of conditions."""

    kind: str
    value: Value | None = None
    other: Any = None
    parts: tuple[Test, ...] = ()


FILTERS = ("default", "d", "upper", "lower", "escape", "e", "trim", "capitalize")
"""Jinja filters some ESPs have an exact equivalent for."""


class Dialect:
    """One ESP's syntax. Subclasses say how a field, each filter, a condition and a loop
    are written; a method raising `Unsupported` marks what the ESP cannot do."""

    name = ""
    docs = ""
    """The ESP's documentation of this syntax."""

    def field(self, path: str) -> str:
        """A field's reference inside a tag (`customer.first_name`)."""
        return path

    def output(self, value: Value, escaped: bool) -> str:
        """The tag that prints a value (HTML-escaped by the ESP when `escaped`)."""
        raise NotImplementedError

    def link(self, which: str) -> str:
        """The ESP's per-recipient unsubscribe or preference-centre URL."""
        raise NotImplementedError

    def unescaped(self, text: str) -> str:
        """`text` with the output tags `output(..., escaped=True)` wrote as they are
        written for a text part (the ESP escaping nothing there)."""
        return text

    def if_(self, test: Test) -> str:
        raise NotImplementedError

    def elif_(self, test: Test) -> str:
        raise NotImplementedError

    def else_(self) -> str:
        raise NotImplementedError

    def endif(self) -> str:
        raise NotImplementedError

    @property
    def label(self) -> str:
        return {
            "customerio": "Customer.io",
            "braze": "Braze",
            "hubspot": "HubSpot",
            "mailchimp": "Mailchimp",
            "mautic": "Mautic",
            "klaviyo": "Klaviyo",
            "brevo": "Brevo",
        }[self.name]


def _literal(value: Any) -> str:
    """A constant as Liquid and HubL write it."""
    if isinstance(value, str) and ("\n" in value or "\r" in value):
        raise Unsupported("a text with a line break", "write the text on one line")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int) or (isinstance(value, float) and "e" not in repr(value)):
        return repr(value)
    if isinstance(value, str):
        if '"' in value:
            if "'" in value:
                raise Unsupported(
                    "a text with both kinds of quotes", "use one kind of quote in the text"
                )
            return f"'{value}'"
        return f'"{value}"'
    raise Unsupported(f"the constant {value!r}", "use text, a number or a boolean")


class Tags(Dialect):
    """What Liquid and HubL share: an output tag `{{ value | filter }}` (each with its
    own filter names and separator) that escapes its value by ending in `escape`, and
    `{% if %}`, `{% else %}`, `{% endif %}` around a condition each writes its own way."""

    elif_word = ""
    """The keyword of a further branch (`elsif`, `elif`)."""
    escaped_end = ""
    """How an output tag that escapes its value ends."""

    filters: Mapping[str, str] = {}
    """Jinja's filter -> the ESP's, for those it has."""
    separator = ""
    """Between a tag's value and its filters."""

    def default(self, text: str) -> str:
        """The ESP's `default` filter with its text."""
        raise NotImplementedError

    def output(self, value: Value, escaped: bool) -> str:
        parts = [self.field(value.path)]
        for name, args in value.filters:
            if name in ("default", "d"):
                if len(args) != 1 or not isinstance(args[0], str):
                    raise Unsupported(
                        f"`{name}` with {len(args)} arguments",
                        "give `default` one text: `default('there')`",
                    )
                parts.append(self.default(args[0]))
            elif name in self.filters:
                parts.append(self.filters[name])
            else:
                raise _no_filter(self, name)
        if escaped and not any(name in ("escape", "e") for name, _ in value.filters):
            parts.append("escape")
        return "{{ " + self.separator.join(parts) + " }}"

    def condition(self, test: Test) -> str:
        raise NotImplementedError

    def _bare(self, value: Value) -> str:
        if value.filters:
            raise Unsupported(
                "a filter inside a condition", "test the variable itself, without a filter"
            )
        return self.field(value.path)

    def unescaped(self, text: str) -> str:
        return text.replace(self.escaped_end, " }}")

    def if_(self, test: Test) -> str:
        return "{% if " + self.condition(test) + " %}"

    def elif_(self, test: Test) -> str:
        return "{% " + self.elif_word + " " + self.condition(test) + " %}"

    def else_(self) -> str:
        return "{% else %}"

    def endif(self) -> str:
        return "{% endif %}"


class Liquid(Tags):
    """Shopify's Liquid, as Customer.io and Braze run it: `{{ x | filter: arg }}`,
    `{% if %}`/`{% elsif %}`/`{% else %}`/`{% endif %}`
    (https://shopify.github.io/liquid/). Liquid has no `not`: a negated test is
    `{% unless %}`; its `and`/`or` take no parentheses."""

    filters: Mapping[str, str] = {
        "upper": "upcase",
        "lower": "downcase",
        "escape": "escape",
        "e": "escape",
        "trim": "strip",
    }
    separator = " | "

    def default(self, text: str) -> str:
        return f"default: {_literal(text)}"

    def condition(self, test: Test) -> str:
        if test.kind == "truthy":
            assert test.value is not None
            # Jinja's falsy empty text is Liquid's `blank`
            return f"{self._bare(test.value)} != blank"
        if test.kind in ("==", "!="):
            assert test.value is not None
            return f"{self._bare(test.value)} {test.kind} {_literal(test.other)}"
        if test.kind in ("and", "or"):
            inner = [p for p in test.parts]
            if any(p.kind in ("and", "or", "not") for p in inner):
                raise Unsupported(
                    f"a condition that mixes `and`, `or` and `not` ({self.label} "
                    "evaluates them without parentheses)",
                    "split it into nested `if` blocks",
                )
            return f" {test.kind} ".join(self.condition(p) for p in inner)
        raise Unsupported(
            f"`not` inside a condition ({self.label} has only `unless` for a whole test)",
            "test the opposite: `x == ''`, or swap the branches",
        )

    elif_word = "elsif"
    escaped_end = " | escape }}"

    def unless(self, test: Test) -> str:
        """A whole test that is `not ...`: Liquid's `unless`."""
        return "{% unless " + self.condition(test) + " %}"


class CustomerIo(Liquid):
    """Customer.io: fields under `customer.` (`{{ customer.first_name }}`), and the
    `{% unsubscribe_url %}` and `{% manage_subscription_preferences_url %}` tags
    (https://docs.customer.io/messaging/liquid/tag-list/,
    https://docs.customer.io/journeys/subscription-center/)."""

    name = "customerio"
    docs = "https://docs.customer.io/messaging/liquid/tag-list/"

    def link(self, which: str) -> str:
        if which == UNSUBSCRIBE:
            return "{% unsubscribe_url %}"
        return "{% manage_subscription_preferences_url %}"


class Braze(Liquid):
    """Braze: standard attributes as `${first_name}`, custom ones as
    `custom_attribute.${plan}` (`{{${first_name}}}`), and the `${unsubscribe_url}` and
    `${preference_center_url}` tags
    (https://www.braze.com/docs/user_guide/personalization_and_dynamic_content/liquid/supported_personalization_tags/)."""

    name = "braze"
    docs = (
        "https://www.braze.com/docs/user_guide/personalization_and_dynamic_content/"
        "liquid/supported_personalization_tags/"
    )

    def link(self, which: str) -> str:
        if which == UNSUBSCRIBE:
            return "{{${unsubscribe_url}}}"
        return "{{${preference_center_url}}}"


class HubL(Tags):
    """HubSpot's HubL (Jinja-like): contact properties as `{{ contact.firstname }}`,
    `{% if %}`/`{% elif %}`/`{% else %}`/`{% endif %}`, Jinja's filters,
    and the email variables `{{ unsubscribe_link }}` (the subscription preferences
    page, where one click unsubscribes) for both links
    (https://developers.hubspot.com/docs/cms/reference/hubl/variables#email-variables)."""

    name = "hubspot"
    docs = "https://developers.hubspot.com/docs/cms/reference/hubl/variables#email-variables"

    filters: Mapping[str, str] = {
        "upper": "upper",
        "lower": "lower",
        "escape": "escape",
        "e": "escape",
        "trim": "trim",
        "capitalize": "capitalize",
    }
    separator = "|"

    def link(self, which: str) -> str:
        return "{{ unsubscribe_link }}"

    def field(self, path: str) -> str:
        return _property(self, path)

    def default(self, text: str) -> str:
        return f"default({_literal(text)})"

    def condition(self, test: Test) -> str:
        if test.kind == "truthy":
            assert test.value is not None
            return self._bare(test.value)
        if test.kind in ("==", "!="):
            assert test.value is not None
            return f"{self._bare(test.value)} {test.kind} {_literal(test.other)}"
        if test.kind == "not":
            return f"not ({self.condition(test.parts[0])})"
        return "(" + f" {test.kind} ".join(self.condition(p) for p in test.parts) + ")"

    elif_word = "elif"
    escaped_end = "|escape }}"


def _django_literal(value: Any) -> str:
    """A constant as Django's template language writes it (Klaviyo's, Brevo's): text in
    straight single quotes, as Klaviyo's help asks, never with a brace or a backslash
    (its tokenizer would read a tag's end or an escape)."""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, str):
        if "\n" in value or "\r" in value:
            raise Unsupported("a text with a line break", "write the text on one line")
        if any(c in value for c in "{}\\"):
            raise Unsupported(
                "a text with `{`, `}` or a backslash (the ESP would read a tag or an escape)",
                "write the text without them",
            )
        if "'" in value:
            if '"' in value:
                raise Unsupported(
                    "a text with both kinds of quotes", "use one kind of quote in the text"
                )
            return f'"{value}"'
        return f"'{value}'"
    return _literal(value)


_PROPERTY = re.compile(r"[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)*")
"""A field as Django's language and HubL read it: dotted names of letters, digits and
`_`, each starting with a letter (`first-name` would be a subtraction)."""


def _property(dialect: Dialect, path: str) -> str:
    if not _PROPERTY.fullmatch(path):
        raise Unsupported(
            f"`{path}` is not a {dialect.label} property (dotted names of letters, digits "
            "and _, each starting with a letter)",
            "map the variable to the property's API name in "
            f"[tool.campc.email.fields.{dialect.name}]",
        )
    return path


class Django(Tags):
    """Django's template language, which Klaviyo and Brevo run: `{{ x|filter:arg }}` (no
    spaces around `|` and `:`), `{% if %}`/`{% elif %}`/`{% else %}`/`{% endif %}` with
    `==`, `!=`, `and`, `or`, `not` and no parentheses
    (https://docs.djangoproject.com/en/5.2/ref/templates/builtins/#if). Both escape a
    printed value in HTML; `|escape` says so (Django escapes once), and a text part's
    values are `|safe`, printed as they are."""

    filters: Mapping[str, str] = {
        "upper": "upper",
        "lower": "lower",
        "escape": "escape",
        "e": "escape",
    }
    separator = "|"
    elif_word = "elif"
    escaped_end = "|escape }}"

    def field(self, path: str) -> str:
        return _property(self, path)

    def default(self, text: str) -> str:
        return f"default:{_django_literal(text)}"

    def unescaped(self, text: str) -> str:
        return text.replace(self.escaped_end, "|safe }}")

    def condition(self, test: Test) -> str:
        if test.kind == "truthy":
            assert test.value is not None
            return self._bare(test.value)
        if test.kind in ("==", "!="):
            assert test.value is not None
            return f"{self._bare(test.value)} {test.kind} {_django_literal(test.other)}"
        if test.kind == "not" and test.parts[0].kind not in ("and", "or", "not"):
            # `not` binds tighter than `and` and `or`, looser than `==`
            return f"not {self.condition(test.parts[0])}"
        if test.kind in ("and", "or") and all(p.kind not in ("and", "or") for p in test.parts):
            return f" {test.kind} ".join(self.condition(p) for p in test.parts)
        raise Unsupported(
            f"a condition that nests `and`, `or` and `not` ({self.label} has no parentheses)",
            "split it into nested `if` blocks",
        )


class Klaviyo(Django):
    """Klaviyo: profile properties as `{{ first_name }}` or `{{ person.plan }}`, a
    default as `|default:'there'`, and `{% unsubscribe_link %}` and
    `{% manage_preferences_link %}`, the recipient's unsubscribe and preference URLs
    (https://help.klaviyo.com/hc/en-us/articles/4408802648731,
    https://help.klaviyo.com/hc/en-us/articles/360058907911)."""

    name = "klaviyo"
    docs = "https://help.klaviyo.com/hc/en-us/articles/4408802648731"

    def link(self, which: str) -> str:
        if which == UNSUBSCRIBE:
            return "{% unsubscribe_link %}"
        return "{% manage_preferences_link %}"


class Brevo(Django):
    """Brevo: contact attributes as `{{ contact.FIRSTNAME }}`, a default as
    `|default:'there'`, and `{{ unsubscribe }}` and `{{ update_profile }}`, the
    recipient's unsubscribe and profile-update URLs
    (https://help.brevo.com/hc/en-us/articles/4402386448530,
    https://help.brevo.com/hc/en-us/articles/4405381108626)."""

    name = "brevo"
    docs = "https://help.brevo.com/hc/en-us/articles/4402386448530"

    def link(self, which: str) -> str:
        return "{{ unsubscribe }}" if which == UNSUBSCRIBE else "{{ update_profile }}"


class Mailchimp(Dialect):
    """Mailchimp's merge tags: a field is `*|FNAME|*` (HTML-escaped by Mailchimp),
    `*|UPPER:FNAME|*` and `*|LOWER:FNAME|*` change its case, conditions are
    `*|IF:FNAME|*`, `*|IF:FNAME=Bob|*`, `*|ELSEIF:...|*`, `*|ELSE:|*`, `*|END:IF|*`,
    `*|IFNOT:FNAME|*`; `*|UNSUB|*` and `*|UPDATE_PROFILE|*` are the per-recipient links
    (https://mailchimp.com/help/all-the-merge-tags-cheat-sheet/,
    https://mailchimp.com/help/use-conditional-merge-tag-blocks/). There are no loops,
    and a default is a conditional block."""

    name = "mailchimp"
    docs = "https://mailchimp.com/help/all-the-merge-tags-cheat-sheet/"

    _TAG = re.compile(r"[A-Z0-9_]{1,10}")

    def _tag(self, path: str) -> str:
        if not self._TAG.fullmatch(path):
            raise Unsupported(
                f"`{path}` is not a Mailchimp merge tag (1 to 10 capitals, digits or _)",
                "map the variable to the audience field's merge tag, like `FNAME`",
            )
        return path

    def link(self, which: str) -> str:
        return "*|UNSUB|*" if which == UNSUBSCRIBE else "*|UPDATE_PROFILE|*"

    def output(self, value: Value, escaped: bool) -> str:
        tag = self._tag(value.path)
        case = ""
        fallback: str | None = None
        for name, args in value.filters:
            if name in ("upper", "lower") and not case:
                case = name.upper()
            elif name in ("escape", "e"):
                continue  # Mailchimp escapes a merge tag's value in HTML
            elif name in ("default", "d") and fallback is None:
                if len(args) != 1 or not isinstance(args[0], str):
                    raise Unsupported(f"`{name}` with {len(args)} arguments", "give one text")
                fallback = args[0]
            else:
                raise _no_filter(self, name)
        printed = f"*|{case}:{tag}|*" if case else f"*|{tag}|*"
        if fallback is None:
            return printed
        names = [name for name, _ in value.filters]
        first = min(names.index(n) for n in names if n in ("default", "d"))
        if case and any(n == case.lower() for n in names[first:]):
            fallback = fallback.upper() if case == "UPPER" else fallback.lower()
        if "*|" in fallback or "|*" in fallback:
            raise Unsupported("a default with `*|` or `|*`", "write the default without them")
        text = html.escape(fallback, quote=False) if escaped else fallback
        return f"*|IF:{tag}|*{printed}*|ELSE:|*{text}*|END:IF|*"

    def condition(self, test: Test) -> str:
        if test.kind == "truthy":
            assert test.value is not None
            return f"IF:{self._bare(test.value)}"
        if test.kind == "not" and test.parts[0].kind == "truthy":
            value = test.parts[0].value
            assert value is not None
            return f"IFNOT:{self._bare(value)}"
        if test.kind in ("==", "!=") and isinstance(test.other, str | int):
            assert test.value is not None
            if not re.fullmatch(r"[A-Za-z0-9 _.@-]*", str(test.other)):
                raise Unsupported(
                    f"the value `{test.other}` in a Mailchimp condition (letters, digits, "
                    "spaces and `_.@-` only)",
                    "compare with a plainer value",
                )
            operator = "=" if test.kind == "==" else "!="
            return f"IF:{self._bare(test.value)}{operator}{test.other}"
        raise Unsupported(
            "a condition Mailchimp cannot write (it tests one field: set, unset, = or != a value)",
            "split it into nested `if` blocks on one field each",
        )

    def _bare(self, value: Value) -> str:
        if value.filters:
            raise Unsupported(
                "a filter inside a condition", "test the variable itself, without a filter"
            )
        return self._tag(value.path)

    def if_(self, test: Test) -> str:
        return f"*|{self.condition(test)}|*"

    def elif_(self, test: Test) -> str:
        return f"*|ELSE{self.condition(test)}|*"

    def else_(self) -> str:
        return "*|ELSE:|*"

    def endif(self) -> str:
        return "*|END:IF|*"


class Mautic(Dialect):
    """Mautic's tokens: a contact field is `{contactfield=firstname}`, with a default
    after `|` (`{contactfield=firstname|there}`), and `{unsubscribe_url}` is the
    contact's unsubscribe page, where Mautic also shows its preference centre
    (https://docs.mautic.org/en/5.x/configuration/variables.html). Tokens have no
    conditions, loops or filters: Mautic's dynamic content is a block of its own editor."""

    name = "mautic"
    docs = "https://docs.mautic.org/en/5.x/configuration/variables.html"

    _ALIAS = re.compile(r"[a-z][a-z0-9_]{0,63}")

    def link(self, which: str) -> str:
        return "{unsubscribe_url}"

    def output(self, value: Value, escaped: bool) -> str:
        if not self._ALIAS.fullmatch(value.path):
            raise Unsupported(
                f"`{value.path}` is not a Mautic field alias (lower-case letters, digits, _)",
                "map the variable to the contact field's alias, like `firstname`",
            )
        fallback = ""
        for name, args in value.filters:
            if name in ("escape", "e"):
                continue
            if name in ("default", "d") and not fallback and len(args) == 1:
                text = str(args[0])
                if any(c in text for c in "{}|\n\r"):
                    raise Unsupported(
                        "a default with `{`, `}`, `|` or a line break", "write it without them"
                    )
                fallback = "|" + (html.escape(text, quote=False) if escaped else text)
                continue
            raise _no_filter(self, name)
        return "{contactfield=" + value.path + fallback + "}"

    def _none(self) -> Unsupported:
        return Unsupported(
            "Mautic tokens have no conditions",
            "use Mautic's dynamic content for the branch, or one email per segment",
        )

    def if_(self, test: Test) -> str:
        raise self._none()

    def elif_(self, test: Test) -> str:
        raise self._none()

    def else_(self) -> str:
        raise self._none()

    def endif(self) -> str:
        raise self._none()


DIALECTS: dict[str, Dialect] = {
    d.name: d for d in (CustomerIo(), Braze(), Klaviyo(), HubL(), Mailchimp(), Brevo(), Mautic())
}


def _no_filter(dialect: Dialect, name: str) -> Unsupported:
    known = {
        "customerio": "default, upper, lower, escape, trim",
        "braze": "default, upper, lower, escape, trim",
        "hubspot": "default, upper, lower, escape, trim, capitalize",
        "mailchimp": "default, upper, lower",
        "mautic": "default",
        "klaviyo": "default, upper, lower, escape",
        "brevo": "default, upper, lower, escape",
    }[dialect.name]
    return Unsupported(
        f"{dialect.label} has no equivalent of the filter `{name}`",
        f"use one it has ({known}), or format the value in the ESP's data",
    )


# -- the compiler ----------------------------------------------------------------------


class EspValue(str):
    """A recipient's value as the ESP's tag, while Jinja evaluates the rest: printed as
    it is (never escaped again: the tag escapes the value); anything else done with it
    is refused (`Unsupported`), since its real value is known only to the ESP."""

    __slots__ = ()

    def __html__(self) -> str:
        return str(self)

    def __bool__(self) -> bool:
        raise Unsupported(
            "a test of a recipient's value inside a macro or `{% set %}`",
            "test the variable in the template itself, with `{% if %}`",
        )

    def __iter__(self) -> Any:
        raise Unsupported(
            "a loop over a recipient's value inside a macro or `{% set %}`",
            "print the value where it is used",
        )


_NONCE = secrets.token_hex(8)
"""Drawn once per process: a template cannot write a mark of its own (its text would
otherwise be swapped for campc's Nth tag)."""
MARK = f"<!--campc-esp-{_NONCE}:"
"""How a tag is written until the HTML is finished (a comment: HTML parsers keep it
where it is, in a table too, and as text in an attribute); then it is put in place."""
_MARKS = re.compile(rf"(?:<|&lt;)!--campc-esp-{_NONCE}:(\d+)--(?:>|&gt;)")


@dataclass
class Compiled:
    """One send's templates compiled for one ESP."""

    html: str = ""
    text: str = ""
    subject: str = ""
    preheader: str | None = None
    problems: list[Problem] = field(default_factory=list)


def environment(folder: Any, sources: Any, dialect: Dialect, fields: Mapping[str, str]) -> Any:
    """The sandbox of the proofs (`sandbox.environment`), compiling each template it
    parses for `dialect` (`fields`: template variable -> the ESP's field). What cannot
    be compiled is kept by template name in `env.campc_problems`; a recipient's value
    that a macro uses other than by printing it raises `Unsupported` while rendering."""
    from jinja2 import nodes, pass_context
    from jinja2.runtime import Macro

    from compiler.email import sandbox

    env = sandbox.environment(folder, sources)
    problems: dict[str, list[Problem]] = {}

    def compile_tree(environment: Any, tree: Any, name: str | None) -> Any:
        escaped = (
            name.endswith((".html", ".htm"))
            if name is not None
            else getattr(environment, "campc_escaped", False)
        )
        found = problems.setdefault(name or "", [])
        _Compiler(nodes, dialect, dict(fields), found, name or "", escaped).run(tree)
        return tree

    def opaque(*values: Any) -> bool:
        """Whether a value is, or holds, a recipient's value (a text with a tag's mark)."""
        return any(isinstance(v, EspValue) or (isinstance(v, str) and MARK in v) for v in values)

    def refuse(what: str) -> Unsupported:
        return Unsupported(
            f"{what} a recipient's value, which only {dialect.label} knows",
            "print the variable where it is used, or test it with `{% if %}` there",
        )

    call, getattr_, getitem, binop = env.call, env.getattr, env.getitem, env.call_binop

    def guarded_call(context: Any, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        if opaque(*args, *kwargs.values()) and not isinstance(obj, Macro):
            raise refuse("a call with")
        return call(context, obj, *args, **kwargs)

    def guarded_getattr(obj: Any, attribute: str) -> Any:
        if opaque(obj):
            raise refuse(f"`.{attribute}` of")
        return getattr_(obj, attribute)

    def guarded_getitem(obj: Any, argument: Any) -> Any:
        if opaque(obj, argument):
            raise refuse("an index of or by")
        return getitem(obj, argument)

    def guarded_binop(context: Any, operator: str, left: Any, right: Any) -> Any:
        if opaque(left, right):
            raise refuse(f"`{operator}` on")
        return binop(context, operator, left, right)

    def guarded(name: str, func: Callable[..., Any], what: str) -> Callable[..., Any]:
        @pass_context
        def run(context: Any, *args: Any, **kwargs: Any) -> Any:
            if opaque(*args, *kwargs.values()):
                raise refuse(f"the {what} `{name}` on")
            return func(context, *args, **kwargs)

        return run

    def guarded_test(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            if opaque(*args, *kwargs.values()):
                raise refuse(f"the test `is {name}` on")
            return func(*args, **kwargs)

        return run

    comparable = env.campc_comparable

    def guarded_comparable(value: Any) -> Any:
        if opaque(value):
            raise refuse("a comparison of")
        return comparable(value)

    env.call, env.getattr, env.getitem, env.call_binop = (
        guarded_call,
        guarded_getattr,
        guarded_getitem,
        guarded_binop,
    )
    env.filters = {name: guarded(name, func, "filter") for name, func in env.filters.items()}
    env.tests = {name: guarded_test(name, func) for name, func in env.tests.items()}
    env.campc_comparable = guarded_comparable
    marks: list[str] = []

    def mark(tag: str) -> EspValue:
        """The tag, as the mark the finished HTML puts it back in place of."""
        marks.append(tag)
        return EspValue(f"{MARK}{len(marks) - 1}-->")

    env.globals["campc_esp"] = mark
    env.campc_marks = marks
    env.campc_transform = compile_tree
    env.campc_problems = problems
    env.campc_dialect = dialect
    env.campc_fields = dict(fields)
    # subjects and preheaders: text for the ESP's fields, escaped where HTML shows them
    env.campc_text_environment = env.overlay(autoescape=False)
    env.campc_text_templates = {}
    env.campc_html_environment = env.overlay(autoescape=True)
    env.campc_html_environment.campc_escaped = True
    env.campc_html_templates = {}
    return env


_LINK = "\0link"
_SHADOWED = "\0shadowed"
"""Scope entries: an ESP link, and a name a macro's argument hides."""


class _Compiler:
    def __init__(
        self,
        nodes: Any,
        dialect: Dialect,
        fields: dict[str, str],
        problems: list[Problem],
        template: str,
        escaped: bool,
    ) -> None:
        self.nodes = nodes
        self.dialect = dialect
        self.scopes: list[dict[str, str]] = [
            {**{k: dialect.field(v) for k, v in fields.items()}, **dict.fromkeys(LINKS, _LINK)}
        ]
        self.problems = problems
        self.template = template
        self.escaped = escaped

    # which names are a recipient's
    def _lookup(self, name: str) -> tuple[bool, str | None]:
        """Whether `name` is a recipient's value here, and its field (None for a link)."""
        for scope in reversed(self.scopes):
            if name in scope:
                found = scope[name]
                if found == _SHADOWED:
                    return False, None
                return True, None if found == _LINK else found
        return False, None

    def _reads(self, node: Any) -> bool:
        n = self.nodes
        names = [node] if isinstance(node, n.Name) else list(node.find_all(n.Name))
        return any(x.ctx == "load" and self._lookup(x.name)[0] for x in names)

    def _problem(self, node: Any, err: Unsupported) -> None:
        line = getattr(node, "lineno", 1) or 1
        self.problems.append(
            Problem(self.template, line, f"{self.dialect.label}: {err.message}", err.hint)
        )

    # expressions
    def value(self, node: Any) -> Value:
        n = self.nodes
        if isinstance(node, n.Name) and node.ctx == "load":
            known, path = self._lookup(node.name)
            if known and path is not None:
                return Value(path)
            if known:
                raise Unsupported(
                    f"`{node.name}` is the ESP's own link: write it alone, as `{{{{ "
                    f"{node.name} }}}}`",
                    "use it as a link's href",
                )
        if isinstance(node, n.Getattr):
            inner = self.value(node.node)
            if inner.filters:
                raise Unsupported("an attribute of a filtered value", "filter the attribute")
            return Value(f"{inner.path}.{node.attr}")
        if isinstance(node, n.Filter) and node.node is not None:
            inner = self.value(node.node)
            if node.kwargs or node.dyn_args or node.dyn_kwargs:
                raise Unsupported(
                    f"the filter `{node.name}` with keyword arguments", "pass them in order"
                )
            if node.name not in FILTERS:
                raise _no_filter(self.dialect, node.name)
            if node.args and node.name not in ("default", "d"):
                raise Unsupported(
                    f"the filter `{node.name}` with arguments (the ESP's takes none)",
                    f"use `{node.name}` without arguments, or format the value in the ESP's data",
                )
            args = []
            for arg in node.args:
                if not isinstance(arg, n.Const):
                    raise Unsupported(
                        f"the filter `{node.name}` with a computed argument",
                        "give it a constant",
                    )
                args.append(arg.value)
            return Value(inner.path, (*inner.filters, (node.name, tuple(args))))
        raise Unsupported(
            f"the expression `{_shown(node)}` on a recipient's value",
            "print the variable itself, with filters the ESP has, and compute the rest "
            "in the ESP's data",
        )

    def output(self, node: Any) -> str:
        n = self.nodes
        if isinstance(node, n.Name) and node.ctx == "load":
            known, path = self._lookup(node.name)
            if known and path is None:
                return self.dialect.link(node.name)
        return self.dialect.output(self.value(node), self.escaped)

    def test(self, node: Any) -> Test:
        n = self.nodes
        if isinstance(node, n.Not):
            return Test("not", parts=(self.test(node.node),))
        if isinstance(node, n.And | n.Or):
            kind = "and" if isinstance(node, n.And) else "or"
            parts: list[Test] = []
            for side in (node.left, node.right):
                inner = self.test(side)
                parts.extend(inner.parts if inner.kind == kind else (inner,))
            return Test(kind, parts=tuple(parts))
        if isinstance(node, n.Compare) and len(node.ops) == 1:
            op = node.ops[0]
            if op.op in ("eq", "ne"):
                left, right = node.expr, op.expr
                if isinstance(left, n.Const):
                    left, right = right, left
                if isinstance(right, n.Const):
                    return Test("==" if op.op == "eq" else "!=", self.value(left), right.value)
        if isinstance(node, n.Name | n.Getattr):
            return Test("truthy", self.value(node))
        raise Unsupported(
            f"the condition `{_shown(node)}`",
            "test a variable, or compare it with == or != to a constant",
        )

    # statements
    def run(self, tree: Any) -> None:
        tree.body = self.body(tree.body)

    def body(self, statements: list[Any]) -> list[Any]:
        out: list[Any] = []
        for node in statements:
            out.extend(self.statement(node))
        return out

    def _data(self, text: str, lineno: int) -> Any:
        """An ESP tag of its own (a condition, a loop), printed as it is."""
        return self.nodes.Output([self._tag(text, lineno)], lineno=lineno)

    def _tag(self, text: str, lineno: int) -> Any:
        n = self.nodes
        return n.Call(
            n.Name("campc_esp", "load", lineno=lineno),
            [n.Const(text, lineno=lineno)],
            [],
            None,
            None,
            lineno=lineno,
        )

    def _declares(self, node: Any) -> list[str]:
        """The names a statement declares where it is (`set`, `import`, `macro`)."""
        n = self.nodes
        if isinstance(node, n.Assign | n.AssignBlock):
            return [x.name for x in node.target.find_all(n.Name)] + (
                [node.target.name] if isinstance(node.target, n.Name) else []
            )
        if isinstance(node, n.Macro):
            return [node.name]
        if isinstance(node, n.Import):
            return [node.target]
        if isinstance(node, n.FromImport):
            return [name[1] if isinstance(name, tuple) else name for name in node.names]
        return []

    def _scoped(self, names: list[str], visit: Callable[[], Any]) -> Any:
        self.scopes.append(dict.fromkeys(names, _SHADOWED))
        try:
            return visit()
        finally:
            self.scopes.pop()

    def statement(self, node: Any) -> list[Any]:
        n = self.nodes
        try:
            declared = self._declares(node)
            if "campc_esp" in declared or any(x.name == "campc_esp" for x in node.find_all(n.Name)):
                raise Unsupported(
                    "`campc_esp` is the name campc writes the ESP's tags with",
                    "choose another name",
                )
            if isinstance(node, n.Output):
                node.nodes = [self.expression(child) for child in node.nodes]
                return [node]
            if isinstance(node, n.If) and self._reads(node.test):
                return self._if(node)
            if isinstance(node, n.For) and self._reads(node.iter):
                return self._for(node)
            if isinstance(node, n.Include | n.Extends | n.Import | n.FromImport) and self._reads(
                node.template
            ):
                raise Unsupported(
                    "a template named by a recipient's value",
                    "name the template itself, and branch with `{% if %}`",
                )
            if isinstance(node, n.FilterBlock | n.AssignBlock) and self._reads(node):
                raise Unsupported(
                    "a recipient's value inside a `{% filter %}` or `{% set %}` block",
                    "print the variable with the filter itself: `{{ name | upper }}`",
                )
            if isinstance(node, n.Macro):
                self.scopes[-1][node.name] = _SHADOWED
                args = [a.name for a in node.args] + ["caller", "varargs", "kwargs"]

                def macro() -> None:
                    node.defaults = [self.expression(d) for d in node.defaults]
                    node.body = self.body(node.body)

                self._scoped(args, macro)
                return [node]
            if isinstance(node, n.CallBlock):
                node.call = self.expression(node.call)
                node.defaults = [self.expression(d) for d in node.defaults]
                args = [a.name for a in node.args]

                def block() -> None:
                    node.body = self.body(node.body)

                self._scoped(args, block)
                return [node]
            if isinstance(node, n.For):  # over a list known now: its names are its own
                node.iter = self.expression(node.iter)
                names = [x.name for x in node.target.find_all(n.Name)]
                if isinstance(node.target, n.Name):
                    names.append(node.target.name)

                def loop() -> None:
                    if node.test is not None:
                        node.test = self.expression(node.test)
                    node.body = self.body(node.body)
                    node.else_ = self.body(node.else_)

                self._scoped([*names, "loop"], loop)
                return [node]
            if isinstance(node, n.With):
                node.values = [self.expression(v) for v in node.values]
                names = [x.name for t in node.targets for x in t.find_all(n.Name)]
                names += [t.name for t in node.targets if isinstance(t, n.Name)]

                def inside() -> None:
                    node.body = self.body(node.body)

                self._scoped(names, inside)
                return [node]
        except Unsupported as err:
            self._problem(node, err)
            return []
        if isinstance(node, n.Assign):
            node.node = self.expression(node.node)
            for name in declared:
                self.scopes[-1][name] = _SHADOWED
            return [node]
        for name in declared:
            self.scopes[-1][name] = _SHADOWED
        # any other statement: its expressions and nested bodies, in place
        for name in node.fields:
            value = getattr(node, name)
            if isinstance(value, list) and value and isinstance(value[0], n.Stmt):
                setattr(node, name, self.body(value))
            elif isinstance(value, list):
                setattr(node, name, [self.expression(v) for v in value])
            elif isinstance(value, n.Expr):
                setattr(node, name, self.expression(value))
            elif isinstance(value, n.Node) and not isinstance(value, n.Stmt):
                pass
        return [node]

    def expression(self, node: Any) -> Any:
        """`node` as it is when no recipient's value is in it; else the ESP's tag, as a
        constant Jinja prints as it is (a call of `campc_esp`)."""
        n = self.nodes
        if not isinstance(node, n.Expr) or not self._reads(node):
            return node
        if isinstance(node, n.Call) and not self._reads(node.node):
            # a macro (or a function) called with a recipient's value: the value travels
            # as an opaque tag; the macro may print it, nothing else
            node.args = [self.expression(a) for a in node.args]
            for keyword in node.kwargs:
                keyword.value = self.expression(keyword.value)
            return node
        try:
            text = self.output(node)
        except Unsupported as err:
            self._problem(node, err)
            text = ""
        return self._tag(text, node.lineno)

    def _no_set_inside(self, statements: list[Any]) -> None:
        n = self.nodes
        for statement in statements:
            inner = [statement, *statement.find_all(n.Assign | n.AssignBlock)]
            if any(isinstance(x, n.Assign | n.AssignBlock) for x in inner):
                raise Unsupported(
                    "`{% set %}` inside a condition on a recipient's value (it runs when "
                    "building, for every recipient, whatever the branch)",
                    "set the value outside the condition, or print each branch's text",
                )

    def _if(self, node: Any) -> list[Any]:
        for branch in (node.body, *(b.body for b in node.elif_), node.else_):
            self._no_set_inside(branch)
        test = self.test(node.test)
        unless = (
            isinstance(self.dialect, Liquid)
            and test.kind == "not"
            and test.parts[0].kind != "not"
            and not node.elif_
        )
        opening = (
            self.dialect.unless(test.parts[0]) if unless else self.dialect.if_(test)  # type: ignore[attr-defined]
        )
        out = [self._data(opening, node.lineno)]
        out += self.body(node.body)
        for branch in node.elif_:
            out.append(self._data(self.dialect.elif_(self.test(branch.test)), branch.lineno))
            out += self.body(branch.body)
        if node.else_:
            out.append(self._data(self.dialect.else_(), node.lineno))
            out += self.body(node.else_)
        closing = "{% endunless %}" if unless else self.dialect.endif()
        out.append(self._data(closing, node.lineno))
        return out

    def _for(self, node: Any) -> list[Any]:
        # a spec's variables are single values: the proof would loop over the
        # characters of a text, the ESP over a list; the two can only differ
        raise Unsupported(
            "a loop over a recipient's value (a spec's variables are single values: "
            "text, numbers, booleans, URLs, dates)",
            "loop over a list known when building, and print the variable inside",
        )


def _shown(node: Any) -> str:
    """A short name for an expression node (the error names the construct)."""
    kind = type(node).__name__
    return {
        "Mul": "*",
        "Add": "+",
        "Concat": "~",
        "Call": "a call",
        "Getitem": "[...]",
        "CondExpr": "... if ... else ...",
    }.get(kind, kind.lower())


# -- one send, compiled -------------------------------------------------------------------

_SENTINEL = re.compile("\x00(\\d+)\x00")


def _one_line(
    env: Any, templates: dict[str, Any], source: str, context: dict[str, Any]
) -> tuple[str, list[Problem]]:
    """A subject or preheader for the ESP: its text with the ESP's tags (which `env`
    compiles as text, or HTML-escaped where HTML shows it), and what it cannot express."""
    from compiler.email.sandbox import _stream, limits

    kept = templates.get(source)
    if kept is None:
        problems = env.campc_problems.setdefault("", [])
        before = len(problems)
        compiled = env.from_string(source)
        kept = templates[source] = (compiled, problems[before:])
        del problems[before:]
    compiled, found = kept
    with limits():
        return _stream(compiled, dict(context)), list(found)


def _escaped_around_tags(
    env: Any, templates: dict[str, Any], source: str, context: dict[str, Any], marks: list[str]
) -> str:
    """A subject or preheader as HTML: its text escaped, each ESP tag as a mark (see
    `MARK`) that the finished HTML puts back."""
    found: list[str] = []

    def sentinel(text: str) -> str:
        found.append(text)
        return f"\x00{len(found) - 1}\x00"

    marked, _ = _one_line(env, templates, source, {**context, "campc_esp": sentinel})
    pieces = _SENTINEL.split(marked)
    out = []
    for index, piece in enumerate(pieces):
        if index % 2:
            marks.append(found[int(piece)])
            out.append(f"{MARK}{len(marks) - 1}-->")
        else:
            out.append(html.escape(piece))
    return "".join(out)


PREHEADER = "\ue000campc-esp-preheader\ue000"
"""Where the preheader goes until the CSS is inlined (its marks must not be escaped)."""

_STATIC = {
    "customerio": ("{{", "{%", "{#"),
    "braze": ("{{", "{%", "{#"),
    "hubspot": ("{{", "{%", "{#"),
    "mailchimp": ("*|",),
    "mautic": ("{contactfield=", "{ownerfield=", "{unsubscribe_", "{webview_", "{tracking_pixel}"),
    "klaviyo": ("{{", "{%", "{#"),
    "brevo": ("{{", "{%", "{#"),
}
"""What a template's own text must not hold for each ESP: its tags' openings (the ESP
would run text the proof shows as it is)."""


def _static_syntax(dialect: Dialect, text: str) -> str | None:
    """The first opening of an ESP tag in `text` that campc did not write, if any, or a
    brace against one of campc's (`{` before `{{ x }}` makes `{{{ x }}`, a tag the ESP
    cannot read)."""
    bare = _MARKS.sub("", text)
    for opening in _STATIC[dialect.name]:
        at = bare.find(opening)
        if at >= 0:
            return bare[at : at + 40].split("\n")[0]
    if "{{" in _STATIC[dialect.name]:
        held = _MARKS.sub("\x00", text)
        found = re.search(r"\{\x00|\x00\}", held)
        if found is not None:
            return held[max(found.start() - 20, 0) : found.end() + 20].replace("\x00", "{{ ... }}")
    return None


def compile_send(repo: Any, env: Any, send: Any) -> Compiled:
    """One send's HTML, text part, subject and preheader for the ESP `env` compiles for:
    the proof's steps (the template, links tagged with UTM, CSS inlined, the text part
    from the HTML or the hand-written text template), with the ESP's tags in place of a
    recipient's values and of the unsubscribe and preference links. The tags travel as
    marks (HTML comments) through the link rewriting and the CSS inliner, which never
    parse them, and are put in place last."""
    from jinja2 import UndefinedError

    from compiler.email.html import inline_css, to_text, with_preheader
    from compiler.email.links import rewrite_links, tag_text_links, with_utm
    from compiler.email.sandbox import TemplateProblem, render
    from compiler.email.templates import chain

    dialect: Dialect = env.campc_dialect
    result = Compiled()
    marks: list[str] = env.campc_marks
    marks.clear()

    def finish(text: str) -> str:
        return _MARKS.sub(lambda m: marks[int(m.group(1))], text)

    names = [send.email.template]
    if send.email.text_template is not None:
        names.append(send.email.text_template)
    text, html_, templates = (
        env.campc_text_environment,
        env.campc_html_environment,
        (env.campc_text_templates, env.campc_html_templates),
    )
    preheader_html = None
    try:
        subject, found = _one_line(text, templates[0], send.email.subject, {})
        result.problems += [Problem(send.spec.path, 1, p.message, p.hint) for p in found]
        subject_html = _escaped_around_tags(html_, templates[1], send.email.subject, {}, marks)
        preheader = None
        if send.email.preheader:
            preheader, found = _one_line(text, templates[0], send.email.preheader, {})
            result.problems += [Problem(send.spec.path, 1, p.message, p.hint) for p in found]
            preheader_html = _escaped_around_tags(
                html_, templates[1], send.email.preheader, {}, marks
            )
        context: dict[str, Any] = {"lang": send.locale} if send.locale else {}
        context |= {"subject": EspValue(subject_html), "preheader": EspValue(preheader_html or "")}
        raw_html = render(env, repo.templates_dir, send.email.template, context)
        raw_text = None
        if send.email.text_template is not None:
            raw_text = render(env, repo.templates_dir, send.email.text_template, context)
    except Unsupported as err:
        result.problems.append(Problem(send.email.template, 1, err.message, err.hint))
        return result
    except UndefinedError:
        return result  # a variable without a field: EMAIL015 says which
    except TemplateProblem as problem:
        if problem.undeclared:
            return result  # a variable without a field: EMAIL015 says which
        result.problems.append(
            Problem(
                problem.template,
                problem.line,
                f"{dialect.label}: cannot compile: {problem.message}",
                "print a recipient's value as it is; compute nothing from it in a macro",
            )
        )
        return result
    for name in dict.fromkeys(n for top in names for n in chain(repo, top)):
        result.problems.extend(env.campc_problems.get(name, []))
    for part, where in ((raw_html, send.email.template), (raw_text or "", names[-1])):
        shown = _static_syntax(dialect, part)
        if shown is not None:
            result.problems.append(
                Problem(
                    where,
                    1,
                    f"{dialect.label}: the template's own text `{shown}` is {dialect.label}'s "
                    "syntax, which the ESP would run (the proof shows it as it is)",
                    "remove it, or write it so that it is not a tag",
                )
            )
    for part in (subject, preheader or ""):
        shown = _static_syntax(dialect, part)
        if shown is not None:
            result.problems.append(
                Problem(
                    send.spec.path,
                    1,
                    f"{dialect.label}: the text `{shown}` is {dialect.label}'s syntax",
                    "remove it, or write it so that it is not a tag",
                )
            )
    if result.problems:
        return result
    result.subject = finish(subject)
    result.preheader = None if preheader is None else finish(preheader)

    # a link to a recipient's own URL gets the UTM tags its sample value gets, after the
    # ESP's tag (when they are only appended to it, as for a URL without a fragment)
    suffixes = {}
    for name, variable in send.variables.items():
        target = env.campc_fields.get(name)
        if target is not None and variable.type == "url" and isinstance(variable.sample, str):
            tagged = with_utm(variable.sample, send.utm)
            if tagged.startswith(variable.sample):
                printed = dialect.output(Value(dialect.field(target)), True)
                suffixes[printed] = tagged[len(variable.sample) :]

    def tag(url: str) -> str:
        found = _MARKS.fullmatch(url.strip())
        if found is not None:
            return url + suffixes.get(marks[int(found.group(1))], "")
        if MARK in url or f"&lt;!--campc-esp-{_NONCE}:" in url:
            return url  # a URL made of a recipient's value and more: the ESP's own
        return with_utm(url, send.utm)

    marked = with_preheader(raw_html, PREHEADER if preheader_html is not None else None)
    body = inline_css(rewrite_links(marked, tag))
    if preheader_html is not None:
        opening = re.search(r"<body[^>]*>", body, re.IGNORECASE)
        at = body.find(PREHEADER, opening.end() if opening else 0)
        if at >= 0:
            body = body[:at] + preheader_html + body[at + len(PREHEADER) :]
    result.html = finish(body)
    if raw_text is None:  # the text part from the HTML: the ESP's tags without escaping
        result.text = dialect.unescaped(to_text(result.html))
    else:
        result.text = finish(tag_text_links(raw_text, tag))
    return result


COMPILED: Fact[dict[str, list[tuple[Any, Compiled]]]] = Fact("emails compiled for ESPs")


def compiled(repo: Any, name: str) -> list[tuple[Any, Compiled]]:
    """Every send whose proof renders, compiled for the ESP `name` (once per run)."""
    from compiler.email.render import rendered

    table: dict[str, list[tuple[Any, Compiled]]] = repo.facts.get(COMPILED, dict)
    if name not in table:
        dialect = DIALECTS[name]
        fields = repo.policy.email.fields.get(name, {})
        env = environment(repo.templates_dir, repo.template_files, dialect, fields)
        table[name] = [
            (email.send, compile_send(repo, env, email.send))
            for email in rendered(repo, full=False)
            # an occurrence's samples change no merge tag: the send's template serves it
            # (a variant's subject does: it is compiled on its own)
            if not email.problems and email.raw_html and email.send.occurrence is None
        ]
    return table[name]
