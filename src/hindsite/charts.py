"""Inline SVG charts, drawn at build time: readable without JavaScript and in print.

Each function returns markup that is already escaped and safe to embed. The
theme colours them through CSS classes (`chart-bar`, `sev-…`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from html import escape

from markupsafe import Markup

_BAR = 18
_GAP = 6
_DOT_RADIUS = 6  # also the width of a time axis slot: dots closer than this cover each other
_DOT_RADIUS_MAX = 10


def bar_chart(pairs: Sequence[tuple[str, int]], title: str, *, label_width: int = 120, width: int = 400) -> Markup:
    """Horizontal bars, one per (label, count), with the count written at the end of each bar."""
    if not pairs:
        return Markup("")
    most = max(count for _, count in pairs) or 1
    room = width - label_width - 40
    height = len(pairs) * (_BAR + _GAP) + _GAP
    rows = []
    for n, (label, count) in enumerate(pairs):
        y = _GAP + n * (_BAR + _GAP)
        length = max(1, round(room * count / most)) if count else 0
        css = f"chart-bar {escape(_css_class(label))}"
        rows.append(
            f'<text x="{label_width - 8}" y="{y + _BAR - 5}" text-anchor="end" class="chart-label">{escape(_short(label))}</text>'
            f'<rect x="{label_width}" y="{y}" width="{length}" height="{_BAR}" class="{css}"><title>{escape(label)}: {count}</title></rect>'
            f'<text x="{label_width + length + 6}" y="{y + _BAR - 5}" class="chart-value">{count}</text>'
        )
    return _svg(title, width, height, "".join(rows))


def column_chart(pairs: Sequence[tuple[str, int]], title: str, *, width: int = 640, height: int = 180) -> Markup:
    """Vertical columns over time (months, quarters), labelled sparsely so they stay legible."""
    if not pairs:
        return Markup("")
    most = max(count for _, count in pairs) or 1
    plot_height = height - 36
    step = (width - 40) / len(pairs)
    every = max(1, math.ceil(len(pairs) / 12))
    parts = [f'<line x1="30" y1="{plot_height}" x2="{width - 4}" y2="{plot_height}" class="chart-axis"/>',
             f'<text x="26" y="12" text-anchor="end" class="chart-value">{most}</text>']
    for n, (label, count) in enumerate(pairs):
        x = 32 + n * step
        bar = (plot_height - 16) * count / most
        parts.append(
            f'<rect x="{x:.1f}" y="{plot_height - bar:.1f}" width="{max(1.0, step - 2):.1f}" height="{bar:.1f}" class="chart-bar">'
            f"<title>{escape(label)}: {count}</title></rect>"
        )
        if n % every == 0:
            parts.append(f'<text x="{x:.1f}" y="{plot_height + 14}" class="chart-label">{escape(label)}</text>')
    return _svg(title, width, height, "".join(parts))


def histogram(minutes: Sequence[int], title: str) -> Markup:
    """How many incidents fall in each band of minutes (≤15 min … > 1 day)."""
    bands = (("≤ 15 min", 15), ("≤ 30 min", 30), ("≤ 1 h", 60), ("≤ 2 h", 120), ("≤ 4 h", 240),
             ("≤ 8 h", 480), ("≤ 1 day", 1440), ("> 1 day", None))
    counts = []
    for n, (label, limit) in enumerate(bands):
        low = bands[n - 1][1] if n else -1
        counts.append((label, sum(1 for m in minutes if m > (low or -1) and (limit is None or m <= limit))))
    return bar_chart(counts, title, label_width=80) if minutes else Markup("")


def time_axis(points: Sequence[tuple[dt.date, str, str, str]], title: str, *, width: int = 640) -> Markup:
    """Incidents as dots on a time axis: (date, severity class, label, href relative to the page).

    Dots of one severity class whose centres fall in the same slot, one dot radius wide, would
    cover each other, so they are drawn as one unlinked dot titled with their count and date
    range. The chart thus has at most (slots × severity classes) dots however many incidents
    it shows. Dots come in the order their first incident was given; a lone incident's dot is
    linked and titled as it always was.
    """
    if not points:
        return Markup("")
    first = min(p[0] for p in points)
    last = max(p[0] for p in points)
    span = max(1, (last - first).days)
    left, right, axis_y = 16, width - 16, 44
    parts = [f'<line x1="{left}" y1="{axis_y}" x2="{right}" y2="{axis_y}" class="chart-axis"/>']
    for year in range(first.year, last.year + 2):
        tick = dt.date(year, 1, 1)
        if first <= tick <= last or year == first.year:
            x = left + (right - left) * max(0, (tick - first).days) / span
            parts.append(f'<text x="{x:.1f}" y="{axis_y + 18}" class="chart-label">{year}</text>')
    slots: dict[tuple[int, str], list[tuple[float, dt.date, str, str]]] = {}
    for day, severity, label, href in points:
        offset = (right - left) * (day - first).days / span
        slots.setdefault((int(offset // _DOT_RADIUS), severity), []).append((left + offset, day, label, href))
    parts.extend(_dot(dots, severity, axis_y - 12) for (_, severity), dots in slots.items())
    return _svg(title, width, 70, "".join(parts))


def _dot(dots: list[tuple[float, dt.date, str, str]], severity: str, cy: int) -> str:
    """One incident as a linked dot, or several that share a slot as one dot a little larger per doubling."""
    css = f"chart-dot {escape(_css_class(severity))}"
    if len(dots) == 1:
        x, day, label, href = dots[0]
        return (
            f'<a href="{escape(href)}"><circle cx="{x:.1f}" cy="{cy}" r="{_DOT_RADIUS}" class="{css}">'
            f"<title>{escape(day.isoformat())}: {escape(label)}</title></circle></a>"
        )
    x = sum(dot[0] for dot in dots) / len(dots)
    earliest = min(dot[1] for dot in dots)
    latest = max(dot[1] for dot in dots)
    days = earliest.isoformat() if earliest == latest else f"{earliest.isoformat()} – {latest.isoformat()}"
    radius = min(_DOT_RADIUS_MAX, _DOT_RADIUS + len(dots).bit_length() - 1)
    return (
        f'<circle cx="{x:.1f}" cy="{cy}" r="{radius}" class="{css}">'
        f"<title>{days}: {len(dots)} incidents</title></circle>"
    )


def _svg(title: str, width: int, height: int, body: str) -> Markup:
    label = escape(title)
    return Markup(
        f'<svg class="chart" role="img" aria-label="{label}" viewBox="0 0 {width} {height}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg"><title>{label}</title>{body}</svg>'
    )


def _css_class(label: str) -> str:
    return f"sev-{label}" if label.startswith("sev") else ""


def _short(label: str, limit: int = 22) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"
