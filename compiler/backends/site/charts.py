"""The site's charts: matplotlib figures saved as SVG at build time, byte-identical on any
machine. What makes them so: matplotlib's defaults (never a `matplotlibrc` of the machine
or of the working directory, which a pull request could commit), the DejaVu Sans that
matplotlib ships (text drawn as paths: no system font is looked up or needed to view),
a fixed `svg.hashsalt` for the ids and no date in the metadata.

Each chart is a picture of a table the page also shows (its `alt` says what it plots):
the numbers a reader or a test checks are in the HTML, never only in the SVG."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

WIDTH = 10.0
"""Inches at 96 dpi: 960 px, scaled down to the page's width by CSS."""
PALETTE = ("#1f5fa8", "#c2571a", "#2e7d32", "#7b3fa0", "#8a6d00", "#00838f", "#ad1457", "#4e5b6e")
"""Colour-blind-safe enough and dark enough for white text-free bars on white."""
CAP = "#b00020"
"""The colour of a cap's line."""


@cache
def _font() -> Any:
    from matplotlib import font_manager, get_data_path

    path = Path(get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    return font_manager.FontProperties(fname=str(path), size=9)


def _settings() -> Any:
    import matplotlib

    settings: dict[str, Any] = {str(k): v for k, v in matplotlib.rcParamsDefault.items()}
    settings.pop("backend", None)
    settings.update(
        {
            "svg.hashsalt": "campc",
            "svg.fonttype": "path",
            "text.parse_math": False,  # a `$` in a spec's name is a dollar, not TeX
            "path.simplify": False,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.edgecolor": "#4e5b6e",
            "xtick.color": "#333333",
            "ytick.color": "#333333",
            "axes.titlesize": 11,
        }
    )
    return settings


def _svg(figure: Figure) -> bytes:
    """The figure as SVG, every text in the bundled font, no date or creator."""
    from matplotlib.text import Text

    font = _font()
    for text in figure.findobj(Text):
        assert isinstance(text, Text)
        size = text.get_fontsize()
        text.set_fontproperties(font)
        text.set_fontsize(size)
    out = io.BytesIO()
    figure.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    return out.getvalue().replace(b"\r\n", b"\n")


def _figure(height: float) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(WIDTH, height), dpi=96, layout="constrained")


def _with_defaults(draw: Any) -> bytes:
    import matplotlib

    with matplotlib.rc_context(_settings()):
        figure = draw()
        return _svg(figure)


# -- bars --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bars:
    """Bars of one series per group (stacked when `stacked`), with optional caps: one
    horizontal line per category (`caps[i]` for `categories[i]`, None for none)."""

    title: str
    categories: Sequence[str]
    series: Sequence[tuple[str, Sequence[float]]]
    stacked: bool = True
    caps: Sequence[float | None] = ()
    cap_label: str = ""
    value_label: str = ""


def bars(chart: Bars) -> bytes:
    """A vertical bar chart (a legend when there is more than one series)."""

    def draw() -> Figure:
        figure = _figure(3.6)
        axes = figure.add_subplot()
        positions = list(range(len(chart.categories)))
        count = len(chart.series)
        bottoms = [0.0] * len(positions)
        width = 0.7 if chart.stacked or count == 1 else 0.8 / count
        for index, (name, values) in enumerate(chart.series):
            colour = PALETTE[index % len(PALETTE)]
            if chart.stacked:
                axes.bar(positions, values, width, bottom=bottoms, label=name, color=colour)
                bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
            else:
                shifted = [p + (index - (count - 1) / 2) * width for p in positions]
                axes.bar(shifted, values, width, label=name, color=colour)
        drawn = False
        for position, cap in zip(positions, chart.caps, strict=False):
            if cap is None:
                continue
            label = chart.cap_label if not drawn else "_nolegend_"
            axes.hlines(cap, position - 0.45, position + 0.45, colors=CAP, linewidth=2, label=label)
            drawn = True
        axes.set_xticks(positions, list(chart.categories))
        _rotate_if_crowded(axes, chart.categories)
        axes.set_title(chart.title, loc="left")
        axes.set_ylabel(chart.value_label)
        axes.yaxis.set_major_formatter(_thousands())
        if count > 1 or drawn:
            axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
        return figure

    return _with_defaults(draw)


def _thousands() -> Any:
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda value, _: f"{value:,.0f}".replace(",", "\u2009"))


def _rotate_if_crowded(axes: Axes, categories: Sequence[str]) -> None:
    if sum(len(c) for c in categories) > 80:
        for label in axes.get_xticklabels():
            label.set_rotation(30)
            label.set_horizontalalignment("right")


# -- the timeline ------------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """A bar on a row: days `first` to `last`, included."""

    row: int
    first: date
    last: date
    kind: str


@dataclass(frozen=True)
class Mark:
    """A point on a row, on a day."""

    row: int
    day: date
    kind: str


@dataclass(frozen=True)
class Timeline:
    """One quarter: its rows (top first), bars and marks on them, the closed days of
    each row's audience (blackouts as bands, holidays as dotted lines), the ticks."""

    title: str
    first: date
    last: date
    rows: Sequence[str]
    spans: Sequence[Span]
    marks: Sequence[Mark]
    blackouts: Sequence[Span]
    holidays: Sequence[Mark]
    ticks: Sequence[tuple[date, str]]
    legend: dict[str, str]
    """kind -> its name in the legend (the kinds drawn, in legend order)."""


_SPAN_STYLE: dict[str, dict[str, Any]] = {
    "window": {"height": 0.6, "color": "#9ec5ee"},
    "experiment": {"height": 0.3, "color": "#c2571a"},
    "blackout": {"color": "#4e5b6e"},
}
_MARK_STYLE: dict[str, dict[str, Any]] = {
    "milestone": {"marker": "D", "color": "#000000", "s": 28},
    "send": {"marker": "v", "color": "#1f5fa8", "s": 36},
    "sequence-send": {"marker": "o", "color": "#2e7d32", "s": 14},
    "readout": {"marker": "*", "color": "#c2571a", "s": 60},
}


def timeline(chart: Timeline) -> bytes:
    """Rows of bars and marks over the quarter's days (a Gantt chart by audience)."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    def x(day: date) -> float:
        return float((day - chart.first).days)

    def draw() -> Figure:
        height = 1.4 + 0.28 * max(len(chart.rows), 1)
        figure = _figure(height)
        axes = figure.add_subplot()
        end = x(chart.last) + 1
        for closed in chart.blackouts:
            axes.barh(
                closed.row,
                x(closed.last) + 1 - x(closed.first),
                left=x(closed.first),
                height=1.0,
                color=_SPAN_STYLE["blackout"]["color"],
                alpha=0.18,
            )
        for mark in chart.holidays:
            axes.vlines(
                x(mark.day) + 0.5, mark.row - 0.5, mark.row + 0.5, colors=CAP, linestyles=":"
            )
        for span in chart.spans:
            style = _SPAN_STYLE[span.kind]
            axes.barh(
                span.row,
                x(span.last) + 1 - x(span.first),
                left=x(span.first),
                height=style["height"],
                color=style["color"],
            )
        for kind, style in _MARK_STYLE.items():
            mine = [m for m in chart.marks if m.kind == kind]
            if mine:
                axes.scatter(
                    [x(m.day) + 0.5 for m in mine],
                    [m.row for m in mine],
                    marker=style["marker"],
                    color=style["color"],
                    s=style["s"],
                    zorder=3,
                )
        axes.set_xlim(0, end)
        axes.set_ylim(len(chart.rows) - 0.5, -0.5)
        axes.set_yticks(range(len(chart.rows)), list(chart.rows))
        axes.set_xticks([x(day) for day, _ in chart.ticks], [label for _, label in chart.ticks])
        axes.grid(axis="x", color="#dddddd", linewidth=0.6)
        axes.set_axisbelow(True)
        handles: list[Any] = []
        for kind, name in chart.legend.items():
            if kind in _SPAN_STYLE:
                alpha = 0.18 if kind == "blackout" else 1.0
                handles.append(Patch(color=_SPAN_STYLE[kind]["color"], alpha=alpha, label=name))
            elif kind == "holiday":
                handles.append(Line2D([], [], color=CAP, linestyle=":", label=name))
            else:
                style = _MARK_STYLE[kind]
                handles.append(
                    Line2D(
                        [],
                        [],
                        marker=style["marker"],
                        color=style["color"],
                        linestyle="",
                        label=name,
                    )
                )
        if handles:
            axes.legend(
                handles=handles,
                loc="upper center",
                bbox_to_anchor=(0.5, -0.12 if len(chart.rows) > 3 else -0.3),
                ncols=min(len(handles), 3),
                frameon=False,
            )
        return figure

    return _with_defaults(draw)


def every_other_monday(first: date, last: date) -> list[date]:
    """Every other Monday from `first` to `last` (the timeline's ticks)."""
    day = first + timedelta(days=(7 - first.weekday()) % 7)
    found = []
    while day <= last:
        found.append(day)
        day += timedelta(days=14)
    return found
