"""patch.py: a build that renders only what an edit touches gives, after any sequence of changes, what a fresh build
gives: the same files, byte for byte, and the same diagnostics in the same order; under `hindsite build` with its
cache on disk and under a server's session alike."""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import random
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import MakeSite

from hindsite.build import BuildOptions, BuildResult, build
from hindsite.core.config import SiteConfig, load_config
from hindsite.core.diagnostics import Diagnostic, Level
from hindsite.render.theme import RenderError
from hindsite.serve.session import Session
from hindsite.write.output import Stopped

PUBLISH = importlib.import_module("hindsite.write.publish")

SERVICES = ["api", "billing", "queue", "search"]
CAUSES = ["a full disk on the primary", "an expired certificate", "a bad deploy of the worker", "DNS timeouts"]


def document(n: int, rng: random.Random) -> str:
    """A postmortem with what pages show of each other: services, tags, a root cause (related incidents), links to
    other documents and their anchors, action items, and now and then a link that leads nowhere."""
    other = (n % 9) + 1
    links = [f"See [the earlier one](2024-03-{other:02d}-outage-{other}.md#timeline)."]
    if rng.random() < 0.3:
        links.append("And [a page that is not there](missing.md).")
    return (f"---\ntitle: Outage {n}\ndate: 2024-03-{n:02d}\nseverity: SEV{n % 3 + 1}\n"
            f"services: [{SERVICES[n % 4]}]\ntags: [t{n % 3}]\n---\n\n"
            f"## Summary\n\nThe {SERVICES[n % 4]} stalled for {n * 7} minutes.\n\n"
            f"## Timeline\n\n- 09:0{n % 10} UTC alert fired\n- 09:{10 + n} UTC mitigated\n\n"
            f"## Root cause\n\n{CAUSES[n % 4]}.\n\n## Notes\n\n{' '.join(links)}\n\n"
            f"## Action items\n\n- [ ] Add an alert (OPS-{n}, Dana)\n")


def append_sentence(site: Path, rng: random.Random) -> None:
    path = rng.choice(documents(site))
    path.write_text(path.read_text(encoding="utf-8") + f"\nOne more word: zebra{rng.randrange(5)}.\n", encoding="utf-8")


def rename_heading(site: Path, rng: random.Random) -> None:
    """The page's anchors change: a link on another page to `#timeline` may break, or mend."""
    path = rng.choice(documents(site))
    text = path.read_text(encoding="utf-8")
    swapped = text.replace("## Timeline", "## Events") if "## Timeline" in text else text.replace("## Events", "## Timeline")
    path.write_text(swapped, encoding="utf-8")


def break_a_link(site: Path, rng: random.Random) -> None:
    path = rng.choice(documents(site))
    path.write_text(path.read_text(encoding="utf-8") + "\nA [dead link](nowhere.md) and [another](#no-such-anchor).\n",
                    encoding="utf-8")


def edit_a_title(site: Path, rng: random.Random) -> None:
    """Every list shows the title: not a change a patch can make."""
    path = rng.choice(documents(site))
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"title: (.*)", lambda m: f"title: {m.group(1)} again", text, count=1), encoding="utf-8")


def edit_a_root_cause(site: Path, rng: random.Random) -> None:
    """Related incidents, and the reports' themes, come from root causes."""
    path = rng.choice(documents(site))
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("## Root cause\n\n", f"## Root cause\n\n{rng.choice(CAUSES)}, and "), encoding="utf-8")


def add_a_document(site: Path, rng: random.Random) -> None:
    n = rng.randrange(10, 28)
    (site / "content" / f"2024-03-{n:02d}-outage-{n}.md").write_text(document(n, rng), encoding="utf-8")


def delete_a_document(site: Path, rng: random.Random) -> None:
    if len(documents(site)) > 3:
        rng.choice(documents(site)).unlink()


def rename_a_document(site: Path, rng: random.Random) -> None:
    path = rng.choice(documents(site))
    path.rename(path.with_name(path.stem + "-renamed.md"))


def retitle_the_site(site: Path, rng: random.Random) -> None:
    (site / "site.toml").write_text(f'title = "Archive {rng.randrange(100)}"\n', encoding="utf-8")


def change_a_template(site: Path, rng: random.Random) -> None:
    (site / "overrides").mkdir(exist_ok=True)
    (site / "overrides" / "incident.html").write_text(
        f"{{% extends 'theme/incident.html' %}}{{% block head %}}<meta name='v' content='{rng.randrange(9)}'>{{% endblock %}}",
        encoding="utf-8")


def drop_the_template(site: Path, rng: random.Random) -> None:
    shutil.rmtree(site / "overrides", ignore_errors=True)


def leave_alone(site: Path, rng: random.Random) -> None:
    pass


def documents(site: Path) -> list[Path]:
    return sorted((site / "content").glob("*.md"))


CHANGES: list[Callable[[Path, random.Random], None]] = [
    append_sentence, append_sentence, append_sentence, rename_heading, break_a_link, edit_a_title, edit_a_root_cause,
    add_a_document, delete_a_document, rename_a_document, retitle_the_site, change_a_template, drop_the_template,
]


def files_of(output: Path) -> dict[str, str]:
    return {p.relative_to(output).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(output.rglob("*")) if p.is_file()}


def fresh_build(site: Path, tmp_path: Path) -> tuple[dict[str, str], BuildResult]:
    """The same content built from nothing, into another folder."""
    config = dataclasses.replace(load_config(site / "site.toml"), output_dir=tmp_path / "fresh")
    result = build(config, BuildOptions())
    return files_of(config.output_dir), result


def said(result: BuildResult, site: Path) -> list[tuple[str, str | None, int | None, str]]:
    """The diagnostics, with the output folder's name taken out of their messages."""
    return [(d.code, d.path, d.line, d.message.replace(str(site / "_site"), "OUT").replace(str(site.parent / "fresh"), "OUT"))
            for d in result.diagnostics]


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("how", ["build", "serve"])
def test_random_changes_give_what_a_fresh_build_gives(make_site: MakeSite, tmp_path: Path, seed: int, how: str) -> None:
    rng = random.Random(seed)
    site = make_site(tmp_path, {f"content/2024-03-{n:02d}-outage-{n}.md": document(n, rng) for n in range(1, 10)},
                     'title = "Archive"\n')
    session = Session(load_config(site / "site.toml")) if how == "serve" else None
    for step in range(15):
        change = {0: leave_alone, 1: append_sentence}.get(step) or CHANGES[rng.randrange(len(CHANGES))]
        change(site, rng)
        config = load_config(site / "site.toml")
        if session is not None:
            session = session.reconfigured(config)
            result = session.rebuild(templates_changed=True)
        else:
            result = build(config, BuildOptions(use_cache=True))
        assert result.patched or step != 1  # an edit right after a build is patched
        expected, fresh = fresh_build(site, tmp_path)
        assert files_of(config.output_dir) == expected, f"step {step}: {change.__name__}"
        assert said(result, site) == said(fresh, site), f"step {step}: {change.__name__}"


def test_an_edit_only_its_own_pages_show_is_patched_and_a_title_is_not(make_site: MakeSite, tmp_path: Path) -> None:
    rng = random.Random(1)
    site = make_site(tmp_path, {f"content/2024-03-{n:02d}-outage-{n}.md": document(n, rng) for n in range(1, 6)},
                     'title = "Archive"\n')
    config = load_config(site / "site.toml")
    assert not build(config, BuildOptions(use_cache=True)).patched
    append_sentence(site, rng)
    result = build(config, BuildOptions(use_cache=True))
    assert result.patched and result.written < 10, result.written_paths
    edit_a_title(site, rng)
    assert not build(config, BuildOptions(use_cache=True)).patched
    assert build(config, BuildOptions(use_cache=True)).unchanged


def small_site(make_site: MakeSite, tmp_path: Path, rng: random.Random) -> tuple[Path, SiteConfig]:
    """A site of five documents, built with the cache, and its configuration."""
    site = make_site(tmp_path, {f"content/2024-03-{n:02d}-outage-{n}.md": document(n, rng) for n in range(1, 6)},
                     'title = "Archive"\n')
    config = load_config(site / "site.toml")
    build(config, BuildOptions(use_cache=True))
    return site, config


def test_a_patch_stopped_while_it_writes_leaves_the_site_as_it_was(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(2)
    site, config = small_site(make_site, tmp_path, rng)
    before = files_of(config.output_dir)
    append_sentence(site, rng)
    real_write = Path.write_bytes

    def stop_at_the_second(path: Path, data: bytes) -> int:
        if path.name.endswith(".hindsite-new") and any(p.name.endswith(".hindsite-new") for p in path.parent.parent.rglob("*")):
            raise KeyboardInterrupt
        return real_write(path, data)

    monkeypatch.setattr(Path, "write_bytes", stop_at_the_second)
    with pytest.raises(Stopped, match="is unchanged"):
        build(config, BuildOptions(use_cache=True))
    monkeypatch.undo()
    assert files_of(config.output_dir) == before
    assert build(config, BuildOptions(use_cache=True)).written
    assert files_of(config.output_dir) == fresh_build(site, tmp_path)[0]


def test_a_patch_killed_while_it_renames_is_completed_by_the_next_build(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(3)
    site, config = small_site(make_site, tmp_path, rng)
    append_sentence(site, rng)
    real_replace = PUBLISH.os.replace
    calls: list[object] = []

    class Killed(BaseException):
        pass

    def killed_at_the_second(source: object, target: object) -> None:
        calls.append(target)
        if len(calls) == 2:
            raise Killed
        real_replace(source, target)

    monkeypatch.setattr(PUBLISH.os, "replace", killed_at_the_second)
    with pytest.raises(Killed):
        build(config, BuildOptions(use_cache=True))
    monkeypatch.undo()
    assert (config.output_dir.parent / f".{config.output_dir.name}.patching").is_file()
    result = build(config, BuildOptions(use_cache=True))
    assert not result.patched and not result.unchanged  # the last build's record was forgotten first
    assert not (config.output_dir.parent / f".{config.output_dir.name}.patching").exists()
    assert not list(config.output_dir.rglob("*.hindsite-new"))
    assert files_of(config.output_dir) == fresh_build(site, tmp_path)[0]


def test_the_journal_of_a_killed_patch_is_rolled_forward(tmp_path: Path) -> None:
    output = tmp_path / "site"
    (output / "search").mkdir(parents=True)
    (output / "a.html").write_text("old a", encoding="utf-8")
    (output / ".a.html.hindsite-new").write_text("new a", encoding="utf-8")
    (output / "b.html").write_text("new b", encoding="utf-8")  # renamed before the kill
    (output / "search" / "t-00.js").write_text("gone", encoding="utf-8")
    journal = tmp_path / ".site.patching"
    journal.write_text('{"rename": [[".a.html.hindsite-new", "a.html"], [".b.html.hindsite-new", "b.html"]],'
                       ' "remove": ["search/t-00.js"]}', encoding="utf-8")
    PUBLISH.recover(output)
    assert sorted(p.relative_to(output).as_posix() for p in output.rglob("*") if p.is_file()) == ["a.html", "b.html"]
    assert (output / "a.html").read_text(encoding="utf-8") == "new a"
    assert (output / "b.html").read_text(encoding="utf-8") == "new b"
    assert not journal.exists()


def test_a_server_that_showed_the_edited_page_first_patches_the_rest(make_site: MakeSite, tmp_path: Path) -> None:
    rng = random.Random(4)
    site = make_site(tmp_path, {f"content/2024-03-{n:02d}-outage-{n}.md": document(n, rng) for n in range(1, 6)},
                     'title = "Archive"\n')
    session = Session(load_config(site / "site.toml"))
    session.rebuild()
    edited = documents(site)[2]
    for time in ("once", "again"):  # and after a patch, as after a full build
        edited.write_text(edited.read_text(encoding="utf-8") + f"\nSeen at {time}.\n", encoding="utf-8")
        assert session.render_edited([edited.resolve()]) is not None, time
        result = session.rebuild()
        assert result.patched
        assert files_of(session.config.output_dir) == fresh_build(site, tmp_path)[0]


def test_a_patch_that_empties_a_search_shard_leaves_a_site_the_next_build_finds_unchanged(
    make_site: MakeSite, tmp_path: Path
) -> None:
    rng = random.Random(5)
    site, config = small_site(make_site, tmp_path, rng)
    edited = documents(site)[1]
    before = edited.read_text(encoding="utf-8")
    edited.write_text(before + "\nA zzyzx appeared.\n", encoding="utf-8")  # the only word of its shard
    assert "search/t-7a7a.js" in build(config, BuildOptions(use_cache=True)).written_paths
    edited.write_text(before, encoding="utf-8")
    result = build(config, BuildOptions(use_cache=True))
    assert result.patched and "search/t-7a7a.js" in result.written_paths
    assert not (config.output_dir / "search" / "t-7a7a.js").exists()
    assert build(config, BuildOptions(use_cache=True)).unchanged
    assert files_of(config.output_dir) == fresh_build(site, tmp_path)[0]


def test_a_page_a_patch_cannot_render_is_left_to_the_full_build(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(6)
    site, config = small_site(make_site, tmp_path, rng)
    append_sentence(site, rng)
    patch_module = importlib.import_module("hindsite.incremental.patch")

    def failing(*args: object, **kwargs: object) -> None:
        raise RenderError(Diagnostic("template", Level.ERROR, "it raised", "incident.html", 3))

    monkeypatch.setattr(patch_module, "render_page_among", failing)
    result = build(config, BuildOptions(use_cache=True))
    assert not result.patched and not result.stopped
    assert files_of(config.output_dir) == fresh_build(site, tmp_path)[0]


def dated_document(n: int, rng: random.Random) -> str:
    """A postmortem of an archive long enough for every list to have several pages."""
    return (f"---\ntitle: Incident {n}\ndate: 2024-{n % 12 + 1:02d}-{n % 28 + 1:02d}\nseverity: SEV{n % 3 + 1}\n"
            f"services: [{SERVICES[n % 4]}]\ntags: [t{n % 3}]\n---\n\n"
            f"## Summary\n\nThe {SERVICES[n % 4]} stalled.\n\n## Root cause\n\n{CAUSES[n % 4]}.\n\n"
            f"## Action items\n\n- [ ] Add an alert (OPS-{n}, Dana)\n")


def move_a_date(site: Path, rng: random.Random) -> None:
    """The incident moves to another page of every list it is on."""
    path = rng.choice(documents(site))
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"date: 2024-(\d\d)", lambda m: f"date: 2024-{rng.randrange(1, 13):02d}", text, count=1),
                    encoding="utf-8")


def retag(site: Path, rng: random.Random) -> None:
    path = rng.choice(documents(site))
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"tags: \[.*\]", f"tags: [t{rng.randrange(4)}]", text, count=1), encoding="utf-8")


def close_an_item(site: Path, rng: random.Random) -> None:
    path = rng.choice(documents(site))
    path.write_text(path.read_text(encoding="utf-8").replace("- [ ]", "- [x]"), encoding="utf-8")


def add_a_dated_document(site: Path, rng: random.Random) -> None:
    n = rng.randrange(300, 400)
    (site / "content" / f"incident-{n}.md").write_text(dated_document(n, rng), encoding="utf-8")


LONG_LIST_CHANGES: list[Callable[[Path, random.Random], None]] = [
    edit_a_title, move_a_date, retag, close_an_item, append_sentence, add_a_dated_document, delete_a_document,
]


@pytest.mark.parametrize("seed", range(2))
def test_random_changes_to_an_archive_whose_lists_have_several_pages_give_what_a_fresh_build_gives(
    make_site: MakeSite, tmp_path: Path, seed: int
) -> None:
    """A list page is kept when what it shows did not change (incremental/prints.py): edits that move an incident
    between the pages of the index, a tag, a service, a period or the follow-ups."""
    rng = random.Random(seed)
    site = make_site(tmp_path, {f"content/incident-{n}.md": dated_document(n, rng) for n in range(1, 231)},
                     'title = "Archive"\n')
    config = load_config(site / "site.toml")
    build(config, BuildOptions(use_cache=True))
    for step, change in enumerate(rng.sample(LONG_LIST_CHANGES, len(LONG_LIST_CHANGES))):  # each once, in any order
        change(site, rng)
        result = build(config, BuildOptions(use_cache=True))
        expected, fresh = fresh_build(site, tmp_path)
        assert files_of(config.output_dir) == expected, f"step {step}: {change.__name__}"
        assert said(result, site) == said(fresh, site), f"step {step}: {change.__name__}"
