"""What authors write reaches every output as text: the page and its <title>, the facts, the feed, the JSON, the
CSV, the data scripts and the search index; characters that no output can carry are reported and left out."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import MakeSite, RunCli

from hindsite.core.config import SiteConfig
from hindsite.render.site import make_environment
from hindsite.render.theme import builtin_theme_dir

#: What XML 1.0 does not allow (its `Char` production), and the controls HTML calls errors.
FORBIDDEN = re.compile("[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
ATOM = "{http://www.w3.org/2005/Atom}"
TITLE = "Queue depth < 10 made <OrderService> return 5xx"
TEAM = "<b>payments</b> & <i>co</i>"

DOCUMENTS = {
    "content/2024-03-01-queue.md": (
        f"---\ntitle: '{TITLE}'\ndate: 2024-03-01\nsummary: 'The <OrderService> queue & its <Worker>'\n"
        f"owning_team: '{TEAM}'\n---\n\n## Summary\n\nThe <OrderService> call failed when depth < 10.\n"
    ),
    # YAML's escapes put the controls into the front-matter; the body has them as they are.
    "content/2024-03-02-colours.md": (
        '---\ntitle: "Red \\e[31malert\\e[0m \\a bell \\uFFFE"\ndate: 2024-03-02\nsummary: "Pasted \\x1b[1m bold"\n'
        'tags: ["logs\\x1b", "ok"]\n---\n\n## Summary\n\nThe log said \x1b[31mERROR\x1b[0m \x07 here.\n\n'
        "## Timeline\n\n- 2024-03-02 10:00 UTC \x1b[1mpaged\x1b[0m\n"
    ),
}


@pytest.fixture
def built(tmp_path: Path, make_site: MakeSite, run_cli: RunCli) -> tuple[Path, str]:
    """The built site and what the build printed."""
    site = make_site(tmp_path, DOCUMENTS, 'title = "Test archive"\nbase_url = "https://ops.example/pm"\n')
    result = run_cli("build", cwd=site)
    assert result.exit_code == 0, result.output
    return site / "_site", result.stderr


def read(out: Path, rel: str) -> str:
    return (out / rel).read_text(encoding="utf-8")


def texts_of(page: str, tag: str) -> list[str]:
    return [html.unescape(re.sub(r"<[^>]+>", "", inner)).strip() for inner in re.findall(rf"<{tag}\b[^>]*>(.*?)</{tag}>", page, re.S)]


def script_json(text: str) -> object:
    """The JSON inside a data script: `window.x = JSON;` or `callback(key, JSON);`."""
    payload = text.split(" = ", 1)[1].rstrip().rstrip(";") if text.startswith("window.") else text.split(", ", 1)[1].rstrip().rstrip(");")
    return json.loads(payload)


def test_a_title_with_angle_brackets_is_the_same_text_in_every_output(built: tuple[Path, str]) -> None:
    out, _ = built
    page = read(out, "incidents/2024-03-01-queue.html")
    assert texts_of(page, "title") == [f"{TITLE} · Test archive"]
    assert texts_of(page, "h1") == [TITLE]
    assert TITLE in texts_of(read(out, "index.html"), "a")
    (record,) = [i for i in json.loads(read(out, "incidents.json"))["incidents"] if i["id"] == "2024-03-01-queue"]
    assert (record["title"], record["summary"]) == (TITLE, "The <OrderService> queue & its <Worker>")
    assert TITLE in [row["title"] for row in csv.DictReader(io.StringIO(read(out, "incidents.csv")))]
    feed = ET.fromstring((out / "feed.xml").read_bytes())
    assert TITLE in [entry.findtext(f"{ATOM}title") for entry in feed.iter(f"{ATOM}entry")]
    assert TITLE in [row[2] for row in script_json(read(out, "rows.js"))["rows"]]  # type: ignore[index]
    assert TITLE in [script_json(read(out, f"search/r-{n}.js"))[1] for n in range(len(list((out / "search").glob("r-*.js"))))]  # type: ignore[index]
    assert "orderservice" in script_json(read(out, f"search/t-{b'or'.hex()}.js"))  # type: ignore[operator]


def test_front_matter_fields_and_body_words_in_angle_brackets_reach_the_page(built: tuple[Path, str]) -> None:
    page = read(built[0], "incidents/2024-03-01-queue.html")
    assert "<dt>owning_team</dt><dd>&lt;b&gt;payments&lt;/b&gt; &amp; &lt;i&gt;co&lt;/i&gt;</dd>" in page
    assert "The &lt;OrderService&gt; queue &amp; its &lt;Worker&gt;" in page  # the summary, shown as the lead
    assert "The <OrderService> call failed when depth < 10." in texts_of(page, "p")


def test_control_characters_are_reported_where_they_stand(built: tuple[Path, str]) -> None:
    printed = built[1]
    for line in (2, 4, 5, 10, 14):
        assert f"content/2024-03-02-colours.md:{line}: warning: control-character: " in printed, line
    assert "content/2024-03-01-queue.md" not in printed


def test_no_output_carries_a_character_xml_or_html_forbids(built: tuple[Path, str]) -> None:
    out = built[0]
    ET.fromstring((out / "feed.xml").read_bytes())
    ET.fromstring((out / "sitemap.xml").read_bytes())
    for path in out.rglob("*"):
        if path.suffix in (".html", ".xml", ".json", ".js", ".csv"):
            assert not FORBIDDEN.search(path.read_text(encoding="utf-8")), path
    (record,) = [i for i in json.loads(read(out, "incidents.json"))["incidents"] if i["id"] == "2024-03-02-colours"]
    assert (record["title"], record["summary"], record["tags"]) == ("Red [31malert[0m bell", "Pasted [1m bold", ["logs", "ok"])


# --- the theme ----------------------------------------------------------------------------------


def test_every_template_escapes_what_it_shows_whatever_its_name(tmp_path: Path) -> None:
    """Autoescaping does not depend on a template's extension: a theme's feed or SVG escapes as its pages do."""
    names = ("page.html", "feed.xml", "chart.svg", "notes.txt", "plain")
    for folder in (tmp_path / "theme", tmp_path / "overrides"):
        folder.mkdir()
        for name in names:
            (folder / f"{folder.name}-{name}").write_text("{{ value }}|{{ value ~ '!' }}|{{ value | plain }}", encoding="utf-8")
    env = make_environment(SiteConfig(root=tmp_path, theme="theme", templates_dir=tmp_path / "overrides"))
    for name in (f"{folder}-{name}" for folder in ("theme", "overrides") for name in names):
        shown = env.get_template(name).render(value='<b title="x">&</b>')
        assert shown == '&lt;b title=&#34;x&#34;&gt;&amp;&lt;/b&gt;|&lt;b title=&#34;x&#34;&gt;&amp;&lt;/b&gt;!|&amp;', name


def test_the_built_in_theme_marks_safe_only_html_the_sanitiser_made() -> None:
    """`| safe` goes on a section's, a timeline entry's or an action item's HTML, which `markup.sanitise` made;
    never on a title, a field or a setting, and no template turns escaping off."""
    theme = builtin_theme_dir()
    templates = "".join(path.read_text(encoding="utf-8") for path in sorted(theme.rglob("*.html")))
    assert set(re.findall(r"{{\s*([^{}|]+?)\s*\|\s*safe\s*}}", templates)) == {"section.html", "event.html", "item.html"}
    assert templates.count("| safe") + templates.count("|safe") == 3  # a section's text, an event's, an item's
    assert "autoescape" not in templates
