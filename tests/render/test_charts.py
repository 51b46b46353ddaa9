"""charts.py: charts that are accessible, escaped and well-formed, whose axis labels never overlap or leave the chart."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from markupsafe import Markup

from hindsite.render.charts import (
    LABEL_GAP_PX,
    LABEL_OVERHANG_PX,
    NARROW_PLOT_PX,
    WIDE_PLOT_PX,
    bar_chart,
    column_chart,
    histogram,
    label_steps,
    label_tiers,
    label_width_px,
    thin_labels,
    time_axis,
)

SVG = "{http://www.w3.org/2000/svg}"
EVIL = '<script>alert("x")</script> & \'quoted\''


def parse(markup: str) -> ET.Element:
    """The chart as XML (an SVG in its box, or a table): a label that breaks out of its attribute or element fails here."""
    root = ET.fromstring(str(markup))
    if root.tag == "table":
        return root
    assert root.tag == "div" and root.get("class") == "chart-box"
    (svg,) = root
    assert svg.tag == f"{SVG}svg"
    return svg


def titles(root: ET.Element) -> list[str]:
    """The tooltip texts of the chart's marks (not the chart's own title)."""
    return [t.text or "" for t in root.iter(f"{SVG}title")][1:]


def axis_dots(root: ET.Element, width: str = "wide") -> ET.Element:
    """A time axis's dots merged for a wide chart, or for a narrow one, under a title as `titles` expects."""
    group = next(g for g in root.iter(f"{SVG}g") if g.get("class") == f"chart-dots-{width}")
    return ET.fromstring(f'<svg xmlns="http://www.w3.org/2000/svg"><title>chart</title>{ET.tostring(group, encoding="unicode")}</svg>')


def bar_rows(root: ET.Element) -> list[tuple[str, int, str | None]]:
    """A bar chart's rows: (label, count, the bar's width, None when it has none)."""
    rows = []
    for tr in root.iter("tr"):
        bar = next(tr.iter("svg"), None)
        value = next(e for e in tr.iter("span") if e.get("class") == "chart-value")
        rows.append(("".join(tr.find("th").itertext()), int(value.text or ""), bar.get("width") if bar is not None else None))
    return rows


def sample_charts(label: str, title: str) -> dict[str, str]:
    return {
        "bar": bar_chart([(label, 3), ("api", 1)], title),
        "column": column_chart([(label, 2), ("2024-02", 0)], title),
        "histogram": histogram([10, 90], title),
        "time_axis": time_axis([(dt.date(2024, 1, 5), "sev1", label, "incidents/a.html")], title),
    }


@pytest.mark.parametrize("kind", ["bar", "histogram"])
def test_bar_charts_are_tables_titled_by_their_caption(kind: str) -> None:
    markup = sample_charts("sev2", "Incidents by severity")[kind]
    assert isinstance(markup, Markup)  # already safe: Jinja must not escape it again
    root = parse(markup)
    assert root.get("class") == "bar-chart"
    assert root.find("caption").text == "Incidents by severity"
    assert all(th.get("scope") == "row" for th in root.iter("th"))
    assert all(svg.get("aria-hidden") == "true" for svg in root.iter("svg"))  # the count is the text, not the bar


@pytest.mark.parametrize(("kind", "role"), [("column", "img"), ("time_axis", "group")])
def test_svg_charts_are_labelled(kind: str, role: str) -> None:
    """Columns are one image; the time axis holds links, so it is a group of them (an image hides its links)."""
    markup = sample_charts("sev2", "Incidents by severity")[kind]
    assert isinstance(markup, Markup)
    root = parse(markup)
    assert root.get("role") == role
    assert root.get("aria-label") == "Incidents by severity"
    assert root.find(f"{SVG}title").text == "Incidents by severity"
    assert root.get("viewBox") is None and root.get("width") == "100%"  # drawn at its size: the text is never scaled


@pytest.mark.parametrize("kind", ["bar", "column", "histogram", "time_axis"])
def test_labels_and_titles_are_escaped(kind: str) -> None:
    markup = sample_charts(EVIL, f"Title {EVIL}")[kind]
    text = str(markup)
    assert "<script" not in text
    root = parse(markup)  # well-formed: quotes did not end an attribute early
    if root.tag == "table":
        assert root.find("caption").text == f"Title {EVIL}"
        if kind == "bar":  # the histogram's labels are its own bands
            assert bar_rows(root)[0][0] == EVIL
            assert root.find("tbody/tr/th/span").get("title") == EVIL
        return
    assert root.get("aria-label") == f"Title {EVIL}"
    assert root.find(f"{SVG}title").text == f"Title {EVIL}"
    assert any(EVIL in t for t in titles(root))


def test_a_long_bar_label_is_kept_whole_in_the_page_and_its_tooltip() -> None:
    """The theme cuts a long label short on screen; its text stays whole, to read aloud, search and copy."""
    label = "a-very-long-service-name-indeed"
    root = parse(bar_chart([(label, 2)], "t"))
    name = root.find("tbody/tr/th/span")
    assert (name.get("class"), name.text, name.get("title")) == ("name", label, label)


def test_bar_chart_marks_severities_with_classes_and_counts() -> None:
    root = parse(bar_chart([("sev1", 4), ("sev2", 2), ("db", 0)], "t"))
    assert bar_rows(root) == [("sev1", 4, "100.0%"), ("sev2", 2, "50.0%"), ("db", 0, None)]
    assert [r.get("class") for r in root.iter("rect")] == ["chart-bar sev-sev1", "chart-bar sev-sev2"]


@pytest.mark.parametrize("chart", [
    lambda: bar_chart([], "t"),
    lambda: column_chart([], "t"),
    lambda: histogram([], "t"),
    lambda: time_axis([], "t"),
])
def test_empty_input_draws_nothing(chart) -> None:
    assert chart() == ""


def band_counts(minutes: list[int]) -> dict[str, int]:
    return {band: count for band, count, _ in bar_rows(parse(histogram(minutes, "Durations")))}


def test_histogram_bands() -> None:
    counts = band_counts([15, 2000])
    assert list(counts) == ["≤ 15 min", "≤ 30 min", "≤ 1 h", "≤ 2 h", "≤ 4 h", "≤ 8 h", "≤ 1 day", "> 1 day"]
    assert counts["≤ 15 min"] == 1
    assert counts["> 1 day"] == 1
    assert sum(counts.values()) == 2


def test_histogram_band_edges_are_inclusive_above() -> None:
    counts = band_counts([0, 15, 16, 30, 31, 60, 1440, 1441])
    assert counts["≤ 15 min"] == 2
    assert counts["≤ 30 min"] == 2
    assert counts["≤ 1 h"] == 2
    assert counts["≤ 1 day"] == 1
    assert counts["> 1 day"] == 1
    assert sum(counts.values()) == 8


# --- axis labels ------------------------------------------------------------------------------------


def spans(places: list[float], labels: list[str], kept: list[int], plot_px: float) -> list[tuple[float, float]]:
    """Where each kept label is drawn on an axis `plot_px` wide, from its left end to its right end."""
    return [(places[n] * plot_px - label_width_px(labels[n]) / 2, places[n] * plot_px + label_width_px(labels[n]) / 2)
            for n in kept]


def assert_apart_and_inside(places: list[float], labels: list[str], kept: list[int], plot_px: float) -> None:
    drawn = spans(places, labels, kept, plot_px)
    for (_, end), (start, _) in zip(drawn, drawn[1:]):
        assert start >= end + LABEL_GAP_PX, f"labels overlap at {plot_px} px: {[labels[n] for n in kept]}"
    assert all(-LABEL_OVERHANG_PX <= start and end <= plot_px + LABEL_OVERHANG_PX for start, end in drawn)


def months(first_year: int, count: int) -> list[str]:
    return [f"{first_year + n // 12}-{n % 12 + 1:02d}" for n in range(count)]


def centres(count: int) -> list[float]:
    return [(n + 0.5) / count for n in range(count)]


@pytest.mark.parametrize("count", [1, 5, 12, 24, 60, 120, 600])
@pytest.mark.parametrize("plot_px", [NARROW_PLOT_PX, WIDE_PLOT_PX, 1100])
def test_month_labels_are_kept_at_an_even_step_apart_and_inside(count: int, plot_px: float) -> None:
    labels, places = months(2015, count), centres(count)
    kept = thin_labels(places, labels, plot_px)
    assert kept and kept[0] == 0
    assert len({b - a for a, b in zip(kept, kept[1:])}) <= 1, f"uneven steps: {kept}"
    assert_apart_and_inside(places, labels, kept, plot_px)
    if len(kept) > 1:
        steps = label_steps(count)
        step = kept[1] - kept[0]
        assert step in steps
        if step > 1:
            smaller = steps[steps.index(step) - 1]
            (_, end), (start, _) = spans(places, labels, [0, smaller], plot_px)
            assert start < end + LABEL_GAP_PX, f"labels every {smaller} would have fitted, they are every {step}"


def test_steps_between_labels_divide_a_year_then_count_years() -> None:
    assert label_steps(5) == [1, 2, 3, 4, 6]
    assert label_steps(100) == [1, 2, 3, 4, 6, 12, 24, 36, 48, 60, 72, 84, 96, 108]


def test_a_long_range_keeps_few_labels_on_a_phone_and_more_on_a_wide_chart() -> None:
    labels, places = months(2015, 120), centres(120)
    tiers = label_tiers(places, labels)
    always = [n for n, shown in tiers.items() if shown]
    wide = sorted(tiers)
    assert 2 <= len(always) < len(wide) <= 12
    assert set(always) <= set(wide)  # a wide chart shows the phone's labels and more between them
    assert_apart_and_inside(places, labels, always, NARROW_PLOT_PX)
    assert_apart_and_inside(places, labels, wide, WIDE_PLOT_PX)


def test_a_label_that_would_reach_past_the_chart_is_left_out() -> None:
    labels = ["start", "a label far too long to end this axis"]
    assert thin_labels([0.0, 1.0], labels, NARROW_PLOT_PX) == [0]
    assert thin_labels([0.5], ["x" * 60], NARROW_PLOT_PX) == []  # wider than the chart itself


def test_years_close_together_are_labelled_every_other_year() -> None:
    """Years on a time axis: the first is marked at the start, the next may begin a few days later."""
    assert thin_labels([0.0, 0.02, 0.35, 0.68, 1.0], ["2019", "2020", "2021", "2022", "2023"], NARROW_PLOT_PX) == [0, 2, 4]


def test_column_chart_titles_every_column_and_labels_them_in_two_tiers() -> None:
    pairs = [(label, n % 5) for n, label in enumerate(months(2020, 60))]
    root = parse(column_chart(pairs, "Per month"))
    assert len(list(root.iter(f"{SVG}rect"))) == 60
    assert titles(root) == [f"{label}: {count}" for label, count in pairs]
    texts = [t for t in root.iter(f"{SVG}text") if "chart-label" in (t.get("class") or "")]
    tiers = label_tiers(centres(60), [label for label, _ in pairs])
    assert [t.text for t in texts] == [pairs[n][0] for n in tiers]
    assert [t.get("class") for t in texts] == ["chart-label" if shown else "chart-label chart-label-wide" for shown in tiers.values()]
    assert all(t.get("x", "").endswith("%") and t.get("text-anchor") == "middle" for t in texts)


def test_time_axis_links_use_the_given_hrefs() -> None:
    points = [
        (dt.date(2023, 6, 1), "sev1", "DB down", "../incidents/db-down.html"),
        (dt.date(2024, 2, 1), "sev3", "Slow CDN", "../incidents/slow-cdn.html?x=1&y=2"),
    ]
    root = parse(time_axis(points, "api incidents over time"))
    links = list(axis_dots(root).iter(f"{SVG}a"))
    assert [a.get("href") for a in links] == ["../incidents/db-down.html", "../incidents/slow-cdn.html?x=1&y=2"]
    dots = [a.find(f"{SVG}circle") for a in links]
    assert [d.get("class") for d in dots] == ["chart-dot sev-sev1", "chart-dot sev-sev3"]
    assert [d.find(f"{SVG}title").text for d in dots] == ["2023-06-01: DB down", "2024-02-01: Slow CDN"]
    years = [t.text for t in root.iter(f"{SVG}text")]
    assert years == ["2023", "2024"]
    assert [t.get("x") for t in root.iter(f"{SVG}text")] == ["0.000%", f"{100 * 214 / 245:.3f}%"]  # where each begins


def test_time_axis_href_cannot_break_out_of_its_attribute() -> None:
    root = parse(time_axis([(dt.date(2024, 1, 1), "", "x", 'a.html" onclick="evil()')], "t"))
    link = next(root.iter(f"{SVG}a"))
    assert link.get("href") == 'a.html" onclick="evil()'
    assert link.get("onclick") is None


def test_time_axis_single_day() -> None:
    root = parse(time_axis([(dt.date(2024, 1, 1), "sev2", "only", "a.html")], "t"))
    assert [len(list(axis_dots(root, width).iter(f"{SVG}circle"))) for width in ("wide", "narrow")] == [1, 1]


def dot_count(title: str) -> int:
    """How many incidents a dot stands for, read from its tooltip."""
    _, _, what = title.rpartition(": ")
    return int(what.removesuffix(" incidents")) if what.endswith(" incidents") else 1


def test_time_axis_size_is_bounded_however_many_incidents() -> None:
    start = dt.date(2020, 1, 1)
    severities = ["sev1", "sev2", "sev3", "sev4", ""]
    points = [(start + dt.timedelta(days=(n * 7) % 1826), severities[n % 5], f"incident {n}", f"i/{n}.html")
              for n in range(5000)]
    markup = time_axis(points, "t")
    root = parse(markup)
    for width, axis_px in (("wide", 640 - 32), ("narrow", NARROW_PLOT_PX)):
        dots = axis_dots(root, width)
        assert len(list(dots.iter(f"{SVG}circle"))) <= (axis_px // 6 + 1) * len(severities), width
        assert sum(dot_count(t) for t in titles(dots)) == 5000, width
    assert time_axis(points, "t") == markup


def test_time_axis_merges_dots_of_one_severity_in_one_slot() -> None:
    points = [
        (dt.date(2022, 4, 12), "sev2", "late", "late.html"),
        (dt.date(2022, 3, 1), "sev2", "early", "early.html"),
        (dt.date(2022, 3, 20), "sev2", "middle", "middle.html"),
        (dt.date(2040, 1, 1), "sev2", "far away", "far.html"),
    ]
    root = axis_dots(parse(time_axis(points, "t")))
    assert titles(root) == ["2022-03-01 – 2022-04-12: 3 incidents", "2040-01-01: far away"]
    merged, single = root.iter(f"{SVG}circle")
    assert merged.get("class") == "chart-dot sev-sev2"
    assert int(merged.get("r")) > int(single.get("r")) == 6
    assert [a.get("href") for a in root.iter(f"{SVG}a")] == ["far.html"]  # a merged dot has no single target


def test_time_axis_merged_dots_of_one_day_name_that_day() -> None:
    day = dt.date(2024, 5, 1)
    root = parse(time_axis([(day, "sev1", "a", "a.html"), (day, "sev1", "b", "b.html")], "t"))
    assert titles(axis_dots(root)) == titles(axis_dots(root, "narrow")) == ["2024-05-01: 2 incidents"]


def test_time_axis_keeps_severities_apart_in_one_slot() -> None:
    points = [
        (dt.date(2024, 1, 1), "sev1", "DB down", "db.html"),
        (dt.date(2024, 1, 2), "sev3", "Slow CDN", "cdn.html"),
        (dt.date(2026, 1, 1), "sev1", "later", "later.html"),
    ]
    root = axis_dots(parse(time_axis(points, "t")))
    links = list(root.iter(f"{SVG}a"))
    assert [a.get("href") for a in links] == ["db.html", "cdn.html", "later.html"]
    dots = [a.find(f"{SVG}circle") for a in links]
    assert [d.get("class") for d in dots] == ["chart-dot sev-sev1", "chart-dot sev-sev3", "chart-dot sev-sev1"]
    assert titles(root) == ["2024-01-01: DB down", "2024-01-02: Slow CDN", "2026-01-01: later"]


def test_a_narrow_time_axis_merges_a_slot_whatever_the_severities_coloured_only_by_one_they_share() -> None:
    points = [
        (dt.date(2024, 1, 1), "sev1", "DB down", "db.html"),
        (dt.date(2024, 1, 2), "sev3", "Slow CDN", "cdn.html"),
        (dt.date(2025, 1, 1), "sev1", "later", "later.html"),
        (dt.date(2025, 1, 2), "sev1", "again", "again.html"),
        (dt.date(2026, 1, 1), "sev2", "last", "last.html"),
    ]
    narrow = axis_dots(parse(time_axis(points, "t")), "narrow")
    assert titles(narrow) == ["2024-01-01 – 2024-01-02: 2 incidents", "2025-01-01 – 2025-01-02: 2 incidents",
                              "2026-01-01: last"]
    assert [c.get("class") for c in narrow.iter(f"{SVG}circle")] == ["chart-dot ", "chart-dot sev-sev1", "chart-dot sev-sev2"]
    assert {c.get("r") for c in narrow.iter(f"{SVG}circle")} == {"6"}  # a dot wide apart: none covers another


def test_a_narrow_time_axis_merges_the_dots_a_phone_would_crowd() -> None:
    """Five years over a wide chart: a slot is about 18 days, so dots a month apart stay apart; on a narrow one
    (about 50 days a slot) they are one dot."""
    points = [(dt.date(2020, 1, 1), "sev2", "first", "first.html"), (dt.date(2022, 6, 20), "sev2", "a", "a.html"),
              (dt.date(2022, 7, 20), "sev2", "b", "b.html"), (dt.date(2025, 1, 1), "sev2", "last", "last.html")]
    root = parse(time_axis(points, "t"))
    assert titles(axis_dots(root)) == ["2020-01-01: first", "2022-06-20: a", "2022-07-20: b", "2025-01-01: last"]
    assert titles(axis_dots(root, "narrow")) == ["2020-01-01: first", "2022-06-20 – 2022-07-20: 2 incidents",
                                                  "2025-01-01: last"]
