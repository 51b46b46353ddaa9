"""The build cache and parallel reading: fewer documents read, the same bytes written."""

from __future__ import annotations

import dataclasses
import errno
import gc
import hashlib
import importlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import MakeSite, RunCli

from hindsite.build import BuildOptions, build
from hindsite.collect.related import RelatedIndex
from hindsite.core import parallel
from hindsite.core.config import SiteConfig, load_config
from hindsite.incremental import cache as cache_module
from hindsite.read.files import discover
from hindsite.serve.session import Session

build_module = importlib.import_module("hindsite.build")  # `hindsite.build` the attribute is the function
incremental = importlib.import_module("hindsite.incremental.changed")


def doc(n: int, extra: str = "") -> str:
    return (f"---\ntitle: Outage {n}\ndate: 2024-02-{n % 27 + 1:02d}\nservices: [svc-{n % 3}]\ntags: [t{n % 4}]\n---\n\n"
            f"## Summary\n\nThe queue stalled ({n}).{extra}\n\n## Timeline\n\n- 09:0{n % 10} UTC alert\n")


FILES = {f"content/2024-02-{n:02d}-outage-{n}.md": doc(n) for n in range(1, 9)}


def digests(output: Path) -> dict[str, str]:
    return {p.relative_to(output).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(output.rglob("*")) if p.is_file()}


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The documents read (not taken from the cache), in order."""
    seen: list[str] = []
    real = build_module.read_incident

    def counting(file, config, known=None):  # type: ignore[no-untyped-def]
        seen.append(str(file.rel))
        return real(file, config, known)

    monkeypatch.setattr(build_module, "read_incident", counting)
    return seen


@pytest.fixture
def site(make_site: MakeSite, tmp_path: Path) -> Path:
    return make_site(tmp_path, FILES, 'title = "Cached"\n')


def test_nothing_changed_reads_and_writes_nothing_and_reports_the_same(site: Path, run_cli: RunCli, reads: list[str]) -> None:
    (site / "content" / "draft.md").write_text("# Draft\n\n## Impact\n\nTBD\n", encoding="utf-8")  # a warning to replay
    first = run_cli("build", cwd=site)
    times = {p: p.stat().st_mtime_ns for p in (site / "_site").rglob("*")}
    reads.clear()
    second = run_cli("build", cwd=site)
    assert reads == []
    assert "Nothing changed since the last build: 9 incidents in _site/" in second.stderr
    assert [line for line in second.stderr.splitlines() if ": warning: " in line] == \
        [line for line in first.stderr.splitlines() if ": warning: " in line] != []
    assert second.exit_code == first.exit_code == 0
    assert run_cli("build", "--strict", cwd=site).exit_code == 1  # replayed warnings still fail a strict build
    assert {p: p.stat().st_mtime_ns for p in (site / "_site").rglob("*")} == times


#: What reading, normalising and rendering documents needs, and a build with nothing to do does not: it starts
#: in a fraction of the time when it loads none of them.
NOT_LOADED_FOR_NOTHING = ("hindsite.normalise", "hindsite.core.markup", "hindsite.render.site",
                          "hindsite.read.front_matter", "hindsite.commands.migrate", "hindsite.core.parallel",
                          "markdown_it", "nh3", "jinja2", "yaml", "frontmatter", "multiprocessing", "importlib.metadata")


#: What only a full build needs: an edit that other pages do not show is rendered in the build's own process, and
#: writes no data file but incidents.json.
NOT_LOADED_FOR_A_PATCH = ("hindsite.core.parallel", "multiprocessing", "concurrent.futures", "hindsite.render.feeds",
                          "xml.sax")


def built_with_modules(site: Path) -> tuple[str, set[str]]:
    """What `hindsite build`, run as a process in `site`, printed on stderr, and the modules it had loaded."""
    script = "import atexit, sys; atexit.register(lambda: print(*sorted(sys.modules))); from hindsite.commands.cli import main; main()"
    done = subprocess.run([sys.executable, "-c", script, "build"], cwd=site, capture_output=True, text=True, check=True)
    return done.stderr, set(done.stdout.split())


def test_a_build_with_nothing_to_do_loads_no_reader_renderer_or_worker_pool(site: Path, run_cli: RunCli) -> None:
    run_cli("build", cwd=site)
    said, loaded = built_with_modules(site)
    assert "Nothing changed since the last build" in said
    assert "hindsite.build" in loaded
    assert sorted(name for name in NOT_LOADED_FOR_NOTHING if name in loaded) == []


def test_what_the_cache_reads_is_kept_out_of_collections_until_the_build_ends(site: Path, run_cli: RunCli) -> None:
    run_cli("build", cwd=site)
    gc.unfreeze()
    try:
        read = cache_module.BuildCache.open(site / cache_module.FOLDER)
        assert read.last is not None and gc.get_freeze_count() > 0 and gc.isenabled()
        build(load_config(site / "site.toml"), BuildOptions(use_cache=True))
        assert gc.get_freeze_count() == 0 and gc.isenabled()
    finally:
        gc.unfreeze()


def test_an_edit_patched_in_loads_no_worker_pool_or_feed_writer(site: Path, run_cli: RunCli) -> None:
    edited = site / "content/2024-02-03-outage-3.md"
    edited.write_text(doc(3) + "\n## Notes\n\nIt happened.\n", encoding="utf-8")
    run_cli("build", cwd=site)
    edited.write_text(doc(3) + "\n## Notes\n\nIt happened again.\n", encoding="utf-8")  # shown on its page alone
    said, loaded = built_with_modules(site)
    assert "It happened again." in (site / "_site" / "incidents" / "2024-02-03-outage-3.html").read_text(encoding="utf-8")
    assert {"hindsite.incremental.patch", "hindsite.normalise", "jinja2"} <= loaded, said

    assert sorted(name for name in NOT_LOADED_FOR_A_PATCH if name in loaded) == []


def test_one_edit_reads_one_document_and_gives_what_a_fresh_build_gives(site: Path, run_cli: RunCli, reads: list[str], tmp_path: Path) -> None:
    run_cli("build", cwd=site)
    edited = "content/2024-02-03-outage-3.md"
    (site / edited).write_text(doc(3, " It happened again."), encoding="utf-8")
    reads.clear()
    run_cli("build", cwd=site)
    assert reads == ["2024-02-03-outage-3.md"]
    cached = digests(site / "_site")
    assert run_cli("build", "--no-cache", "-o", str(tmp_path / "fresh"), cwd=site).exit_code == 0
    assert cached == digests(tmp_path / "fresh")
    assert "It happened again." in (site / "_site" / "incidents" / "2024-02-03-outage-3.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("change", ["title", "time-zone", "template", "output-deleted", "new-file"])
def test_what_a_build_depends_on_is_noticed(site: Path, run_cli: RunCli, reads: list[str], change: str) -> None:
    run_cli("build", cwd=site)
    reads.clear()
    if change == "title":
        (site / "site.toml").write_text('title = "Renamed"\n', encoding="utf-8")
    elif change == "time-zone":
        (site / "site.toml").write_text('title = "Cached"\ntimezone = "Europe/Berlin"\n', encoding="utf-8")
    elif change == "template":
        (site / "overrides").mkdir()
        (site / "overrides" / "404.html").write_text("{% extends 'theme/404.html' %}", encoding="utf-8")
    elif change == "output-deleted":
        (site / "_site" / "stats.html").unlink()
    else:
        (site / "content" / "graph.png").write_bytes(b"\x89PNG\r\n")
    result = run_cli("build", cwd=site)
    assert "Nothing changed" not in result.stderr
    assert (site / "_site" / "stats.html").is_file()
    # a setting the normaliser reads, or a new file, can change how every document reads; the site's title, a
    # template or a lost page cannot
    assert len(reads) == (8 if change in ("time-zone", "new-file") else 0)
    if change == "title":
        assert "<title>Renamed" in (site / "_site" / "index.html").read_text(encoding="utf-8")


class RecordingConfig:
    """A `SiteConfig` that notes each field read through it (a property's, such as `tzinfo`, by the fields it reads)."""

    def __init__(self, config: SiteConfig) -> None:
        self._config = config
        self.read: set[str] = set()

    def __getattr__(self, name: str) -> object:
        attribute = getattr(SiteConfig, name, None)
        if isinstance(attribute, property):
            return attribute.fget(self)  # type: ignore[misc]
        self.read.add(name)
        return getattr(self._config, name)


def test_a_document_s_key_covers_every_setting_the_normaliser_reads(tmp_path: Path) -> None:
    """What the normaliser reads of the configuration, on documents that reach every setting, is in the key."""
    repo = Path(__file__).resolve().parents[2]
    config = load_config(repo / "site.toml", content_dir=repo / "content")
    config = dataclasses.replace(config, redact=True, redact_personal=True, day_first=True, required_sections=("impact",),
                                 zones={"XST": 3600}, section_aliases={"what went wrong": "root_cause"})
    recording = RecordingConfig(config)
    found = discover(config.content_dir)[0]
    known = frozenset(str(f.rel) for f in found)
    for file in found:
        if file.is_markdown:
            build_module.read_incident(file, recording, known)  # type: ignore[arg-type]
    assert recording.read  # it did read some
    assert recording.read <= set(incremental.NORMALISER_SETTINGS)


@pytest.mark.parametrize("damage", ["garbage", "truncated", "flipped-byte", "empty"])
def test_a_damaged_cache_is_rebuilt_not_trusted(site: Path, run_cli: RunCli, reads: list[str], damage: str) -> None:
    run_cli("build", cwd=site)
    for stored in (site / cache_module.FOLDER).rglob("*.pickle"):  # each document's file too
        data = stored.read_bytes()
        stored.write_bytes({"garbage": b"\x00junk" * 40, "truncated": data[: len(data) // 2], "empty": b"",
                            "flipped-byte": data[:-10] + bytes([data[-10] ^ 0xFF]) + data[-9:]}[damage])
    reads.clear()
    result = run_cli("build", "--verbose", cwd=site)
    assert result.exit_code == 0
    assert len(reads) == 8
    assert "info: cache: the build cache" in result.stderr and "it was rebuilt" in result.stderr
    reads.clear()
    assert "Nothing changed" in run_cli("build", cwd=site).stderr and reads == []  # and it works again


def test_a_cache_written_by_other_code_is_stale(site: Path, run_cli: RunCli, reads: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    run_cli("build", cwd=site)
    monkeypatch.setattr(cache_module, "code_fingerprint", lambda: "another version")
    monkeypatch.setattr(incremental, "code_fingerprint", lambda: "another version")
    reads.clear()
    result = run_cli("build", cwd=site)
    assert "Nothing changed" not in result.stderr and len(reads) == 8


def test_no_cache_reads_everything_and_writes_no_cache(site: Path, run_cli: RunCli, reads: list[str]) -> None:
    run_cli("build", "--no-cache", cwd=site)
    run_cli("build", "--no-cache", cwd=site)
    assert len(reads) == 16
    assert not (site / cache_module.FOLDER).exists()


def test_reading_and_rendering_in_worker_processes_give_the_same_site(make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site(tmp_path, {f"content/2024-03-{n % 28 + 1:02d}-incident-{n}.md": doc(n) for n in range(40)})
    one = tmp_path / "one"
    build(SiteConfig(root=site, content_dir=site / "content", output_dir=one))
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 2)
    used: list[int] = []
    real_pool = parallel.ProcessPoolExecutor

    def recording_pool(workers: int, **options):  # type: ignore[no-untyped-def]
        used.append(workers)
        return real_pool(workers, **options)

    monkeypatch.setattr(parallel, "ProcessPoolExecutor", recording_pool)
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(parallel.threading, "active_count", lambda: 1)  # threads other tests left do not matter here
    many = tmp_path / "many"
    build(SiteConfig(root=site, content_dir=site / "content", output_dir=many))
    assert used == [2] * 3  # documents, related incidents, pages
    assert digests(one) == digests(many)


# --- the survey's memory of each document's bytes -------------------------------------------------


def surveyed(site: Path, earlier: cache_module.Hashes | None = None) -> incremental.Survey:
    config = SiteConfig(root=site, content_dir=site / "content")
    return incremental.survey(discover(config.content_dir)[0], config, earlier, None)


def age(site: Path, seconds: int = 3600) -> None:
    """Date every document an hour back, well outside the window in which a file's times are not trusted."""
    for path in (site / "content").glob("*.md"):
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns - seconds * 10**9))


@pytest.fixture
def file_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the documents the survey reads to make their keys."""
    seen: list[str] = []
    real = incremental.read_limited

    def counting(path: Path, max_bytes: int) -> tuple[bytes, int]:
        seen.append(path.name)
        return real(path, max_bytes)

    monkeypatch.setattr(incremental, "read_limited", counting)
    return seen


def test_a_document_as_the_last_survey_saw_it_is_not_read_for_its_key(site: Path, file_reads: list[str]) -> None:
    age(site)
    first = surveyed(site)
    file_reads.clear()
    again = surveyed(site, first.hashes)
    assert [name for name in file_reads if name.endswith(".md")] == []
    assert again.keys == first.keys


def test_a_document_as_the_last_survey_saw_it_keeps_its_key_unless_its_salt_changed(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    age(site)
    made: list[str] = []
    real = incremental.document_key
    monkeypatch.setattr(incremental, "document_key", lambda salt, file, content: made.append(file.rel_text) or real(salt, file, content))
    first = surveyed(site)
    made.clear()
    assert surveyed(site, first.hashes).keys == first.keys and made == []
    (site / "content" / "notes.txt").write_text("an attachment more: every document may link to it", encoding="utf-8")
    salted = surveyed(site, first.hashes)
    assert len(made) == len(FILES) and set(salted.keys.values()).isdisjoint(first.keys.values())


def test_a_document_changed_while_the_build_ran_gets_the_key_of_its_new_bytes(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = surveyed(site)  # the files were written a moment ago: too new to trust, so read again at the end
    path = site / "content" / "2024-02-03-outage-3.md"
    path.write_text(doc(3).replace("stalled", "STALLED"), encoding="utf-8")
    later = time.time_ns() + 10**10
    monkeypatch.setattr(incremental.time, "time_ns", lambda: later)
    again = surveyed(site, first.settled())
    assert again.keys == surveyed(site).keys
    assert again.keys[path.name] != first.keys[path.name]


def test_an_edit_is_read_even_when_it_keeps_the_size_and_the_modification_time(site: Path) -> None:
    age(site)
    first = surveyed(site)
    path = site / "content" / "2024-02-03-outage-3.md"
    stat = path.stat()
    path.write_text(doc(3).replace("stalled", "STALLED"), encoding="utf-8")  # same size
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    again = surveyed(site, first.hashes)
    changed = {rel for rel in first.keys if first.keys[rel] != again.keys[rel]}
    assert [str(rel) for rel in changed] == ["2024-02-03-outage-3.md"]


def test_a_file_written_just_before_the_survey_is_read_again_by_the_next(site: Path, file_reads: list[str]) -> None:
    """Coarse file-system clocks: a second write in the same tick would keep every time the first one left."""
    first = surveyed(site)  # the files were written a moment ago
    file_reads.clear()
    surveyed(site, first.hashes)
    assert len([name for name in file_reads if name.endswith(".md")]) == len(FILES)


def test_documents_too_new_to_trust_are_read_again_once_not_by_every_build(
    site: Path, run_cli: RunCli, file_reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A copied archive, built at once, quicker than a clock tick: every file is too new for its times to be
    trusted, and is read again by the next survey; a build with nothing to do then remembers that the times are
    now to be trusted."""
    now = time.time_ns()
    clock = iter([now, now, now + 10**10, now + 2 * 10**10])
    monkeypatch.setattr(incremental.time, "time_ns", lambda: next(clock))
    run_cli("build", cwd=site)
    file_reads.clear()
    assert "Nothing changed" in run_cli("build", cwd=site).stderr
    assert len([name for name in file_reads if name.endswith(".md")]) == len(FILES)
    file_reads.clear()
    assert "Nothing changed" in run_cli("build", cwd=site).stderr
    assert file_reads == []


def test_a_build_longer_than_a_clock_tick_reads_again_at_its_end_the_documents_too_new_to_trust(
    site: Path, run_cli: RunCli, file_reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A copied archive, built at once: the build that takes longer than the two seconds a coarse clock may hide
    a change in reads those documents again at its end, so the next build with nothing to do reads none."""
    now = time.time_ns()
    clock = iter([now, now + 10**10, now + 2 * 10**10])
    monkeypatch.setattr(incremental.time, "time_ns", lambda: next(clock))
    run_cli("build", cwd=site)
    assert len([name for name in file_reads if name.endswith(".md")]) == 2 * len(FILES)  # at its start and its end
    file_reads.clear()
    assert "Nothing changed" in run_cli("build", cwd=site).stderr
    assert file_reads == []


# --- pages kept from the last build -------------------------------------------------------------------


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The pages rendered (not kept from the last build), in order."""
    render_module = importlib.import_module("hindsite.render.site")
    seen: list[str] = []
    real = render_module._Planned.render

    def counting(self, env, site):  # type: ignore[no-untyped-def]
        seen.append(self.path)
        return real(self, env, site)

    monkeypatch.setattr(render_module._Planned, "render", counting)
    return seen


def test_an_edit_only_its_own_page_shows_renders_only_that_page(site: Path, run_cli: RunCli, renders: list[str]) -> None:
    run_cli("build", cwd=site)
    edited = site / "content/2024-02-03-outage-3.md"
    edited.write_text(doc(3).replace("alert\n", "alert fired twice\n"), encoding="utf-8")
    renders.clear()
    assert run_cli("build", cwd=site).exit_code == 0
    assert renders == ["incidents/2024-02-03-outage-3.html"]
    assert "fired twice" in (site / "_site/incidents/2024-02-03-outage-3.html").read_text(encoding="utf-8")


EDITS = {
    "title": ("content/2024-02-03-outage-3.md", lambda text: text.replace("title: Outage 3", "title: Queue stall")),
    "severity": ("content/2024-02-04-outage-4.md", lambda text: text.replace("---\n\n", "severity: SEV1\n---\n\n", 1)),
    "new-tag": ("content/2024-02-05-outage-5.md", lambda text: text.replace("tags: [t1]", "tags: [t1, brand-new]")),
    "root-cause": ("content/2024-02-06-outage-6.md", lambda text: text + "\n## Root cause\n\nThe disk filled.\n"),
    "broken-link": ("content/2024-02-07-outage-7.md", lambda text: text + "\nSee [notes](missing.html#x).\n"),
    "deleted": ("content/2024-02-08-outage-8.md", None),
    "added": ("content/2024-02-20-outage-20.md", lambda text: doc(20)),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_a_build_that_keeps_pages_gives_what_a_fresh_build_gives(
    site: Path, run_cli: RunCli, renders: list[str], tmp_path: Path, edit: str
) -> None:
    run_cli("build", cwd=site)
    path, change = EDITS[edit]
    target = site / path
    if change is None:
        target.unlink()
    else:
        target.write_text(change(target.read_text(encoding="utf-8") if target.exists() else ""), encoding="utf-8")
    renders.clear()
    kept = run_cli("build", cwd=site)
    rendered = len(renders)
    fresh = run_cli("build", "--no-cache", "-o", str(tmp_path / "fresh"), cwd=site)
    assert digests(site / "_site") == digests(tmp_path / "fresh")
    assert kept.stderr.replace("_site", "OUT") == fresh.stderr.replace(str(tmp_path / "fresh"), "OUT")
    assert kept.exit_code == fresh.exit_code
    assert 0 < rendered <= len(renders) - rendered  # some pages kept, and the fresh build rendered them all


def test_a_title_edit_renders_only_the_list_pages_that_show_the_incident(
    make_site: MakeSite, tmp_path: Path, run_cli: RunCli, renders: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parallel, "worker_count", lambda: 1)  # every page rendered where `renders` sees it
    def path(n: int) -> str:
        return f"content/2024-{n % 12 + 1:02d}-{n % 27 + 1:02d}-outage-{n}.md"

    files = {path(n): doc(n) for n in range(1, 241)}
    site = make_site(tmp_path, files, 'title = "Cached"\n')
    assert run_cli("build", cwd=site).exit_code == 0
    before = digests(site / "_site")
    index_pages = sorted(path for path in before if path == "index.html" or path.startswith("page/"))
    assert len(index_pages) == 3
    edited = site / path(137)  # tag t1, service svc-2
    assert edited.is_file()
    edited.write_text(doc(137).replace("title: Outage 137", "title: Stalled queue"), encoding="utf-8")
    renders.clear()
    assert run_cli("build", cwd=site).exit_code == 0
    after = digests(site / "_site")
    changed = {path for path in after if before.get(path) != after[path]}
    holding = [path for path in index_pages if "Stalled queue" in (site / "_site" / path).read_text(encoding="utf-8")]
    assert len(holding) == 1
    assert [path for path in renders if path in index_pages] == holding
    assert [path for path in renders if path.startswith("tags/") and path != "tags/index.html"] == ["tags/t1.html"]
    assert [path for path in renders if path.startswith("services/") and path != "services/index.html"] == [
        "services/svc-2.html"]
    assert {path for path in changed if path.endswith(".html")} <= set(renders)
    assert run_cli("build", "--no-cache", "-o", str(tmp_path / "fresh"), cwd=site).exit_code == 0
    assert after == digests(tmp_path / "fresh")


def test_a_build_that_keeps_pages_checks_the_links_of_the_pages_it_rendered_and_reports_the_others_as_before(
    site: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    linking = site / "content/2024-02-05-outage-5.md"  # shares no service or tag with outage 3, nor is beside it
    linking.write_text(doc(5) + "\nSee [the notes](notes.md).\n\nAnd [the alert](2024-02-08-outage-8.md#s-timeline).\n",
                       encoding="utf-8")
    checked: list[str] = []
    real = build_module.check_pages

    def recording(pages, *args, **kwargs):  # type: ignore[no-untyped-def]
        pages = list(pages)
        checked.extend(page.path for page in pages)
        return real(pages, *args, **kwargs)

    monkeypatch.setattr(build_module, "check_pages", recording)
    first = run_cli("build", cwd=site)
    assert "'notes.md'" in first.stderr and "#timeline" not in first.stderr
    retitled = site / "content/2024-02-03-outage-3.md"
    retitled.write_text(doc(3).replace("title: Outage 3", "title: Queue stall"), encoding="utf-8")
    checked.clear()
    assert run_cli("build", cwd=site).stderr == first.stderr  # the kept page's broken link, reported as before
    assert checked and "incidents/2024-02-05-outage-5.html" not in checked
    assert "incidents/2024-02-03-outage-3.html" in checked
    linked = site / "content/2024-02-08-outage-8.md"
    linked.write_text(doc(8).replace("## Timeline", "## Events"), encoding="utf-8")  # the anchor linked to goes
    checked.clear()
    after = run_cli("build", cwd=site)
    assert "incidents/2024-02-05-outage-5.html" in checked
    assert "'2024-02-08-outage-8.md#s-timeline'" in after.stderr


def test_a_cached_build_brings_the_last_builds_related_incidents_up_to_date_instead_of_choosing_again(
    site: Path, run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    chosen_from_scratch: list[int] = []
    real = RelatedIndex.build.__func__  # type: ignore[attr-defined]

    def counting(cls, incidents, *args, **options):  # type: ignore[no-untyped-def]
        incidents = list(incidents)
        chosen_from_scratch.append(len(incidents))
        return real(cls, incidents, *args, **options)

    monkeypatch.setattr(RelatedIndex, "build", classmethod(counting))
    run_cli("build", cwd=site)
    for path, change in (EDITS["new-tag"], EDITS["root-cause"], EDITS["added"]):
        target = site / path
        target.write_text(change(target.read_text(encoding="utf-8") if target.exists() else ""), encoding="utf-8")
    run_cli("build", cwd=site)
    assert chosen_from_scratch == [8]
    run_cli("build", "--no-cache", "-o", str(tmp_path / "fresh"), cwd=site)
    assert digests(site / "_site") == digests(tmp_path / "fresh")


def test_a_site_with_its_own_templates_renders_every_page_after_an_edit(site: Path, run_cli: RunCli, renders: list[str]) -> None:
    """A site's template may show anything of any incident, where the built-in ones show what the digests cover."""
    (site / "overrides").mkdir()
    (site / "overrides" / "tag.html").write_text("{% extends 'theme/tag.html' %}", encoding="utf-8")
    run_cli("build", cwd=site)
    all_pages = len(renders)
    edited = site / "content/2024-02-03-outage-3.md"
    edited.write_text(doc(3).replace("alert\n", "alert fired twice\n"), encoding="utf-8")
    renders.clear()
    run_cli("build", cwd=site)
    assert len(renders) == all_pages


# --- lists that gain or lose a page ---------------------------------------------------------------------


def move_tag(site: Path, old: str, new: str) -> None:
    path = site / "content/2024-02-04-outage-4.md"
    path.write_text(path.read_text(encoding="utf-8").replace(f"tags: [{old}]", f"tags: [{new}]"), encoding="utf-8")


def test_a_tag_that_gains_and_loses_a_page_gives_what_a_fresh_build_gives(
    site: Path, run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importlib.import_module("hindsite.render.site"), "PAGE_SIZE", 2)  # every tag has two incidents
    run_cli("build", cwd=site)
    for old, new, pages in (("t0", "t1", {"tags/t1/page/2.html"}), ("t1", "t0", set())):
        move_tag(site, old, new)
        run_cli("build", cwd=site)
        run_cli("build", "--no-cache", "-o", str(tmp_path / new), cwd=site)
        assert digests(site / "_site") == digests(tmp_path / new)
        assert {p for p in digests(site / "_site") if p.startswith("tags/") and "/page/" in p} == pages


def test_a_server_session_adds_and_removes_the_pages_a_tag_gains_and_loses(
    site: Path, run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importlib.import_module("hindsite.render.site"), "PAGE_SIZE", 2)
    monkeypatch.chdir(site)
    session = Session(load_config(site / "site.toml", output_dir=site / "_preview"))
    session.rebuild()
    for old, new in (("t0", "t1"), ("t1", "t0")):
        move_tag(site, old, new)
        session.rebuild()
        run_cli("build", "--no-cache", "-o", str(tmp_path / new), cwd=site)
        preview = {p: d for p, d in digests(site / "_preview").items() if not p.startswith(".")}
        assert preview == {p: d for p, d in digests(tmp_path / new).items() if not p.startswith(".")}


# --- the cache never costs the build: failures are warnings, and leave nothing behind ------------------------


@pytest.mark.parametrize("in_its_place", ["file", "dangling-link"])
def test_a_cache_folder_that_is_not_a_folder_is_a_warning(site: Path, run_cli: RunCli, in_its_place: str) -> None:
    cache = site / cache_module.FOLDER
    if in_its_place == "file":
        cache.write_text("notes", encoding="utf-8")
    else:
        cache.symlink_to(site / "gone")
    result = run_cli("build", cwd=site)
    assert result.exit_code == 0, result.stderr
    assert f"{cache_module.FOLDER}: warning: cache: the build cache could not be saved: it is not a folder" in result.stderr
    assert (site / "_site" / "index.html").is_file()
    assert os.path.lexists(cache) and not cache.is_dir()  # what is there is the user's: left as it is
    assert run_cli("build", "--strict", cwd=site).exit_code == 1


def test_a_full_disk_while_saving_the_cache_is_a_warning_and_leaves_no_temporary_file(
    site: Path, run_cli: RunCli, reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    run_cli("build", cwd=site)
    (site / "content" / "2024-02-03-outage-3.md").write_text(doc(3, " Again."), encoding="utf-8")

    def full(self: object, data: bytes) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(cache_module._Hashing, "write", full)
    result = run_cli("build", cwd=site)
    assert result.exit_code == 0, result.stderr
    assert "warning: cache: the build cache could not be saved: No space left on device" in result.stderr
    assert "Again." in (site / "_site" / "incidents" / "2024-02-03-outage-3.html").read_text(encoding="utf-8")
    assert sorted(p.name for p in (site / cache_module.FOLDER).iterdir()) == [".gitignore", "documents", "links.pickle",
                                                                          "related.pickle", "shown.pickle", "templates"]
    assert all(p.suffix == ".pickle" for p in (site / cache_module.FOLDER / "documents").iterdir())
    monkeypatch.undo()
    reads.clear()
    again = run_cli("build", cwd=site)  # the last build's record is gone, so nothing is taken as unchanged
    assert "Nothing changed" not in again.stderr and again.exit_code == 0


def test_an_attachment_replaced_by_one_of_the_same_size_and_time_is_published(site: Path, run_cli: RunCli) -> None:
    attachment = site / "content" / "graph.png"
    attachment.write_bytes(b"PNG one")
    run_cli("build", cwd=site)
    stat = attachment.stat()
    attachment.write_bytes(b"PNG two")
    os.utime(attachment, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    result = run_cli("build", cwd=site)
    assert "Nothing changed" not in result.stderr
    assert (site / "_site" / "files" / "graph.png").read_bytes() == b"PNG two"
