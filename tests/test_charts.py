"""charts.py: inline SVG that is accessible, escaped and well-formed."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from markupsafe import Markup

from hindsite.charts import bar_chart, column_chart, histogram, time_axis

SVG = "{http://www.w3.org/2000/svg}"
EVIL = '<script>alert("x")</script> & \'quoted\''


def parse(markup: str) -> ET.Element:
    """The chart as XML: a label that breaks out of its attribute or element fails here."""
    root = ET.fromstring(str(markup))
    assert root.tag == f"{SVG}svg"
    return root


def titles(root: ET.Element) -> list[str]:
    """The tooltip texts of the chart's marks (not the chart's own title)."""
    return [t.text or "" for t in root.iter(f"{SVG}title")][1:]


def sample_charts(label: str, title: str) -> dict[str, str]:
    return {
        "bar": bar_chart([(label, 3), ("api", 1)], title),
        "column": column_chart([(label, 2), ("2024-02", 0)], title),
        "histogram": histogram([10, 90], title),
        "time_axis": time_axis([(dt.date(2024, 1, 5), "sev1", label, "incidents/a.html")], title),
    }


@pytest.mark.parametrize("kind", ["bar", "column", "histogram", "time_axis"])
def test_charts_are_labelled_images(kind: str) -> None:
    markup = sample_charts("sev2", "Incidents by severity")[kind]
    assert isinstance(markup, Markup)  # already safe: Jinja must not escape it again
    root = parse(markup)
    assert root.get("role") == "img"
    assert root.get("aria-label") == "Incidents by severity"
    assert root.find(f"{SVG}title").text == "Incidents by severity"


@pytest.mark.parametrize("kind", ["bar", "column", "histogram", "time_axis"])
def test_labels_and_titles_are_escaped(kind: str) -> None:
    markup = sample_charts(EVIL, f"Title {EVIL}")[kind]
    text = str(markup)
    assert "<script" not in text
    root = parse(markup)  # well-formed: quotes did not end an attribute early
    assert root.get("aria-label") == f"Title {EVIL}"
    assert root.find(f"{SVG}title").text == f"Title {EVIL}"
    if kind != "histogram":  # the histogram's labels are its own bands
        assert any(EVIL in t for t in titles(root))


def test_long_bar_labels_are_shortened_but_kept_in_the_tooltip() -> None:
    label = "a-very-long-service-name-indeed"
    root = parse(bar_chart([(label, 2)], "t"))
    shown = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "chart-label"]
    assert shown == ["a-very-long-service-n…"]
    assert titles(root) == [f"{label}: 2"]


def test_bar_chart_marks_severities_with_classes_and_counts() -> None:
    root = parse(bar_chart([("sev1", 4), ("sev2", 2), ("db", 0)], "t"))
    rects = list(root.iter(f"{SVG}rect"))
    assert [r.get("class") for r in rects] == ["chart-bar sev-sev1", "chart-bar sev-sev2", "chart-bar "]
    assert int(rects[0].get("width")) > int(rects[1].get("width")) > 0
    assert rects[2].get("width") == "0"
    values = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "chart-value"]
    assert values == ["4", "2", "0"]


@pytest.mark.parametrize("chart", [
    lambda: bar_chart([], "t"),
    lambda: column_chart([], "t"),
    lambda: histogram([], "t"),
    lambda: time_axis([], "t"),
])
def test_empty_input_draws_nothing(chart) -> None:
    assert chart() == ""


def band_counts(minutes: list[int]) -> dict[str, int]:
    root = parse(histogram(minutes, "Durations"))
    counts = {}
    for text in titles(root):
        band, _, count = text.rpartition(": ")
        counts[band] = int(count)
    return counts


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


def test_column_chart_labels_sparsely_but_titles_every_column() -> None:
    months = [(f"2024-{m:02d}", m) for m in range(1, 13)] + [(f"2025-{m:02d}", 1) for m in range(1, 13)]
    root = parse(column_chart(months, "Per month"))
    assert len(list(root.iter(f"{SVG}rect"))) == 24
    assert len(titles(root)) == 24
    labels = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "chart-label"]
    assert labels == [f"{year}-{m:02d}" for year in (2024, 2025) for m in range(1, 13, 2)]


def test_time_axis_links_use_the_given_hrefs() -> None:
    points = [
        (dt.date(2023, 6, 1), "sev1", "DB down", "../incidents/db-down.html"),
        (dt.date(2024, 2, 1), "sev3", "Slow CDN", "../incidents/slow-cdn.html?x=1&y=2"),
    ]
    root = parse(time_axis(points, "api incidents over time"))
    links = list(root.iter(f"{SVG}a"))
    assert [a.get("href") for a in links] == ["../incidents/db-down.html", "../incidents/slow-cdn.html?x=1&y=2"]
    dots = [a.find(f"{SVG}circle") for a in links]
    assert [d.get("class") for d in dots] == ["chart-dot sev-sev1", "chart-dot sev-sev3"]
    assert [d.find(f"{SVG}title").text for d in dots] == ["2023-06-01: DB down", "2024-02-01: Slow CDN"]
    years = [t.text for t in root.iter(f"{SVG}text")]
    assert years == ["2023", "2024"]


def test_time_axis_href_cannot_break_out_of_its_attribute() -> None:
    root = parse(time_axis([(dt.date(2024, 1, 1), "", "x", 'a.html" onclick="evil()')], "t"))
    link = next(root.iter(f"{SVG}a"))
    assert link.get("href") == 'a.html" onclick="evil()'
    assert link.get("onclick") is None


def test_time_axis_single_day() -> None:
    root = parse(time_axis([(dt.date(2024, 1, 1), "sev2", "only", "a.html")], "t"))
    assert len(list(root.iter(f"{SVG}circle"))) == 1


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
    slots = (640 - 32) // 6 + 1
    assert len(list(root.iter(f"{SVG}circle"))) <= slots * len(severities)
    assert sum(dot_count(t) for t in titles(root)) == 5000
    assert time_axis(points, "t") == markup


def test_time_axis_merges_dots_of_one_severity_in_one_slot() -> None:
    points = [
        (dt.date(2022, 4, 12), "sev2", "late", "late.html"),
        (dt.date(2022, 3, 1), "sev2", "early", "early.html"),
        (dt.date(2022, 3, 20), "sev2", "middle", "middle.html"),
        (dt.date(2040, 1, 1), "sev2", "far away", "far.html"),
    ]
    root = parse(time_axis(points, "t"))
    assert titles(root) == ["2022-03-01 – 2022-04-12: 3 incidents", "2040-01-01: far away"]
    merged, single = root.iter(f"{SVG}circle")
    assert merged.get("class") == "chart-dot sev-sev2"
    assert int(merged.get("r")) > int(single.get("r")) == 6
    assert [a.get("href") for a in root.iter(f"{SVG}a")] == ["far.html"]  # a merged dot has no single target


def test_time_axis_merged_dots_of_one_day_name_that_day() -> None:
    day = dt.date(2024, 5, 1)
    root = parse(time_axis([(day, "sev1", "a", "a.html"), (day, "sev1", "b", "b.html")], "t"))
    assert titles(root) == ["2024-05-01: 2 incidents"]


def test_time_axis_keeps_severities_apart_in_one_slot() -> None:
    points = [
        (dt.date(2024, 1, 1), "sev1", "DB down", "db.html"),
        (dt.date(2024, 1, 2), "sev3", "Slow CDN", "cdn.html"),
        (dt.date(2026, 1, 1), "sev1", "later", "later.html"),
    ]
    root = parse(time_axis(points, "t"))
    links = list(root.iter(f"{SVG}a"))
    assert [a.get("href") for a in links] == ["db.html", "cdn.html", "later.html"]
    dots = [a.find(f"{SVG}circle") for a in links]
    assert [d.get("class") for d in dots] == ["chart-dot sev-sev1", "chart-dot sev-sev3", "chart-dot sev-sev1"]
    assert titles(root) == ["2024-01-01: DB down", "2024-01-02: Slow CDN", "2026-01-01: later"]
