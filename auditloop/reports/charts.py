"""Charts drawn on the server with matplotlib: SVG for pages and PDF, PNG for Word.

Every chart sits beside its figures as a table, so a chart is a picture of the table for those
who would rather look than read: its SVG is marked decorative-with-title for screen readers
(the table is what they read). Charts use the GOV.UK colour palette, distinguish series by
pattern as well as colour, draw suppressed figures as gaps, and are deterministic (the same
figures give the same bytes, so an issued review can be rebuilt and compared).
"""

from __future__ import annotations

import io
import re
import textwrap
import threading
from collections import OrderedDict

import matplotlib

matplotlib.use("Agg")

from matplotlib import pyplot as plt
from matplotlib.figure import Figure

from auditloop.reports.blocks import Chart, ChartKind

# GOV.UK Design System colours, in an order that stays distinct for common colour blindness.
COLOURS = ["#1d70b8", "#f47738", "#00703c", "#d4351c", "#4c2c92", "#505a5f", "#b58840"]
HATCHES = ["", "//", "\\\\", "xx", "--", "||", "++"]
MARKERS = ["o", "s", "^", "D", "v", "P", "X"]
LABEL_WIDTH = 48
LEGEND_GAP_INCHES = 0.55

# pyplot's state is global; one chart is drawn at a time (charts take milliseconds).
_LOCK = threading.Lock()

matplotlib.rcParams.update(
    {
        "font.family": "sans-serif",
        "font.sans-serif": ["Liberation Sans", "Arial", "DejaVu Sans"],
        "font.size": 10,
        "svg.hashsalt": "auditloop",
        "svg.fonttype": "none",
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
)


# One colour per meaning, whatever chart it is in: grades as Ofsted colours them (greens for
# Outstanding and Good, amber for Requires improvement, red for Inadequate), red for what went
# wrong (overdue, worse, lowered), green for what went right (done, improved), blue for what is
# still to come. Checked in order: the first word found in a series' name decides.
MEANINGS = [
    ("inadequate", "#d4351c"),
    ("requires improvement", "#f47738"),
    ("outstanding", "#005a30"),
    ("good", "#85994b"),
    ("overdue", "#d4351c"),
    ("worse", "#d4351c"),
    ("lowered", "#d4351c"),
    ("not done", "#1d70b8"),
    ("improved", "#00703c"),
    ("raised", "#00703c"),
    ("done", "#00703c"),
    ("not yet", "#1d70b8"),
    ("due", "#1d70b8"),
    ("the same", "#505a5f"),
    ("unchanged", "#505a5f"),
]
TARGET_PREFIX = "target"


def series_colours(names: list[str]) -> list[str]:
    """Each series' colour: by its meaning where its name has one, else the next colour of the
    palette no series has taken. A target's line takes the colour of what it is a target for."""
    meant: list[str | None] = []
    for name in names:
        lower = name.lower()
        meant.append(next((colour for word, colour in MEANINGS if word in lower), None))
    spare = iter([c for c in COLOURS if c not in meant] + COLOURS)
    return [colour if colour is not None else next(spare) for colour in meant]


def _is_target(name: str) -> bool:
    return name.lower().startswith(TARGET_PREFIX)


def _draw(chart: Chart) -> Figure:
    # A long label (a compliance check's words) shortened, not run off the left edge or over
    # its neighbours: the table beside the chart has it whole.
    categories = [textwrap.shorten(c, LABEL_WIDTH, placeholder="…") for c in chart.categories]
    n = len(categories)
    height = 3.2 if chart.kind is ChartKind.LINE else max(2.2, 0.45 * n + 1.2)
    fig = plt.figure(figsize=(7.5, height))
    ax = fig.add_subplot(1, 1, 1)
    colours = series_colours([series.name for series in chart.series])
    if chart.kind is ChartKind.STACKED:
        left = [0.0] * n
        for i, series in enumerate(chart.series):
            values = [v if v is not None else 0.0 for v in series.values]
            ax.barh(
                range(n),
                values,
                left=left,
                color=colours[i],
                hatch=HATCHES[i % len(HATCHES)],
                edgecolor="white",
                label=series.name,
            )
            left = [a + b for a, b in zip(left, values, strict=True)]
        ax.set_yticks(range(n), categories)
        ax.invert_yaxis()
        if chart.unit == "%":
            ax.set_xlim(0, 100)
        ax.set_xlabel(_axis_words(chart))
    elif chart.kind is ChartKind.BARS:
        count = max(1, len(chart.series))
        width = 0.8 / count
        for i, series in enumerate(chart.series):
            positions = [c + (i - (count - 1) / 2) * width for c in range(n)]
            shown = [(p, v) for p, v in zip(positions, series.values, strict=True) if v is not None]
            ax.barh(
                [p for p, _ in shown],
                [v for _, v in shown],
                height=width,
                color=colours[i],
                hatch=HATCHES[i % len(HATCHES)],
                edgecolor="white",
                label=series.name,
            )
        ax.set_yticks(range(n), categories)
        ax.invert_yaxis()
        if chart.unit == "%":
            ax.set_xlim(0, 100)
        ax.set_xlabel(_axis_words(chart))
        if chart.target is not None:
            ax.axvline(
                chart.target,
                color="#0b0c0c",
                linestyle="--",
                linewidth=1.2,
                label=chart.target_label or "Target",
            )
    else:
        for i, series in enumerate(chart.series):
            target = _is_target(series.name)
            ax.plot(
                range(n),
                [v if v is not None else float("nan") for v in series.values],
                color=colours[i],
                marker="" if target else MARKERS[i % len(MARKERS)],
                linestyle="--" if target else "-",
                linewidth=1.2 if target else 1.8,
                label=series.name,
            )
        ax.set_xticks(range(n), categories)
        if chart.unit == "%":
            ax.set_ylim(0, 100)
        ax.set_ylabel(_axis_words(chart))
        if chart.target is not None:
            ax.axhline(
                chart.target,
                color="#0b0c0c",
                linestyle="--",
                linewidth=1.2,
                label=chart.target_label or "Target",
            )
    fig.tight_layout()
    if len(chart.series) > 1 or chart.target is not None:
        # Below the axis and its words at the same distance however tall the chart: a share
        # of the axes' height put it over the axis's words on a chart of one or two bars.
        axes_inches = ax.get_position().height * fig.get_figheight()
        ax.legend(
            loc="upper center",
            bbox_to_anchor=(0.5, -LEGEND_GAP_INCHES / axes_inches),
            ncol=min(4, len(chart.series) + 1),
            frameon=False,
            fontsize=9,
        )
    return fig


def _axis_words(chart: Chart) -> str:
    return "Share of audits (%)" if chart.unit == "%" else "Number"


def _save(chart: Chart, fmt: str) -> bytes:
    # Keyed by the chart's whole description (its figures, words and kind): the same figures
    # give the same picture, so a dashboard read again, or the same figures in a review, is
    # not drawn again. Drawing is most of a dashboard page's time.
    key = (repr(chart), fmt)
    with _CACHE_LOCK:
        found = _CACHE.get(key)
        if found is not None:
            _CACHE.move_to_end(key)
            return found
    drawn = _draw_bytes(chart, fmt)
    with _CACHE_LOCK:
        _CACHE[key] = drawn
        while len(_CACHE) > CACHED_CHARTS:
            _CACHE.popitem(last=False)
    return drawn


def clear_drawn_charts() -> None:
    """Forget every chart drawn (for a benchmark of drawing them)."""
    with _CACHE_LOCK:
        _CACHE.clear()


CACHED_CHARTS = 512
_CACHE: OrderedDict[tuple[str, str], bytes] = OrderedDict()
_CACHE_LOCK = threading.Lock()


def _draw_bytes(chart: Chart, fmt: str) -> bytes:
    with _LOCK:
        fig = _draw(chart)
        out = io.BytesIO()
        metadata: dict[str, str | None] = (
            {"Date": None, "Creator": None} if fmt == "svg" else {"Software": None}
        )
        # Tight: the legend below the axes and the longest label are inside the picture.
        fig.savefig(out, format=fmt, dpi=150, metadata=metadata, bbox_inches="tight")
        plt.close(fig)
    return out.getvalue()


_SVG_START = re.compile(rb"^.*?(<svg\b)", re.S)


def chart_svg(chart: Chart) -> str:
    """The chart as an SVG element to put in a page or a PDF, with a title, hidden from screen
    readers (its figures are in the table beside it)."""
    data = _SVG_START.sub(rb"\1", _save(chart, "svg"), count=1)
    svg = data.decode("utf-8")
    return svg.replace(
        "<svg ",
        '<svg class="app-chart" role="img" aria-hidden="true" focusable="false" ',
        1,
    )


def chart_png(chart: Chart) -> bytes:
    """The chart as a PNG, for Word."""
    return _save(chart, "png")
