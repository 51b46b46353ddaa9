"""incremental.py: one rule for what a change makes a build read and render again, followed alike by
`hindsite build` with its cache on disk and by a server's session with its cache in memory; after every change
each gives what a fresh build gives, byte for byte."""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import MakeSite, RunCli

from hindsite.core.config import load_config
from hindsite.serve.session import Session

BUILD = importlib.import_module("hindsite.build")  # `hindsite.build` the attribute is the function
RENDER = importlib.import_module("hindsite.render.site")


def doc(n: int) -> str:
    return (f"---\ntitle: Outage {n}\ndate: 2024-02-{n:02d}\nservices: [svc-{n % 3}]\ntags: [t{n % 2}]\n---\n\n"
            f"## Summary\n\nThe queue stalled ({n}).\n\n## Timeline\n\n- 09:0{n} UTC alert\n")


FILES = {f"content/2024-02-{n:02d}-outage-{n}.md": doc(n) for n in range(1, 7)}
EDITED = "content/2024-02-03-outage-3.md"


def edit_document(site: Path) -> None:
    """A change only the document's own page shows: one more event in its timeline."""
    path = site / EDITED
    events = path.read_text(encoding="utf-8").count("UTC ")
    path.write_text(path.read_text(encoding="utf-8") + f"- 10:{events:02d} UTC alert fired again\n", encoding="utf-8")


def rename_the_site(site: Path) -> None:
    (site / "site.toml").write_text('title = "Renamed"\n', encoding="utf-8")


def add_a_template(site: Path) -> None:
    (site / "overrides").mkdir()
    (site / "overrides" / "incident.html").write_text(
        "{% extends 'theme/incident.html' %}{% block head %}<meta name='own' content='1'>{% endblock %}", encoding="utf-8")


#: Each change, made to both sites in turn, and what it must cost: the documents read and the pages rendered.
CHANGES: list[tuple[str, Callable[[Path], None], list[str], str]] = [
    ("a document", edit_document, ["2024-02-03-outage-3.md"], "its page"),
    ("site.toml's title", rename_the_site, [], "every page"),
    ("a template", add_a_template, [], "every page"),
    ("a document, under the site's own templates", edit_document, ["2024-02-03-outage-3.md"], "every page"),
]


@dataclass
class Work:
    """The documents read and the pages rendered since the last `clear`."""

    reads: list[str] = field(default_factory=list)
    renders: list[str] = field(default_factory=list)

    def clear(self) -> None:
        self.reads.clear()
        self.renders.clear()

    def taken(self) -> tuple[list[str], list[str]]:
        return sorted(self.reads), sorted(self.renders)


@pytest.fixture
def work(monkeypatch: pytest.MonkeyPatch) -> Work:
    done = Work()
    read, render = BUILD.read_incident, RENDER._Planned.render

    def reading(file, config, known=None):  # type: ignore[no-untyped-def]
        done.reads.append(str(file.rel))
        return read(file, config, known)

    def rendering(self, env, site):  # type: ignore[no-untyped-def]
        done.renders.append(self.path)
        return render(self, env, site)

    monkeypatch.setattr(BUILD, "read_incident", reading)
    monkeypatch.setattr(RENDER._Planned, "render", rendering)
    return done


def digests(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def sites(tmp_path: Path, make_site: MakeSite, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, Path]]:
    """Two copies of one site: one served (the working directory, as `hindsite serve` runs), one built."""
    served = make_site(tmp_path / "served", FILES, 'title = "Incremental"\n')
    built = make_site(tmp_path / "built", FILES, 'title = "Incremental"\n')
    monkeypatch.chdir(served)
    yield served, built


def test_serve_and_the_cached_build_redo_the_same_and_give_what_a_fresh_build_gives(
    sites: tuple[Path, Path], run_cli: RunCli, work: Work, tmp_path: Path
) -> None:
    served, built = sites
    session = Session(load_config(served / "site.toml", output_dir=served / "_preview"))
    assert not session.rebuild().stopped
    every_page = work.taken()[1]
    work.clear()
    assert run_cli("build", cwd=built).exit_code == 0
    assert work.taken()[1] == every_page
    for n, (what, change, reads, pages) in enumerate(CHANGES):
        change(served)
        work.clear()
        if what == "site.toml's title":
            session = session.reconfigured(load_config(served / "site.toml", output_dir=served / "_preview"))
        assert not session.rebuild(templates_changed=what == "a template").stopped
        by_session = work.taken()
        change(built)
        work.clear()
        assert run_cli("build", cwd=built).exit_code == 0
        assert work.taken() == by_session, f"after {what}, serve and build did different work"
        assert by_session[0] == reads
        assert by_session[1] == (["incidents/2024-02-03-outage-3.html"] if pages == "its page" else every_page)
        fresh = tmp_path / f"fresh-{n}"
        assert run_cli("build", "--no-cache", "--output", str(fresh), cwd=built).exit_code == 0
        assert digests(served / "_preview") == digests(fresh), f"after {what}, the served site is not a fresh build's"
        assert digests(built / "_site") == digests(fresh), f"after {what}, the built site is not a fresh build's"


def test_a_server_reports_a_link_an_edit_to_another_document_breaks(
    tmp_path: Path, make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every rebuild checks every link, the pages it kept included: here the page that breaks is not rendered again."""
    linking = doc(1) + "\nThe cause is [in outage 2](2024-02-02-outage-2.md#s-root-cause).\n"
    linked = doc(2) + "\n## Root cause\n\nA full disk.\n"
    site = make_site(tmp_path, {"content/2024-02-01-outage-1.md": linking, "content/2024-02-02-outage-2.md": linked})
    monkeypatch.chdir(site)
    session = Session(load_config(None, output_dir=site / "_preview"))
    assert [d.code for d in session.rebuild().diagnostics if d.code == "broken-link"] == []
    (site / "content/2024-02-02-outage-2.md").write_text(doc(2), encoding="utf-8")  # its root cause is gone
    broken = [d for d in session.rebuild().diagnostics if d.code == "broken-link"]
    assert [d.path for d in broken] == ["content/2024-02-01-outage-1.md"]
