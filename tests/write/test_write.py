"""Stage 5 — write: output-folder guards, collisions, traversal, atomic swap."""

from __future__ import annotations

from pathlib import Path

import pytest

from hindsite.core.diagnostics import Diagnostic
from hindsite.write.output import (
    MARKER,
    Claims,
    OutputFile,
    OutputRefused,
    Stopped,
    WriteFailed,
    check_output_dir,
    write_site,
)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    (root / "content").mkdir(parents=True)
    (root / "content" / "a.md").write_text("# A\n", encoding="utf-8")
    return root


def refused(output: Path, site: Path, content: Path | None = None) -> str:
    with pytest.raises(OutputRefused) as caught:
        check_output_dir(output, content=content or site / "content", site_root=site)
    assert caught.value.diagnostic.code == "output"
    assert caught.value.diagnostic.level.value == "error"
    return caught.value.diagnostic.message


# --- check_output_dir ----------------------------------------------------------------


def test_refuses_the_content_folder(site: Path) -> None:
    assert "delete" in refused(site / "content", site)


def test_refuses_a_folder_containing_the_content(site: Path) -> None:
    nested = site / "docs" / "postmortems"
    nested.mkdir(parents=True)
    assert "delete" in refused(site / "docs", site, content=nested)


def test_refuses_a_folder_inside_the_content(site: Path) -> None:
    assert "inside the content folder" in refused(site / "content" / "_site", site)


def test_refuses_the_site_root(site: Path) -> None:
    assert str(site) in refused(site, site, content=site / "content")


def test_refuses_a_parent_of_the_site_root(site: Path) -> None:
    refused(site.parent, site)


def test_refuses_home(site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    assert "home" in refused(home, site)


def test_refuses_the_file_system_root(site: Path) -> None:
    refused(Path(site.anchor), site)


def test_refuses_a_non_empty_folder_without_the_marker(site: Path, tmp_path: Path) -> None:
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.tex").write_text("years of work", encoding="utf-8")
    assert MARKER in refused(precious, site)
    assert (precious / "thesis.tex").read_text(encoding="utf-8") == "years of work"


def test_refuses_a_file(site: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.html"
    target.write_text("x", encoding="utf-8")
    refused(target, site)


@pytest.mark.parametrize("prepare", ["missing", "empty", "previous-output"])
def test_accepts_fresh_empty_and_previous_output(site: Path, tmp_path: Path, prepare: str) -> None:
    output = tmp_path / "public"
    if prepare != "missing":
        output.mkdir()
    if prepare == "previous-output":
        (output / MARKER).write_text("", encoding="utf-8")
        (output / "index.html").write_text("old", encoding="utf-8")
    check_output_dir(output, content=site / "content", site_root=site)


def test_accepts_the_default_output_inside_the_site(site: Path) -> None:
    check_output_dir(site / "_site", content=site / "content", site_root=site)


# --- Claims: one file per path ---------------------------------------------------------


def plan_collisions(files: list[OutputFile]) -> tuple[list[OutputFile], list[Diagnostic]]:
    claims = Claims()
    kept = list(claims.admit(files))
    return kept, claims.problems


def test_no_collisions_keeps_everything_in_order() -> None:
    files = [OutputFile("index.html", "index", text="i"), OutputFile("incidents/a.html", "content/a.md", text="a")]
    kept, problems = plan_collisions(files)
    assert kept == files
    assert problems == []


@pytest.mark.parametrize("second_path", ["incidents/db.html", "incidents/DB.html", "Incidents/Db.HTML"])
def test_two_files_for_one_path_is_an_error_naming_both(second_path: str) -> None:
    first = OutputFile("incidents/db.html", "content/2023/db.md", text="first")
    second = OutputFile(second_path, "content/2024/DB.md", text="second")
    kept, problems = plan_collisions([first, second])
    assert kept == [first]
    (problem,) = problems
    assert problem.code == "output-collision" and problem.level.value == "error"
    assert "content/2023/db.md" in problem.message and "content/2024/DB.md" in problem.message
    assert problem.path == "content/2024/DB.md"


def test_every_collision_is_reported() -> None:
    files = [OutputFile("a.html", f"src{n}", text="") for n in range(3)]
    kept, problems = plan_collisions(files)
    assert [f.source for f in kept] == ["src0"]
    assert len(problems) == 2


@pytest.mark.parametrize(
    "path", ["../x.html", "a/../../x.html", "/etc/passwd", "a\\b.html", "..\\x.html", "", "a/\0.html", ".."]
)
def test_unsafe_paths_are_refused(path: str) -> None:
    safe = OutputFile("index.html", "index", text="")
    kept, problems = plan_collisions([OutputFile(path, "content/evil.md", text="x"), safe])
    assert kept == [safe]
    (problem,) = problems
    assert problem.code == "output" and problem.path == "content/evil.md"


# --- write_site ----------------------------------------------------------------------


def tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8") for p in root.rglob("*") if p.is_file()}


def test_write_site_writes_files_and_the_marker(tmp_path: Path) -> None:
    source = tmp_path / "graph.png"
    source.write_text("PNG", encoding="utf-8")
    output = tmp_path / "out"
    write_site(
        [OutputFile("index.html", "index", text="home"), OutputFile("files/g/graph.png", "graph", copy_from=source)],
        output,
    )
    written = tree(output)
    assert written.pop(MARKER)
    assert written == {"index.html": "home", "files/g/graph.png": "PNG"}


def test_write_site_writes_each_file_as_it_comes(tmp_path: Path) -> None:
    """A site of any size streams through the writer: a file is on disk before the next one exists."""
    output = tmp_path / "out"
    on_disk_when_next_made = []

    def files():
        for n in range(3):
            staged = list(tmp_path.glob(f".out.building-*/page-{n - 1}.html"))
            on_disk_when_next_made.append(bool(staged) if n else None)
            yield OutputFile(f"page-{n}.html", "test", text=f"page {n}")

    assert write_site(files(), output).paths == ["page-0.html", "page-1.html", "page-2.html"]
    assert on_disk_when_next_made == [None, True, True]
    assert (output / "page-2.html").read_text(encoding="utf-8") == "page 2"


def test_a_file_written_in_pieces_keeps_the_previous_file_when_its_bytes_are_the_same(tmp_path: Path) -> None:
    output = tmp_path / "out"

    def export(*records: str) -> OutputFile:
        return OutputFile("incidents.json", "export", pieces=lambda: ["[", ",".join(records), "]"])

    write_site([export("1", "2")], output)
    first = (output / "incidents.json").stat().st_ino
    write_site([export("1", "2")], output)
    assert (output / "incidents.json").stat().st_ino == first
    write_site([export("1", "3")], output)
    assert (output / "incidents.json").read_text(encoding="utf-8") == "[1,3]"
    assert (output / "incidents.json").stat().st_ino != first


def test_files_whose_bytes_did_not_change_are_not_rewritten(tmp_path: Path) -> None:
    attachment = tmp_path / "graph.png"
    attachment.write_bytes(b"PNG")
    output = tmp_path / "out"
    site = [OutputFile("same.html", "a", text="same"), OutputFile("files/graph.png", "g", copy_from=attachment),
            OutputFile("edited.html", "b", text="before")]
    write_site(site, output)
    before = {name: (output / name).stat() for name in ("same.html", "files/graph.png", "edited.html")}
    write_site([*site[:2], OutputFile("edited.html", "b", text="after")], output)
    after = {name: (output / name).stat() for name in before}
    for name in ("same.html", "files/graph.png"):  # the very same file: same inode, same time
        assert (after[name].st_ino, after[name].st_mtime_ns) == (before[name].st_ino, before[name].st_mtime_ns)
    assert after["edited.html"].st_ino != before["edited.html"].st_ino
    assert (output / "edited.html").read_text(encoding="utf-8") == "after"


def test_a_symlink_in_the_previous_site_is_never_carried_over(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("same", encoding="utf-8")
    output = tmp_path / "out"
    write_site([OutputFile("page.html", "a", text="first")], output)
    (output / "page.html").unlink()
    (output / "page.html").symlink_to(outside)
    write_site([OutputFile("page.html", "a", text="same")], output)
    assert not (output / "page.html").is_symlink()
    assert (output / "page.html").stat().st_ino != outside.stat().st_ino


def test_write_site_replaces_the_previous_site_whole(tmp_path: Path) -> None:
    output = tmp_path / "out"
    write_site([OutputFile("old.html", "x", text="old")], output)
    write_site([OutputFile("new.html", "x", text="new")], output)
    written = tree(output)
    written.pop(MARKER)
    assert written == {"new.html": "new"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no staging or retired folders left


def test_a_failure_while_writing_leaves_the_previous_site_untouched(tmp_path: Path) -> None:
    output = tmp_path / "out"
    write_site([OutputFile("index.html", "index", text="good"), OutputFile("a/b.html", "b", text="b")], output)
    before = tree(output)
    broken = [
        OutputFile("index.html", "index", text="half-built"),
        OutputFile("a", "a file where the folder a/ is", text="x"),
        OutputFile("a/b.html", "b", text="cannot be written"),
        OutputFile("z.html", "z", text="never"),
    ]
    with pytest.raises(WriteFailed) as failed:
        write_site(broken, output)
    assert "the previous site in" in failed.value.diagnostic.message and "is unchanged" in failed.value.diagnostic.message
    assert tree(output) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # the staging folder was removed


def test_a_failure_on_the_first_build_leaves_nothing(tmp_path: Path) -> None:
    output = tmp_path / "out"
    with pytest.raises(WriteFailed) as failed:
        write_site([OutputFile("a", "a", text="x"), OutputFile("a/b.html", "b", text="x")], output)
    assert f"nothing was written to {output}" in failed.value.diagnostic.message
    assert not output.exists()
    assert list(tmp_path.iterdir()) == []


# --- foreign folders, kept entries, interrupted builds ------------------------------------------------


def test_refuses_a_symlink_to_the_content_folder(site: Path, tmp_path: Path) -> None:
    link = tmp_path / "public"
    link.symlink_to(site / "content", target_is_directory=True)
    assert "delete" in refused(link, site)


def test_force_allows_a_foreign_folder_but_nothing_else(site: Path, tmp_path: Path) -> None:
    foreign = tmp_path / "public"
    foreign.mkdir()
    (foreign / "old-page.html").write_text("by another tool", encoding="utf-8")
    check_output_dir(foreign, content=site / "content", site_root=site, force=True)
    with pytest.raises(OutputRefused):
        check_output_dir(site / "content", content=site / "content", site_root=site, force=True)
    with pytest.raises(OutputRefused):
        check_output_dir(site, content=site / "content", site_root=site, force=True)


def test_a_folder_holding_only_what_is_kept_needs_no_force(site: Path, tmp_path: Path) -> None:
    checkout = tmp_path / "gh-pages"
    (checkout / ".git").mkdir(parents=True)
    (checkout / "CNAME").write_text("incidents.example.test\n", encoding="utf-8")
    check_output_dir(checkout, content=site / "content", site_root=site)


def test_git_cname_and_nojekyll_survive_every_build(tmp_path: Path) -> None:
    output = tmp_path / "public"
    (output / ".git" / "objects").mkdir(parents=True)
    (output / ".git" / "HEAD").write_text("ref: refs/heads/gh-pages\n", encoding="utf-8")
    (output / "CNAME").write_text("incidents.example.test\n", encoding="utf-8")
    (output / ".nojekyll").write_text("", encoding="utf-8")
    (output / "stale.html").write_text("from another tool", encoding="utf-8")
    for text in ("first", "second"):
        write_site([OutputFile("index.html", "index", text=text)], output)
    assert (output / ".git" / "HEAD").read_text(encoding="utf-8") == "ref: refs/heads/gh-pages\n"
    assert (output / ".git" / "objects").is_dir()
    assert (output / "CNAME").read_text(encoding="utf-8") == "incidents.example.test\n"
    assert (output / ".nojekyll").exists()
    assert not (output / "stale.html").exists()
    assert (output / "index.html").read_text(encoding="utf-8") == "second"


def test_an_interrupt_while_writing_leaves_the_previous_site_and_its_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    output = tmp_path / "out"
    (output / ".git").mkdir(parents=True)
    write_site([OutputFile("index.html", "index", text="good")], output)
    before = tree(output)

    def interrupted(*_: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("hindsite.write.output._write_one", interrupted)
    with pytest.raises(Stopped) as stopped:
        write_site([OutputFile("index.html", "index", text="new")], output)
    assert stopped.value.message == f"the previous site in {output} is unchanged" and stopped.value.exit_code == 130
    assert tree(output) == before and (output / ".git").is_dir()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_folders_left_by_a_killed_build_are_removed_by_the_next(tmp_path: Path) -> None:
    output = tmp_path / "out"
    for leftover in (".out.building-k1ll3d", ".out.old-k1ll3d"):
        (tmp_path / leftover / "site").mkdir(parents=True)
    (tmp_path / ".other.building-x").mkdir()  # another site's: not ours to remove
    write_site([OutputFile("index.html", "index", text="home")], output)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".other.building-x", "out"]
