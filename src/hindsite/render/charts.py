"""Charts drawn at build time: readable without JavaScript, in print, and at any width.

Each function returns markup that is already escaped and safe to embed. The
theme colours them through CSS classes (`chart-bar`, `sev-…`).

Their text keeps the size the theme gives it however wide the chart is drawn:
a bar chart is a table whose bars alone are SVG; columns over time and the time
axis are SVG without a viewBox, placed in percentages of their width, their text
in pixels. Axis labels are thinned so that none overlaps another or leaves the
chart: the labels kept for the narrowest chart (a 320 px phone) are always shown,
and those kept for a wide one too once the chart is that wide (`chart-label-wide`,
shown by a container query in the theme).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from html import escape

from markupsafe import Markup

_DOT_RADIUS = 6  # also the width of a time axis slot: dots closer than this cover each other
_DOT_RADIUS_MAX = 10
_SLOTS_WIDTH = 608  # the time axis merges dots as if it were this many pixels wide

# The theme draws chart text at 12 px (`.chart text`); a label's width is estimated from its length,
# generously (digits and capitals are wider than the average letter).
LABEL_CHAR_PX = 7.5
LABEL_GAP_PX = 8
# A chart's box has this much room on each side of its plot for labels to reach into (`.chart-box` padding).
LABEL_OVERHANG_PX = 28
# The plot of a chart on a 320 px screen, and of one whose box is 36rem (576 px) wide: see `.chart-box`.
NARROW_PLOT_PX = 220
WIDE_PLOT_PX = 576 - 2 * LABEL_OVERHANG_PX

_COLUMNS_HEIGHT = 180
_AXIS_HEIGHT = 70


def bar_chart(pairs: Sequence[tuple[str, int]], title: str) -> Markup:
    """Horizontal bars, one per (label, count), as a table: the label, then the bar with its count at its end.

    Labels are text of the page, so they keep their size on any screen; a long one is cut short by the theme
    (with its whole text in the page and in its tooltip).
    """
    if not pairs:
        return Markup("")
    most = max(count for _, count in pairs) or 1
    rows = []
    for label, count in pairs:
        name = escape(label)
        css = f"chart-bar {escape(_css_class(label))}".rstrip()
        bar = (
            f'<svg class="bar" width="{100 * count / most:.1f}%" height="16" aria-hidden="true" focusable="false">'
            f'<rect width="100%" height="100%" class="{css}"/></svg>'
            if count else ""
        )
        rows.append(
            f'<tr><th scope="row"><span class="name" title="{name}">{name}</span></th>'
            f'<td><span class="bar-line">{bar}<span class="chart-value">{count}</span></span></td></tr>'
        )
    return Markup(
        f'<table class="bar-chart"><caption class="visually-hidden">{escape(title)}</caption>'
        f'<tbody>{"".join(rows)}</tbody></table>'
    )


def column_chart(pairs: Sequence[tuple[str, int]], title: str) -> Markup:
    """Vertical columns over time (months, quarters), each titled with its count, labelled as far as they fit."""
    if not pairs:
        return Markup("")
    most = max(count for _, count in pairs) or 1
    axis_y = _COLUMNS_HEIGHT - 28
    tallest = axis_y - 20
    step = 100 / len(pairs)
    parts = [f'<line x1="0" y1="{axis_y}" x2="100%" y2="{axis_y}" class="chart-axis"/>',
             f'<text x="0" y="12" class="chart-value">{most}</text>']
    for n, (label, count) in enumerate(pairs):
        bar = tallest * count / most
        parts.append(
            f'<rect x="{n * step + step * 0.1:.3f}%" y="{axis_y - bar:.1f}" width="{step * 0.8:.3f}%" height="{bar:.1f}" '
            f'class="chart-bar"><title>{escape(label)}: {count}</title></rect>'
        )
    centres = [(n + 0.5) / len(pairs) for n in range(len(pairs))]
    labels = [label for label, _ in pairs]
    parts.extend(_axis_labels(centres, labels, axis_y + 18))
    return _svg(title, _COLUMNS_HEIGHT, "".join(parts))


def histogram(minutes: Sequence[int], title: str) -> Markup:
    """How many incidents fall in each band of minutes (≤15 min … > 1 day)."""
    bands = (("≤ 15 min", 15), ("≤ 30 min", 30), ("≤ 1 h", 60), ("≤ 2 h", 120), ("≤ 4 h", 240),
             ("≤ 8 h", 480), ("≤ 1 day", 1440), ("> 1 day", None))
    counts = []
    for n, (label, limit) in enumerate(bands):
        low = bands[n - 1][1] if n else -1
        counts.append((label, sum(1 for m in minutes if m > (low or -1) and (limit is None or m <= limit))))
    return bar_chart(counts, title) if minutes else Markup("")


def time_axis(points: Sequence[tuple[dt.date, str, str, str]], title: str) -> Markup:
    """Incidents as dots on a time axis: (date, severity class, label, href relative to the page).

    Dots of one severity class whose centres fall in the same slot, one dot radius wide on an axis
    608 px long, would cover each other, so they are drawn as one unlinked dot titled with their count
    and date range. The chart thus has at most (slots × severity classes) dots however many incidents
    it shows. Dots come in the order their first incident was given; a lone incident's dot is linked
    and titled as it always was. The years are marked where they begin.

    The dots are drawn twice: as above, and for a narrow chart (a phone's), which the stylesheet shows
    instead. There the axis is taken to be `NARROW_PLOT_PX` long and a slot a dot wide, and the dots
    of a slot are one dot whatever their severity, with a severity's colour only when they share it:
    no two dots cover each other.
    """
    if not points:
        return Markup("")
    first = min(p[0] for p in points)
    last = max(p[0] for p in points)
    span = max(1, (last - first).days)
    axis_y = 44
    parts = [f'<line x1="0" y1="{axis_y}" x2="100%" y2="{axis_y}" class="chart-axis"/>']
    ticks = [year for year in range(first.year, last.year + 1) if year == first.year or dt.date(year, 1, 1) <= last]
    places = [max(0, (dt.date(year, 1, 1) - first).days) / span for year in ticks]
    parts.extend(_axis_labels(places, [str(year) for year in ticks], axis_y + 18))
    parts.append(_dots(points, first, span, (_SLOTS_WIDTH, _DOT_RADIUS), axis_y - 12, "chart-dots-wide"))
    parts.append(_dots(points, first, span, (NARROW_PLOT_PX, 2 * _DOT_RADIUS), axis_y - 12, "chart-dots-narrow",
                       by_severity=False))
    # Its dots are links, so the chart is a group of them rather than one image.
    return _svg(title, _AXIS_HEIGHT, "".join(parts), role="group")


def _dots(points: Sequence[tuple[dt.date, str, str, str]], first: dt.date, span: int, slots_px: tuple[int, int],
          cy: int, css: str, *, by_severity: bool = True) -> str:
    """The dots of `time_axis` on an axis cut into slots, as `slots_px` says: (its length, a slot's width) in
    pixels. Those of a slot are merged into one, or those of a slot and a severity class when `by_severity`."""
    axis_px, slot_px = slots_px
    slots: dict[tuple[int, str], list[tuple[float, dt.date, str, str]]] = {}
    severities: dict[tuple[int, str], set[str]] = {}
    for day, severity, label, href in points:
        place = (day - first).days / span
        slot = (int(place * axis_px // slot_px), severity if by_severity else "")
        slots.setdefault(slot, []).append((place, day, label, href))
        severities.setdefault(slot, set()).add(severity)
    drawn = (_dot(dots, _shared(severities[slot]), cy, grow=by_severity) for slot, dots in slots.items())
    return f'<g class="{css}">' + "".join(drawn) + "</g>"


def _shared(severities: set[str]) -> str:
    """The severity class a merged dot is drawn in: the one its incidents share, else none."""
    return next(iter(severities)) if len(severities) == 1 else ""


def label_width_px(label: str) -> float:
    """About how wide a chart label is drawn, in pixels: never less than it is."""
    return len(label) * LABEL_CHAR_PX


def thin_labels(places: Sequence[float], labels: Sequence[str], plot_px: float) -> list[int]:
    """Which labels to show on an axis `plot_px` wide, each centred at its place (0 to 1 along the axis).

    Every label at an even step from the first is kept, with the smallest step of `label_steps` at
    which none of them overlaps the next (a gap at least between them), except those that would reach
    further beyond the plot than the chart's box has room for: kept labels never overlap and are never
    cut off.
    """
    inside = [
        abs(place * plot_px - plot_px / 2) + label_width_px(label) / 2 <= plot_px / 2 + LABEL_OVERHANG_PX
        for place, label in zip(places, labels, strict=True)
    ]
    for step in label_steps(len(labels)):
        kept = [n for n in range(0, len(labels), step) if inside[n]]
        if all(_apart(places[a], labels[a], places[b], labels[b], plot_px) for a, b in zip(kept, kept[1:])):
            return kept
    return []


def label_steps(count: int) -> list[int]:
    """The steps tried between labels, smallest first: those that divide a year of months (1, 2, 3, 4, 6, 12), then
    whole years of them, up to one that keeps a single label of `count`."""
    steps = [1, 2, 3, 4, 6]
    while steps[-1] < count:
        steps.append(12 * (len(steps) - 4))
    return steps


def _apart(place: float, label: str, next_place: float, next_label: str, plot_px: float) -> bool:
    """Whether a label ends a gap or more before the next one begins."""
    end = place * plot_px + label_width_px(label) / 2
    return next_place * plot_px - label_width_px(next_label) / 2 >= end + LABEL_GAP_PX


def label_tiers(places: Sequence[float], labels: Sequence[str]) -> dict[int, bool]:
    """The labels an axis shows, each with whether it is shown at every width (True) or on wide charts only.

    Those shown at every width are thinned from those of a wide chart, so the labels of a wide chart
    are all of them together and still never overlap.
    """
    wide = thin_labels(places, labels, WIDE_PLOT_PX)
    narrow = thin_labels([places[n] for n in wide], [labels[n] for n in wide], NARROW_PLOT_PX)
    always = {wide[n] for n in narrow}
    return {n: n in always for n in wide}


def _axis_labels(places: Sequence[float], labels: Sequence[str], y: int) -> list[str]:
    return [
        f'<text x="{100 * places[n]:.3f}%" y="{y}" text-anchor="middle" '
        f'class="chart-label{"" if always else " chart-label-wide"}">{escape(labels[n])}</text>'
        for n, always in label_tiers(places, labels).items()
    ]


def _dot(dots: list[tuple[float, dt.date, str, str]], severity: str, cy: int, *, grow: bool = True) -> str:
    """One incident as a linked dot, or several that share a slot as one dot, a little larger per doubling when it
    may `grow`."""
    css = f"chart-dot {escape(_css_class(severity))}"
    if len(dots) == 1:
        place, day, label, href = dots[0]
        return (
            f'<a href="{escape(href)}"><circle cx="{100 * place:.3f}%" cy="{cy}" r="{_DOT_RADIUS}" class="{css}">'
            f"<title>{escape(day.isoformat())}: {escape(label)}</title></circle></a>"
        )
    place = sum(dot[0] for dot in dots) / len(dots)
    earliest = min(dot[1] for dot in dots)
    latest = max(dot[1] for dot in dots)
    days = earliest.isoformat() if earliest == latest else f"{earliest.isoformat()} – {latest.isoformat()}"
    radius = min(_DOT_RADIUS_MAX, _DOT_RADIUS + len(dots).bit_length() - 1) if grow else _DOT_RADIUS
    return (
        f'<circle cx="{100 * place:.3f}%" cy="{cy}" r="{radius}" class="{css}">'
        f"<title>{days}: {len(dots)} incidents</title></circle>"
    )


def _svg(title: str, height: int, body: str, *, role: str = "img") -> Markup:
    """An SVG as wide as its box and `height` pixels high, in a box with room for its labels at either end."""
    label = escape(title)
    return Markup(
        f'<div class="chart-box"><svg class="chart" role="{role}" aria-label="{label}" width="100%" height="{height}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{label}</title>{body}</svg></div>'
    )


def _css_class(label: str) -> str:
    return f"sev-{label}" if label.startswith("sev") else ""
