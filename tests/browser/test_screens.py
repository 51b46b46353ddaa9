"""Every page type on a phone and on a desktop, light and dark, and printed: it fits, it is legible, it is accessible.

Each page type of two archives (the repository's example, and 250 postmortems
written by bench/generate.py) is opened once and looked at at 390 × 844 and
1280 × 900, light and dark, then measured at 320 px and printed on A4. Each time
the page must be no wider than the window, show no text under 11 px (chart
labels measured as drawn), keep its chart labels apart and inside their chart,
keep dates and names in table cells on one line (never broken at their hyphens)
and ask for nothing outside the site; axe-core (node_modules/axe-core, installed
by scripts/setup from package-lock.json) must find no serious or critical
violation in each window size and in each scheme. A screenshot of each (the top
two windows of it) lands in test-artifacts/screens/. The keyboard is tried on
the index, the search and the follow-ups: every filter, the sorting and the
results are reached, and the focus is seen.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from hindsite.commands.cli import cli

from .conftest import REPO, SCREENSHOTS, Browser, Page, WatchedPage, serving, watching

AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
SCREENS_DIR = SCREENSHOTS.parent / "screens"
SCREENS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
NARROWEST = {"width": 320, "height": 640}  # the smallest phone in use: measured, not screenshotted
PAPER = {"width": 794, "height": 1123}  # A4 at 96 px to the inch: the page printed
SCHEMES = ("light", "dark")
SMALLEST_TEXT_PX = 11
GENERATED_COUNT = 250
PAGE_TYPES = ("index", "index-filtered", "incident", "tags", "tag", "services", "service", "follow-ups",
              "follow-ups-filtered", "stats", "reports", "quarter", "year", "search", "not-found")
SEARCHED = "cache"  # a word of both archives: the search page is looked at with its results


# --- what is measured in the page -----------------------------------------------------------------

MEASURE = """(smallest) => {
  const problems = [];
  const shown = el => {
    const box = el.getBoundingClientRect(), style = getComputedStyle(el);
    return box.width > 1 && box.height > 1 && style.visibility !== "hidden" && style.opacity !== "0";
  };
  const where = el => {
    const id = el.closest("[id]");
    return el.tagName.toLowerCase() + (el.className && typeof el.className === "string" ? "." + el.className.split(" ")[0] : "")
      + (id ? " in #" + id.id : "");
  };
  const doc = document.documentElement;
  if (doc.scrollWidth > innerWidth) {
    const wide = Array.from(document.querySelectorAll("body *"))
      .filter(el => el.getBoundingClientRect().right > innerWidth + 0.5 && shown(el))
      .slice(0, 4).map(el => where(el) + " reaches " + Math.round(el.getBoundingClientRect().right) + " px");
    problems.push(`the page is ${doc.scrollWidth} px wide in a ${innerWidth} px window: ${wide.join("; ")}`);
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const small = [], broken = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement, text = node.textContent.trim();
    if (!text || el.closest("svg, script, style, .visually-hidden, [hidden]") || !shown(el)) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < smallest) small.push(`${size} px: "${text.slice(0, 40)}" (${where(el)})`);
    if (!el.closest("td, th") || el.closest(".prose")) continue;
    // A date, a name, a ticket: the whole text, maybe in brackets, or one of a list of names ("api, edge-proxy").
    const whole = node.textContent.trim().replace(/^\\((.*)\\)$/, "$1");
    if (!/^[^\\s,]+(, [^\\s,]+)*$/.test(whole)) continue;  // prose wraps as prose does
    for (const name of whole.split(", ").filter(name => name.includes("-"))) {
      const at = node.textContent.indexOf(name);
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + name.length);
      const lines = new Set(Array.from(range.getClientRects(), r => Math.round(r.top)));
      if (lines.size > 1) broken.push(`"${name}" (${where(el)})`);
    }
  }
  if (small.length) problems.push(`${small.length} text(s) under ${smallest} px: ${small.slice(0, 5).join("; ")}`);
  if (broken.length) problems.push(`broken across lines in a table cell: ${broken.slice(0, 5).join("; ")}`);
  for (const svg of document.querySelectorAll("svg")) {
    if (!shown(svg)) continue;
    const clip = svg.closest(".chart-box") || svg;
    const frame = clip.getBoundingClientRect();
    const labels = Array.from(svg.querySelectorAll("text")).filter(shown);
    const boxes = labels.map(t => t.getBoundingClientRect());
    labels.forEach((t, n) => {
      const matrix = t.getScreenCTM();
      const drawn = parseFloat(getComputedStyle(t).fontSize) * Math.sqrt(Math.abs(matrix.a * matrix.d - matrix.b * matrix.c));
      const label = `chart label "${t.textContent}" (${svg.getAttribute("aria-label")})`;
      if (drawn < smallest) problems.push(`${label} is drawn at ${drawn.toFixed(1)} px`);
      const box = boxes[n];
      if (box.left < Math.max(0, frame.left) - 0.5 || box.right > Math.min(innerWidth, frame.right) + 0.5)
        problems.push(`${label} is cut off: ${Math.round(box.left)}–${Math.round(box.right)} px, its chart ${Math.round(frame.left)}–${Math.round(frame.right)} px`);
      for (let m = 0; m < n; m++) {
        const other = boxes[m];
        if (box.left < other.right && other.left < box.right && box.top < other.bottom && other.top < box.bottom)
          problems.push(`${label} overlaps "${labels[m].textContent}"`);
      }
    });
  }
  return problems;
}"""

AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.filter(v => v.impact === "serious" || v.impact === "critical").map(v =>
    `axe ${v.impact} ${v.id}: ${v.help} — ` + v.nodes.slice(0, 3).map(n => n.target.join(" ") + " " +
      (n.failureSummary || "").replace(/\\s+/g, " ").slice(0, 160)).join(" | "));
}"""

# axe runs once in each window size and once in each scheme (phone and light, desktop and dark): what it checks
# changes with the size (what scrolls, what is shown) or with the scheme (colours), not with both at once.
AXE_LOOKS = {("phone", "light"), ("desktop", "dark")}
SHOT_SCREENS = 2  # a screenshot shows the top of the page, this many windows high: lists of 100 rows are long


# --- the archives ---------------------------------------------------------------------------------


class ScreenWatch(WatchedPage):
    """A watched page that also counts any request leaving the site: the theme loads nothing from elsewhere."""

    def listen(self, page: Page) -> None:
        super().listen(page)
        page.on("request", self.on_request)

    def on_request(self, request: Any) -> None:
        if not request.url.startswith((self.origin, "data:")):
            self.problems.append(f"{self.page.url} asked for {request.url}, outside the site")


@dataclass(frozen=True)
class Archive:
    name: str
    folder: Path
    url: str
    watch: ScreenWatch

    def address(self, kind: str) -> str:
        return self.url + page_of(self.folder, kind)


def largest(folder: Path, pattern: str, skip: str = "index.html") -> str:
    """The biggest page matching `pattern` (the busiest tag, service or report), relative to the site."""
    pages = [p for p in folder.glob(pattern) if p.name != skip]
    assert pages, f"no page matches {pattern} in {folder}"
    return max(pages, key=lambda p: (p.stat().st_size, p.name)).relative_to(folder).as_posix()


def page_of(folder: Path, kind: str) -> str:
    """Where a page of this type is in a built site: the fullest one of its kind."""
    fixed = {
        "index": "index.html", "index-filtered": "index.html?service=search",
        "tags": "tags/index.html", "services": "services/index.html",
        "follow-ups": "follow-ups.html", "follow-ups-filtered": "follow-ups.html?status=open&service=search",
        "stats": "stats.html", "reports": "reports/index.html",
        "search": f"search.html?q={SEARCHED}", "not-found": "404.html",
    }
    if kind in fixed:
        return fixed[kind]
    pattern = {"incident": "incidents/*.html", "tag": "tags/*.html", "service": "services/*.html",
               "quarter": "reports/*-q[1-4].html", "year": "reports/[0-9][0-9][0-9][0-9].html"}[kind]
    return largest(folder, pattern)


def build(site: Path) -> Path:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(site)
        result = CliRunner().invoke(cli, ["build", "-q"], prog_name="hindsite", catch_exceptions=False)
    assert result.exit_code == 0, f"`hindsite build` of {site} failed:\n{result.output}"
    return site / "_site"


@pytest.fixture(scope="module")
def generated_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """250 postmortems from bench/generate.py (front-matter and legacy styles), built once for the module."""
    site = tmp_path_factory.mktemp("screens-generated")
    subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), str(site / "content"), "-n", str(GENERATED_COUNT)],
                   check=True, capture_output=True)
    (site / "site.toml").write_text('title = "Generated incident archive"\n', encoding="utf-8")
    return build(site)


@pytest.fixture(scope="module", params=["example", "generated"])
def archive(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Archive]:
    """One archive, served, with one watched page that every test of the archive reuses."""
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run scripts/setup (it runs `npm ci`)", pytrace=False)
    folder = request.getfixturevalue("built_site" if request.param == "example" else "generated_site")
    with serving(folder) as url, watching(browser, lambda page: ScreenWatch(page, url)) as watch:
        yield Archive(request.param, folder, url, watch)


@pytest.fixture(scope="module")
def screens_dir() -> Path:
    SCREENS_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENS_DIR


# --- the test -------------------------------------------------------------------------------------


def open_page(page: Page, url: str, kind: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, f"{url}: HTTP {response.status if response else None}"
    if kind == "search":
        page.wait_for_selector("#search-results li")
    if kind.endswith("-filtered"):  # the rows are drawn by the script, from the list's data file
        page.wait_for_function("/^[0-9]/.test(document.querySelector('form.filters output').textContent)")
    page.add_script_tag(path=str(AXE))


def looked_at(page: Page, screen: str, scheme: str, shot: Path) -> list[str]:
    """Everything wrong with the open page in one window size and colour scheme; the screenshot is taken too."""
    page.set_viewport_size(SCREENS[screen])
    page.emulate_media(media="screen", color_scheme=scheme)
    problems = page.evaluate(MEASURE, SMALLEST_TEXT_PX)
    if (screen, scheme) in AXE_LOOKS:
        problems += page.evaluate(AXE_RUN)
    size = SCREENS[screen]
    top = {"x": 0, "y": 0, "width": size["width"], "height": size["height"] * SHOT_SCREENS}
    page.screenshot(path=str(shot), full_page=True, clip=top)
    return [f"{screen}, {scheme}: {p}" for p in problems]


def narrowest(page: Page) -> list[str]:
    """What is wrong with the open page on a 320 px screen: its layout and its text, measured alone."""
    page.set_viewport_size(NARROWEST)
    page.emulate_media(media="screen", color_scheme="light")
    return [f"320 px: {p}" for p in page.evaluate(MEASURE, SMALLEST_TEXT_PX)]


def printed(page: Page, shot: Path) -> list[str]:
    """What is wrong with the open page printed on A4 (no axe: the colours are black on white)."""
    page.set_viewport_size(PAPER)
    page.emulate_media(media="print", color_scheme="light")
    problems = page.evaluate(MEASURE, SMALLEST_TEXT_PX)
    page.screenshot(path=str(shot), full_page=True, clip={"x": 0, "y": 0, **PAPER})
    page.emulate_media(media="screen")
    return [f"printed: {p}" for p in problems]


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_every_page_type_reads_well_on_every_screen(archive: Archive, kind: str, screens_dir: Path) -> None:
    page = archive.watch.page
    url = archive.address(kind)
    open_page(page, url, kind)
    problems = []
    for screen in SCREENS:
        for scheme in SCHEMES:
            problems += looked_at(page, screen, scheme, screens_dir / f"{archive.name}-{kind}-{screen}-{scheme}.png")
    problems += narrowest(page) + printed(page, screens_dir / f"{archive.name}-{kind}-print.png")
    problems += archive.watch.take()
    assert not problems, f"{url} (screenshots in {screens_dir}):\n" + "\n".join(problems)


# --- the keyboard ---------------------------------------------------------------------------------

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el), box = el.getBoundingClientRect();
  const mark = el.closest("svg") ? el.querySelector("circle") : null;  // a dot of a chart: its ring is its stroke
  return {
    what: el.id || el.getAttribute("name") || el.getAttribute("aria-label") || el.textContent.trim().slice(0, 40),
    tag: el.tagName.toLowerCase(),
    ring: mark ? parseFloat(getComputedStyle(mark).strokeWidth) : style.outlineStyle === "none" ? 0 : parseFloat(style.outlineWidth),
    left: box.left, right: box.right, top: box.top, bottom: box.bottom,
  };
}"""


def tab_through(page: Page, stop: str, most: int = 400) -> list[dict[str, Any]]:
    """Press Tab until the element whose id or name is `stop` has the focus: what had it on the way, in order."""
    seen: list[dict[str, Any]] = []
    for _ in range(most):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None:
            continue
        seen.append(focused)
        if focused["what"] == stop:
            return seen
    raise AssertionError(f"Tab never reached {stop!r}; it went through {[f['what'] for f in seen]}")


def unseen_focus(seen: list[dict[str, Any]], width: int, height: int) -> list[str]:
    """Focused elements without a ring of 2 px or more, or not on screen when they have the focus."""
    return [
        f"{f['tag']} {f['what']!r}: ring {f['ring']} px at {round(f['left'])}–{round(f['right'])} × {round(f['top'])}–{round(f['bottom'])}"
        for f in seen
        if f["ring"] < 2 or f["left"] < 0 or f["right"] > width or f["bottom"] < 0 or f["top"] > height
    ]


@pytest.mark.parametrize("screen", SCREENS)
def test_the_keyboard_reaches_every_filter_and_the_search_with_a_visible_focus(
    browser: Browser, site_url: str, incidents: list[dict[str, Any]], screen: str
) -> None:
    size = SCREENS[screen]
    service = max(sorted({s for i in incidents for s in i["services"]}),
                  key=lambda s: sum(s in i["services"] for i in incidents))
    expected = sum(service in i["services"] for i in incidents)
    with watching(browser, lambda page: ScreenWatch(page, site_url)) as watch:
        page = watch.page
        page.set_viewport_size(size)
        page.goto(site_url + "index.html")
        seen = tab_through(page, "severity")
        assert seen[0]["what"] == "Skip to content", f"the first Tab stop is {seen[0]['what']!r}"
        assert [f["what"] for f in seen if f["tag"] == "input"] == ["site-search-q"]
        seen += tab_through(page, "service")
        page.keyboard.press("Home")  # a closed select changes with the keys, as a reader moves through its options
        page.keyboard.press("ArrowDown")
        assert page.locator("#filters select[name=service]").input_value() != ""
        page.locator("#filters select[name=service]").select_option(service)  # the one with the most, to count
        # The rows beyond the first page load on first use ("Loading…" until then): wait for the count.
        page.wait_for_function("n => document.getElementById('filter-status').textContent === n", arg=f"{expected} incidents")
        seen += tab_through(page, "tag") + tab_through(page, "year") + tab_through(page, "Clear")
        page.keyboard.press("Enter")
        page.wait_for_function("document.getElementById('filter-status').textContent === ''")
        seen += tab_through(page, "Duration")
        page.keyboard.press("Enter")
        assert page.locator("th[data-key=duration]").get_attribute("aria-sort") == "descending"
        seen += tab_through(page, "Atom feed")  # every row's links, down to the footer
        problems = unseen_focus(seen, size["width"], size["height"])

        page.goto(site_url + "index.html")
        tab_through(page, "site-search-q")
        page.keyboard.type(SEARCHED)
        page.keyboard.press("Enter")
        page.wait_for_selector("#search-results li a")
        results = tab_through(page, "search-q")
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")  # past the page's own Search button, to the first result
        results.append(page.evaluate(FOCUSED))
        assert results[-1]["tag"] == "a" and page.evaluate("document.activeElement.closest('#search-results') !== null"), (
            f"Tab after the search box reached {results[-1]}, not the first result"
        )
        problems += unseen_focus(results, size["width"], size["height"])

        page.goto(site_url + "follow-ups.html")
        filters = tab_through(page, "status")
        page.keyboard.press("ArrowDown")  # "Open"
        page.wait_for_function("/^[0-9]+ action items?$/.test(document.getElementById('follow-up-status').textContent)")
        filters += tab_through(page, "owner") + tab_through(page, "service") + tab_through(page, "Clear")
        page.keyboard.press("Enter")
        page.wait_for_function("document.getElementById('follow-up-status').textContent === ''")
        problems += unseen_focus(filters, size["width"], size["height"]) + watch.take()
    assert not problems, f"on {screen}, focus that cannot be seen:\n" + "\n".join(problems)


# --- a report as a document of its own ------------------------------------------------------------


def test_a_report_written_as_a_document_reads_well_on_every_screen(
    browser: Browser, built_site: Path, tmp_path: Path, screens_dir: Path
) -> None:
    """`hindsite report --format html`: one file, its own styles, opened from disk."""
    years = sorted(p.stem for p in (built_site / "reports").glob("[0-9][0-9][0-9][0-9].html"))
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(REPO)
        result = CliRunner().invoke(cli, ["report", "--period", years[-1], "--format", "html"], prog_name="hindsite",
                                    catch_exceptions=False)
    assert result.exit_code == 0, result.output
    document = tmp_path / "report.html"
    document.write_text(result.output, encoding="utf-8")
    url = document.as_uri()
    with watching(browser, lambda page: ScreenWatch(page, url)) as watch:
        page = watch.page
        open_page(page, url, "document")
        problems = []
        for screen in SCREENS:
            for scheme in SCHEMES:
                problems += looked_at(page, screen, scheme, screens_dir / f"document-{screen}-{scheme}.png")
        problems += printed(page, screens_dir / "document-print.png") + watch.take()
    assert not problems, f"{years[-1]} report as a document (screenshots in {screens_dir}):\n" + "\n".join(problems)
