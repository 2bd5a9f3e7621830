"""Charts as inline SVG, drawn here so a report needs no script, font or network to show them.

Colours come from the page's CSS classes (s0..s7, bar, axis), so one chart follows the
light or dark scheme and prints in black and white. Every chart names itself for screen
readers; the page puts a table with the same numbers next to it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from markupsafe import Markup, escape

SERIES_CLASSES = 8  # s0..s7 in report.css; more series reuse them in turn
WIDTH = 720


def nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5 x 10^k that is at least `value`: a y-axis top with round ticks."""
    if value <= 1:
        return 1
    power: int = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)


def stacked_bars(
    labels: Sequence[str], series: Sequence[tuple[str, Sequence[int]]], title: str, chart_id: str
) -> Markup:
    """Vertical bars, one per label, each split into the series' values (e.g. weeks x checklists)."""
    height, left, bottom, top_pad = 240, 44, 34, 10
    plot_w, plot_h = WIDTH - left - 8, height - bottom - top_pad
    totals = [sum(values[i] for _, values in series) for i in range(len(labels))]
    top = nice_ceiling(max(totals, default=0))
    slot = plot_w / max(1, len(labels))
    bar_w = min(56.0, max(1.0, slot * 0.8))  # one week alone is a bar, not a wall
    every = max(1, math.ceil(len(labels) / 12))  # at most a dozen x labels stay readable
    parts = []
    for tick in range(0, top + 1, max(1, top // 4)):
        y = top_pad + plot_h - plot_h * tick / top
        parts.append(
            f'<line class="grid" x1="{left}" x2="{WIDTH - 8}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="tick" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{tick}</text>'
        )
    for i, label in enumerate(labels):
        x = left + slot * i + (slot - bar_w) / 2
        base = float(top_pad + plot_h)
        for number, (name, values) in enumerate(series):
            if not values[i]:
                continue
            h = plot_h * values[i] / top
            base -= h
            parts.append(
                f'<rect class="s{number % SERIES_CLASSES}" x="{x:.1f}" y="{base:.1f}" '
                f'width="{bar_w:.1f}" height="{h:.1f}"><title>{escape(label)}: {escape(name)} '
                f"{values[i]}</title></rect>"
            )
        if i % every == 0:
            parts.append(
                f'<text class="tick" x="{x + bar_w / 2:.1f}" y="{height - bottom + 16}" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    parts.append(
        f'<line class="axis" x1="{left}" x2="{WIDTH - 8}" y1="{top_pad + plot_h}" y2="{top_pad + plot_h}"/>'
    )
    return _svg(chart_id, title, height, parts)


def horizontal_bars(rows: Sequence[tuple[str, int]], title: str, chart_id: str) -> Markup:
    """One labelled bar per row, longest first as given (e.g. reviews per person)."""
    row_h, label_w = 24, 200
    height = max(1, len(rows)) * row_h + 8
    top = nice_ceiling(max((value for _, value in rows), default=0))
    plot_w = WIDTH - label_w - 56
    parts = []
    for i, (label, value) in enumerate(rows):
        y = 4 + i * row_h
        shown = label if len(label) <= 28 else label[:27] + "…"
        w = plot_w * value / top
        parts.append(
            f'<text class="label" x="{label_w - 8}" y="{y + 16}" text-anchor="end">{escape(shown)}</text>'
            f'<rect class="bar" x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 8}">'
            f"<title>{escape(label)}: {value}</title></rect>"
            f'<text class="tick" x="{label_w + w + 6:.1f}" y="{y + 16}">{value}</text>'
        )
    return _svg(chart_id, title, height, parts)


def _svg(chart_id: str, title: str, height: int, parts: list[str]) -> Markup:
    """The chart's drawing `parts` in an SVG element that names it."""
    return Markup(
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="{chart_id}-title" '
        f'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-title">{escape(title)}</title>{"".join(parts)}</svg>'
    )
