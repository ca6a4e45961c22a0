"""The site back-end: `site/`, the quarter at a glance, to open from disk or publish.

Static and self-contained: HTML pages, one stylesheet, one script (Mermaid, vendored
with its licence, draws the sequence flows; nothing else runs), SVG charts drawn at build
time by matplotlib (`charts`). Nothing is fetched when a page is viewed: the pages' CSP
allows only the site's own files. Byte-identical across builds and machines.

The pages are a view of what the build wrote and of the check's open findings: the
Markdown pages of sequences, test plans and scoring models (in the repository's
language) rendered to HTML by markdown-it-py with raw HTML off, the budget from the same
plans as `budget/budget.csv`, the timeline from the calendar's events."""

from __future__ import annotations

import functools
import json
import posixpath
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING, Any, TypeVar

from markupsafe import Markup, escape

from compiler.analysis.budget import CONTINGENCY, Line, minor_unit, plans, quarter, totals
from compiler.backends.artifacts import Artifact, BuildContext
from compiler.backends.site import charts, timeline
from compiler.diagnostics import Diagnostic, Severity
from compiler.project.repository import Repository
from compiler.text.labels import Labels, _, labels
from compiler.workers import PARALLEL_FROM, forked, jobs

if TYPE_CHECKING:
    from jinja2 import Environment
    from markdown_it import MarkdownIt

    from compiler.cache import Cache

T = TypeVar("T")

FOLDER = "site"
MAX_ROWS = 40
"""The most rows a timeline chart draws (its table lists every entry)."""
SECTIONS = {
    "sequences": ("sequences", _("Sequences")),
    "experiments": ("test-plans", _("Experiments")),
    "scoring": ("scoring", _("Scoring models")),
}
"""Site folder -> (the outputs folder of the Markdown pages it shows, its title)."""
ASSETS = ("site.css", "site.js", "mermaid.min.js", "LICENSE-mermaid.txt")
"""The files copied from the package into `site/assets/`."""


@dataclass(frozen=True)
class Page:
    """A page to render: its path below `site/`, its title and its body's HTML."""

    path: str
    title: str
    body: str
    flows: bool = False
    """Whether it holds Mermaid flows (then it loads Mermaid)."""
    sources: tuple[str, ...] | None = None
    """The specs its content comes from (the outputs page it shows was made from);
    None for a page that sums up the whole repository."""


def build(
    repo: Repository,
    context: BuildContext,
    artifacts: Sequence[Artifact],
    cache: Cache | None = None,
) -> list[Artifact]:
    """Every page, chart and asset of the site, from the repository and the artifacts
    the other back-ends made."""
    words = labels(repo.policy.locale)
    sources = tuple(sorted({s for a in artifacts for s in a.sources}))
    out: list[Artifact] = []
    drawn = _Charts(cache)
    pages: list[Page] = []
    sections = _sections(artifacts, words, drawn)
    budget_body, totals = _budget(repo, words, drawn)
    periods = timeline.quarters(repo, words)
    findings = [d for d in context.findings if d.severity is not Severity.ERROR]
    pages.append(
        Page(
            "index.html",
            words(_("The quarter at a glance")),
            _index(periods, totals, sections, findings, words, drawn),
        )
    )
    if budget_body:
        pages.append(Page("budget.html", words(_("Budget")), budget_body))
    pages.append(Page("findings.html", words(_("Open findings")), _findings(findings, words)))
    for key, entries in sections.items():
        if entries:
            pages.append(section_index(key, entries, words))
            pages.extend(entries)
    nav = _nav(bool(budget_body), sections, words)
    for page in pages:
        html = _render(page, nav, words)
        made_from = sources if page.sources is None else page.sources
        out.append(Artifact(f"{FOLDER}/{page.path}", html.encode("utf-8"), made_from))
    for name, svg in sorted(drawn.made.items()):
        out.append(Artifact(f"{FOLDER}/charts/{name}", svg, sources))
    folder = files("compiler.backends.site") / "assets"
    for name in ASSETS:  # the package's own files: no spec makes them
        out.append(Artifact(f"{FOLDER}/assets/{name}", (folder / name).read_bytes(), ()))
    return out


# -- charts, drawn once per input --------------------------------------------------------


class _Charts:
    """What a build draws and renders, kept in the cache by a digest of its inputs: the
    charts by file name (an SVG per `charts.Bars` or `charts.Timeline`), and the pages
    made from Markdown pages (their title and HTML per page text)."""

    def __init__(self, store: Cache | None) -> None:
        self._cache = store if store is not None and store.active else None
        self.made: dict[str, bytes] = {}

    def _key(self, kind: bytes, *parts: bytes) -> str:
        from compiler import cache as cache_module

        assert self._cache is not None
        return self._cache.key(kind, cache_module.build_versions(), *parts)

    def draw(self, name: str, spec: T, render: Callable[[T], bytes]) -> str:
        """`charts/<name>`'s path from a page in `site/`, drawn by `render` unless the
        cache has the SVG of `spec` (a dataclass of the chart's inputs)."""
        if self._cache is None:
            self.made[name] = render(spec)
            return f"charts/{name}"
        key = self._key(b"site-chart", repr(spec).encode("utf-8"))
        held = self._cache.get("site-chart", key)
        if isinstance(held, str):
            svg = held.encode("utf-8")
        else:
            svg = render(spec)
            self._cache.put("site-chart", key, svg.decode("utf-8"))
        self.made[name] = svg
        return f"charts/{name}"

    def page(self, parts: Sequence[str], render: Callable[[], tuple[str, str]]) -> tuple[str, str]:
        """The title and HTML `render` makes of a Markdown page, unless the cache has
        them for `parts` (the page's text and everything else its HTML depends on)."""
        return self.pages([(parts, render)])[0]

    def pages(self, asked: Sequence[PageRequest]) -> list[tuple[str, str]]:
        """`page` of each request, in order: those the cache lacks are rendered
        together, in forked workers when there are many (a cold build's 583 pages of
        markdown-it took 2.6 s in one process)."""
        keys: list[str | None] = []
        found: list[tuple[str, str] | None] = []
        for parts, _render in asked:
            key = None
            held: Any = None
            if self._cache is not None:
                key = self._key(b"site-page", *(part.encode("utf-8") for part in parts))
                held = self._cache.get("site-page", key)
            ok = isinstance(held, list) and len(held) == 2 and all(isinstance(v, str) for v in held)
            found.append((str(held[0]), str(held[1])) if ok else None)
            keys.append(key)
        missing = [index for index, value in enumerate(found) if value is None]
        made = _rendered([asked[index][1] for index in missing])
        for index, value in zip(missing, made, strict=True):
            found[index] = value
            key = keys[index]
            if key is not None and self._cache is not None:
                self._cache.put("site-page", key, list(value))
        done = [value for value in found if value is not None]
        assert len(done) == len(asked)
        return done


PageRequest = tuple[Sequence[str], Callable[[], tuple[str, str]]]
"""What a Markdown page's HTML depends on, and how to render it."""


def _rendered(renders: Sequence[Callable[[], tuple[str, str]]]) -> list[tuple[str, str]]:
    """Each render's title and HTML, in order: in this process, or dealt in turn to
    forked workers from `PARALLEL_FROM` pages (rendering is pure: the same either way)."""
    count = jobs() if len(renders) >= PARALLEL_FROM else 1
    if count < 2:
        return [render() for render in renders]

    def share(index: int) -> list[tuple[str, str]]:
        return [render() for render in renders[index::count]]

    shares = forked(share, count, count)
    if shares is None:
        return [render() for render in renders]
    return [shares[index % count][index // count] for index in range(len(renders))]


# -- the front page ----------------------------------------------------------------------


def _index(
    periods: Sequence[timeline.Quarter],
    totals: str,
    sections: dict[str, list[Page]],
    findings: Sequence[Diagnostic],
    words: Labels,
    drawn: _Charts,
) -> str:
    env = _env()
    quarters = []
    for period in periods:
        rows = period.rows
        shown = rows[:MAX_ROWS]
        index = {row: n for n, row in enumerate(shown)}
        ticks = [
            (day, _short(day, words.locale))
            for day in charts.every_other_monday(period.first, period.last)
        ]
        legend_kinds = {e.kind for e in period.entries if e.row in index}
        closed_shown = [
            (index[row], c) for c in period.closed for row in shown if row[0] == c.row[0]
        ]
        legend_kinds |= {c.kind for _, c in closed_shown}
        spec = charts.Timeline(
            title=words(_("Quarter {quarter}"), quarter=period.name),
            first=period.first,
            last=period.last,
            rows=[_row_label(row) for row in shown],
            spans=[
                charts.Span(index[e.row], e.first, e.last, e.kind)
                for e in period.entries
                if e.row in index and e.kind in timeline.SPANS
            ],
            marks=[
                charts.Mark(index[e.row], e.first, e.kind)
                for e in period.entries
                if e.row in index and e.kind not in timeline.SPANS
            ],
            blackouts=[
                charts.Span(row, c.first, c.last, "blackout")
                for row, c in closed_shown
                if c.kind == "blackout"
            ],
            holidays=[
                charts.Mark(row, c.first, "holiday")
                for row, c in closed_shown
                if c.kind == "holiday"
            ],
            ticks=ticks,
            legend={k: words(v) for k, v in timeline.KINDS.items() if k in legend_kinds},
        )
        image = drawn.draw(f"timeline-{period.name}.svg", spec, charts.timeline)
        entries = [
            {
                "dates": _dates(e.first, e.last, words.locale),
                "audience": e.row[0] or words(_("no audience")),
                "name": e.row[1],
                "id": e.row[2],
                "kind": words(timeline.KINDS[e.kind]),
                "what": e.what,
            }
            for e in period.entries
        ]
        closed = [
            {
                "dates": _dates(c.first, c.last, words.locale),
                "audience": c.row[0] or words(_("no audience")),
                "kind": words(timeline.KINDS[c.kind]),
                "what": c.what,
            }
            for c in period.closed
        ]
        more = ""
        if len(rows) > len(shown):
            more = words(
                _("The chart shows {shown} of {rows} rows; the table lists every entry."),
                shown=words.number(len(shown)),
                rows=words.number(len(rows)),
            )
        quarters.append(
            {
                "name": period.name,
                "title": spec.title,
                "image": image,
                "alt": words(
                    _("Timeline of {quarter}: {entries} by audience, from {first} to {last}."),
                    quarter=period.name,
                    entries=words.count(len(period.entries), _("{n} entry"), _("{n} entries")),
                    first=_dates(period.first, period.first, words.locale),
                    last=_dates(period.last, period.last, words.locale),
                ),
                "more": more,
                "entries": entries,
                "closed": closed,
            }
        )
    counts = {
        "errors": 0,
        "warnings": sum(d.severity is Severity.WARNING for d in findings),
        "infos": sum(d.severity is Severity.INFO for d in findings),
    }
    values = {
        "t": _words(words),
        "title": words(_("The quarter at a glance")),
        "quarters": quarters,
        "totals": totals,
        "sections": [
            (words(SECTIONS[key][1]), [(p.path, p.title) for p in pages])
            for key, pages in sections.items()
            if pages
        ],
        "findings": words.count(len(findings), _("{n} open finding"), _("{n} open findings")),
        "counts": counts,
    }
    # every value the page is rendered from is plain data (text, numbers, lists, dicts):
    # its repr names them all, so the page is kept under it (rendering the table of a
    # thousand entries costs more than writing that repr)
    return drawn.page(
        ("index.html", repr(sorted(values.items()))),
        lambda: ("", env.get_template("index.html").render(**values)),
    )[1]


def _row_label(row: tuple[str, str, str]) -> str:
    """A chart row's label: audience and name, a long one cut in its middle so that rows
    differing only at the end stay apart."""
    audience, name, _spec = row
    label = f"{audience} · {name}" if audience else name
    return label if len(label) <= 48 else label[:30] + "…" + label[-17:]


@cache
def _short(day: date, locale: str) -> str:
    from babel.dates import format_date

    return str(format_date(day, "d MMM", locale=locale))


@cache  # a quarter's thousands of entries share a few hundred dates
def _dates(first: date, last: date, locale: str) -> str:
    from babel.dates import format_date

    start = str(format_date(first, "medium", locale=locale))
    if first == last:
        return start
    return f"{start} \u2013 {format_date(last, 'medium', locale=locale)}"


# -- the budget --------------------------------------------------------------------------


def _budget(repo: Repository, words: Labels, drawn: _Charts) -> tuple[str, str]:
    """The budget page's body and the front page's totals (empty without budgets)."""
    budgets = plans(repo)
    if not budgets:
        return "", ""
    policy = repo.policy.budget
    env = _env()
    currencies = []
    for currency in sorted({p.budget.currency for p in budgets}):
        chosen = [p for p in budgets if p.budget.currency == currency]
        every = [line for p in chosen for line in p.every_line]
        spent = [line for p in chosen for line in p.lines]
        places = minor_unit(currency)

        money = functools.partial(_money, words, currency, places)
        exact = functools.partial(_exact, places)

        channels = totals(every, lambda line: line.channel)
        months = totals(every, lambda line: line.month)
        domains = totals(every, lambda line: line.domain)
        quarters: list[_Capped] = []
        for period, amount in totals(spent, lambda line: quarter(line.month)):
            cap = policy.quarterly_caps.get(currency)
            quarters.append(_Capped("", period, amount, cap, money))
        domain_quarters: list[_Capped] = []
        for (domain, period), amount in _pairs(spent):
            cap = policy.domain_caps.get(domain, {}).get(currency)
            if cap is None:
                continue
            domain_quarters.append(_Capped(domain, period, amount, cap, money))
        total = sum((line.amount for line in every), Decimal(0))
        month_names = [m for m, _ in months]
        by_channel = [c for c, _ in channels]
        per_month = charts.Bars(
            title=words(_("Spend per month and channel ({currency})"), currency=currency),
            categories=[words.month(date.fromisoformat(m + "-01")) for m in month_names],
            series=[
                (
                    _channel(channel, words),
                    [
                        float(
                            sum(
                                (
                                    line.amount
                                    for line in every
                                    if line.channel == channel and line.month == m
                                ),
                                Decimal(0),
                            )
                        )
                        for m in month_names
                    ],
                )
                for channel in by_channel
            ],
            value_label=currency,
        )
        per_quarter = charts.Bars(
            title=words(
                _("Channel spend per quarter against the cap ({currency})")
                if any(q.cap is not None for q in quarters)
                else _("Channel spend per quarter ({currency})"),
                currency=currency,
            ),
            categories=[q.quarter for q in quarters],
            series=[(words(_("Spend")), [float(q.amount) for q in quarters])],
            caps=[q.limit for q in quarters],
            cap_label=words(_("Quarterly cap")),
            value_label=currency,
        )
        per_domain = charts.Bars(
            title=words(_("Spend per domain ({currency})"), currency=currency),
            categories=[d for d, _ in domains],
            series=[(words(_("Spend")), [float(v) for _, v in domains])],
            value_label=currency,
        )
        images = [
            (
                drawn.draw(f"budget-{currency}-months.svg", per_month, charts.bars),
                words(
                    _(
                        "Bar chart of the spend per month, stacked by channel, in {currency};"
                        " the table below has the figures."
                    ),
                    currency=currency,
                ),
            ),
            (
                drawn.draw(
                    f"budget-{currency}-quarters.svg",
                    per_quarter,
                    charts.bars,
                ),
                words(
                    _(
                        "Bar chart of the channels' spend per quarter with the quarterly cap,"
                        " in {currency};"
                        " the table below has the figures."
                    ),
                    currency=currency,
                ),
            ),
            (
                drawn.draw(
                    f"budget-{currency}-domains.svg",
                    per_domain,
                    charts.bars,
                ),
                words(
                    _(
                        "Bar chart of the spend per domain, in {currency};"
                        " the table below has the figures."
                    ),
                    currency=currency,
                ),
            ),
        ]
        if domain_quarters:
            per_domain_cap = charts.Bars(
                title=words(
                    _("Domain spend per quarter against its cap ({currency})"), currency=currency
                ),
                categories=[f"{d.domain} {d.quarter}" for d in domain_quarters],
                series=[(words(_("Spend")), [float(d.amount) for d in domain_quarters])],
                caps=[d.limit for d in domain_quarters],
                cap_label=words(_("Domain cap")),
                value_label=currency,
            )
            images.append(
                (
                    drawn.draw(
                        f"budget-{currency}-domain-caps.svg",
                        per_domain_cap,
                        charts.bars,
                    ),
                    words(
                        _(
                            "Bar chart of each capped domain's spend per quarter with its cap,"
                            " in {currency};"
                            " the table below has the figures."
                        ),
                        currency=currency,
                    ),
                )
            )
        currencies.append(
            {
                "code": currency,
                "total": money(total),
                "value": exact(total),
                "campaigns": words.count(len(chosen), _("{n} campaign"), _("{n} campaigns")),
                "channels": [(c, _channel(c, words), money(v), exact(v)) for c, v in channels],
                "months": [
                    (m, words.month(date.fromisoformat(m + "-01")), money(v), exact(v))
                    for m, v in months
                ],
                "domains": [(d, money(v)) for d, v in domains],
                "quarters": quarters,
                "domain_quarters": domain_quarters,
                "images": images,
            }
        )
    t = _words(words)
    body = env.get_template("budget.html").render(
        t=t, currencies=currencies, title=words(_("Budget"))
    )
    front = env.get_template("totals.html").render(t=t, currencies=currencies)
    return body, front


@dataclass(frozen=True)
class _Capped:
    """A quarter's spend (of a domain, or of every campaign) and its cap, if one is set."""

    domain: str
    quarter: str
    amount: Decimal
    cap: Decimal | None
    money: Callable[[Decimal], str]

    @property
    def spend(self) -> str:
        """The spend, written."""
        return self.money(self.amount)

    @property
    def shown_cap(self) -> str:
        """The cap, written (a dash for none)."""
        return "—" if self.cap is None else self.money(self.cap)

    @property
    def headroom(self) -> str:
        """What is left under the cap (negative when over), written."""
        return "—" if self.cap is None else self.money(self.cap - self.amount)

    @property
    def over(self) -> bool:
        """Whether the spend is over the cap."""
        return self.cap is not None and self.amount > self.cap

    @property
    def limit(self) -> float | None:
        """The cap as a chart's number."""
        return None if self.cap is None else float(self.cap)


def _money(words: Labels, currency: str, places: int, value: Decimal) -> str:
    return words.money(currency, value, places)


def _exact(places: int, value: Decimal) -> str:
    """An amount as the budget CSV writes it (the DOM's `value`)."""
    return f"{value:.{places}f}"


def _pairs(lines: Sequence[Line]) -> list[tuple[tuple[str, str], Decimal]]:
    found: dict[tuple[str, str], Decimal] = {}
    for line in lines:
        key = (line.domain, quarter(line.month))
        found[key] = found.get(key, Decimal(0)) + line.amount
    return sorted(found.items())


def _channel(channel: str, words: Labels) -> str:
    return words(_("contingency")) if channel == CONTINGENCY else channel


# -- findings ----------------------------------------------------------------------------


def _findings(findings: Sequence[Diagnostic], words: Labels) -> str:
    rows = [
        {
            "where": d.location(),
            "code": d.code,
            "severity": words(_SEVERITY[d.severity]),
            "message": _ticked(d.message),
            "hint": _ticked(d.hint),
        }
        for d in findings
    ]
    return (
        _env()
        .get_template("findings.html")
        .render(t=_words(words), rows=rows, title=words(_("Open findings")))
    )


def _ticked(text: str) -> Markup:
    """A finding's text as HTML: escaped, its `code` spans (the way findings quote
    values) as `<code>` elements."""
    parts = text.split("`")
    if len(parts) % 2 == 0:  # an unpaired tick: all of it as text
        return Markup(escape(text))
    return Markup("").join(
        Markup("<code>{}</code>").format(part) if index % 2 else escape(part)
        for index, part in enumerate(parts)
    )


_SEVERITY = {
    Severity.ERROR: _("error"),
    Severity.WARNING: _("warning"),
    Severity.INFO: _("info"),
}


# -- the pages made from the Markdown pages ----------------------------------------------


def _sections(
    artifacts: Sequence[Artifact], words: Labels, drawn: _Charts
) -> dict[str, list[Page]]:
    """Each section's pages, one per Markdown page of its outputs folder (a scoring
    model's page opens with its backtest's deciles as a chart)."""
    by_path = {a.path: a for a in artifacts}
    shown = frozenset(  # the pages a link can lead to on the site (`_relink`)
        path
        for path in by_path
        if posixpath.dirname(path) in {source for source, _ in SECTIONS.values()}
        and path.endswith(".md")
    )
    pages: dict[str, list[Page]] = {key: [] for key in SECTIONS}
    table = words(_FRAME["table"])
    links = "\n".join(sorted(shown))  # in every page's key: joined once, not per page
    listed: list[tuple[str, str, str]] = []  # section, outputs page, its text
    for key, (source, _title) in SECTIONS.items():
        for path in sorted(by_path):
            folder, name = posixpath.split(path)
            if folder != source or not name.endswith(".md") or name == "README.md":
                continue
            listed.append((key, path, by_path[path].content.decode("utf-8")))
    rendered = drawn.pages(
        [
            ((path, text, table, links), functools.partial(_markdown, text, path, shown, table))
            for _key, path, text in listed
        ]
    )
    for (key, path, text), (title, body) in zip(listed, rendered, strict=True):
        source = SECTIONS[key][0]
        name = posixpath.basename(path)
        backtest = by_path.get(f"{source}/{name[:-3]}.backtest.json")
        if key == "scoring" and backtest is not None:
            chart = _deciles(name[:-3], backtest.content, words, drawn)
            heading = f"<h2>{escape(words(_BACKTEST).removeprefix('## '))}</h2>\n"
            at = body.find(heading)
            at = len(body) if at < 0 else at + len(heading)
            body = body[:at] + chart + body[at:]
        made_from = by_path[path].sources + (backtest.sources if backtest else ())
        pages[key].append(
            Page(
                f"{key}/{name[:-3]}.html",
                title or name[:-3],
                body,
                "```mermaid" in text,
                tuple(sorted(set(made_from))),
            )
        )
    return pages


def _markdown(text: str, path: str, outputs: frozenset[str], table: str) -> tuple[str, str]:
    """A Markdown page as the page title (its first heading's text) and its HTML; links
    to other outputs point at them (or at their site page)."""
    parser = _parser()
    tokens = parser.parse(text)
    title = ""
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h1" and index + 1 < len(tokens):
            inline = tokens[index + 1]
            title = "".join(child.content for child in inline.children or [])
            break
    folder = posixpath.dirname(path)
    for token in tokens:
        for child in token.children or []:
            if child.type == "link_open":
                href = str(child.attrGet("href") or "")
                child.attrSet("href", _relink(href, folder, outputs))
    html = parser.renderer.render(tokens, parser.options, {"table": table})
    return title, html


def _relink(href: str, folder: str, outputs: frozenset[str]) -> str:
    """A relative link of an outputs page, from the site page that shows it (one folder
    below `site/`): another shown page's site page, or the output file itself."""
    if not href or ":" in href.split("/", 1)[0] or href.startswith(("#", "/")):
        return href
    target, _hash, anchor = href.partition("#")
    resolved = posixpath.normpath(posixpath.join(folder, target))
    for key, (source, _title) in SECTIONS.items():
        head, name = posixpath.split(resolved)
        if head == source and name.endswith(".md") and resolved in outputs:
            new = f"../{key}/{name[:-3]}.html"
            return new + ("#" + anchor if anchor else "")
    return "../../" + resolved + ("#" + anchor if anchor else "")


@cache
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark", {"html": False}).enable("table")

    def fence(renderer: Any, tokens: Any, index: int, options: Any, env: Any) -> str:
        token = tokens[index]
        if token.info.strip() == "mermaid":
            return f'<pre class="mermaid">{escape(token.content)}</pre>\n'
        return f"<pre><code>{escape(token.content)}</code></pre>\n"

    def table_open(renderer: Any, tokens: Any, index: int, options: Any, env: Any) -> str:
        label = escape(env.get("table", ""))
        return f'<div class="table" role="region" tabindex="0" aria-label="{label}">\n' + str(
            renderer.renderToken(tokens, index, options, env)
        )

    def table_close(renderer: Any, tokens: Any, index: int, options: Any, env: Any) -> str:
        return str(renderer.renderToken(tokens, index, options, env)) + "</div>\n"

    parser.add_render_rule("fence", fence)
    parser.add_render_rule("table_open", table_open)
    parser.add_render_rule("table_close", table_close)
    return parser


# -- the frame -----------------------------------------------------------------------------


def _nav(budget: bool, sections: dict[str, list[Page]], words: Labels) -> list[tuple[str, str]]:
    links = [("index.html", words(_("Overview")))]
    if budget:
        links.append(("budget.html", words(_("Budget"))))
    for key, pages in sections.items():
        if pages:
            links.append((f"{key}/index.html", words(SECTIONS[key][1])))
    links.append(("findings.html", words(_("Findings"))))
    return links


def _render(page: Page, nav: list[tuple[str, str]], words: Labels) -> str:
    depth = page.path.count("/")
    root = "../" * depth
    return (
        _env()
        .get_template("page.html")
        .render(
            t=_words(words),
            lang=words.locale,
            title=page.title,
            body=page.body,
            root=root,
            nav=[(root + href, name, href == page.path) for href, name in nav],
            flows=page.flows,
        )
    )


def _words(words: Labels) -> dict[str, str]:
    """The frame's and the tables' words in the locale, for the templates."""
    return {key: words(message) for key, message in _FRAME.items()}


_FRAME = {
    "site": _("Campaigns"),
    "skip": _("Skip to the content"),
    "generated": _("Generated by campc build from the specs; do not edit."),
    "navigation": _("Sections"),
    "totals": _("Budget totals"),
    "currency": _("Currency"),
    "total": _("Total"),
    "channel": _("Channel"),
    "month": _("Month"),
    "domain": _("Domain"),
    "quarter": _("Quarter"),
    "spend": _("Spend"),
    "cap": _("Cap"),
    "headroom": _("Headroom"),
    "over": _("over the cap"),
    "dates": _("Dates"),
    "audience": _("Audience"),
    "name": _("Spec"),
    "kind": _("What"),
    "what": _("Details"),
    "entries": _("Every entry of the quarter"),
    "closed": _("Closed days"),
    "where": _("Where"),
    "code": _("Code"),
    "severity": _("Severity"),
    "message": _("Message"),
    "hint": _("Hint"),
    "none": _("No open findings: the check is clean."),
    "pages": _("Pages"),
    "by_channel": _("By channel"),
    "by_month": _("By month"),
    "by_domain": _("By domain"),
    "by_quarter": _("By quarter, against the caps"),
    "by_domain_quarter": _("By domain and quarter, against the domain caps"),
    "empty": _("Nothing is scheduled yet."),
    "table": _("Table (scrolls sideways on a narrow screen)"),
}


@cache
def _env() -> Environment:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    return Environment(
        loader=PackageLoader("compiler.backends.site", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def section_index(key: str, pages: Sequence[Page], words: Labels) -> Page:
    """A section's own index page: its pages' titles, linked."""
    body = (
        _env()
        .get_template("section.html")
        .render(
            t=_words(words),
            title=words(SECTIONS[key][1]),
            pages=[(posixpath.basename(p.path), p.title) for p in pages],
        )
    )
    made_from = {source for page in pages for source in page.sources or ()}
    return Page(
        f"{key}/index.html", words(SECTIONS[key][1]), body, sources=tuple(sorted(made_from))
    )


_BACKTEST = "## Backtest"
"""The scoring page's heading its decile chart goes under (the scoring back-end's
message, so each locale's translation finds it)."""


def _deciles(model: str, content: bytes, words: Labels, drawn: _Charts) -> str:
    """A scoring model's backtest as a chart of conversion by score decile (the page's
    own backtest section has the table)."""
    data: dict[str, Any] = json.loads(content)
    deciles = data.get("deciles") or []
    if not deciles:
        return ""
    spec = charts.Bars(
        title=words(_("Won share by score decile (1 = highest scores)")),
        categories=[str(d["decile"]) for d in deciles],
        series=[(words(_("Won")), [100 * float(d["conversion"]) for d in deciles])],
        value_label="%",
    )
    image = drawn.draw(f"scoring-{model}-deciles.svg", spec, charts.bars)
    alt = words(
        _("Bar chart of the share of leads won in each score decile; AUC {auc}."),
        auc=words.number(round(float(data["auc"]), 3))
        if isinstance(data.get("auc"), int | float)
        else "—",
    )
    return _env().get_template("figure.html").render(src="../" + image, alt=alt)
