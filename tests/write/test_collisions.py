"""Two things that would share a name in the site: a build error naming every source, never a silent overwrite."""

from __future__ import annotations

import hashlib
import unicodedata
from pathlib import Path

from conftest import MakeSite, RunCli, write_files


def doc(title: str, *, tags: str = "[]", services: str = "[]") -> str:
    return f"---\ntitle: {title}\ndate: 2024-05-01\ntags: {tags}\nservices: {services}\n---\n\n## Summary\n\n{title} happened.\n"


def errors(output: str, code: str) -> list[str]:
    return sorted(line for line in output.splitlines() if f": error: {code}:" in line)


def site_digest(output: Path) -> dict[str, str]:
    return {
        p.relative_to(output).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(output.rglob("*")) if p.is_file()
    }


def test_file_names_that_differ_in_case_and_punctuation_are_an_error_naming_both(make_site: MakeSite, run_cli: RunCli, tmp_path: Path) -> None:
    site = make_site(tmp_path, {"content/DB Outage.md": doc("Upper"), "content/db-outage.md": doc("Lower")})
    result = run_cli("build", cwd=site)
    assert result.exit_code == 1
    (problem,) = errors(result.stderr, "duplicate-id")
    assert "content/DB Outage.md" in problem and "content/db-outage.md" in problem
    pages = {p.name for p in (site / "_site" / "incidents").iterdir()}
    assert pages == {"db-outage.html", "db-outage-2.html"}  # both published, neither overwritten
    texts = "".join((site / "_site" / "incidents" / p).read_text(encoding="utf-8") for p in pages)
    assert "Upper happened" in texts and "Lower happened" in texts


def test_three_documents_sharing_an_id_each_name_all_three(make_site: MakeSite, run_cli: RunCli, tmp_path: Path) -> None:
    site = make_site(tmp_path, {f"content/{year}/outage.md": doc(f"Outage {year}") for year in (2022, 2023, 2024)})
    result = run_cli("build", cwd=site)
    found = errors(result.stderr, "duplicate-id")
    assert len(found) == 2  # the first keeps its id; the two renamed ones are reported
    for problem in found:
        assert all(f"content/{year}/outage.md" in problem for year in (2022, 2023, 2024))


def test_composed_and_decomposed_names_are_one_id(make_site: MakeSite, run_cli: RunCli, tmp_path: Path) -> None:
    composed, decomposed = (unicodedata.normalize(form, "café-outage.md") for form in ("NFC", "NFD"))
    assert composed != decomposed
    site = make_site(tmp_path, {f"content/{composed}": doc("One"), f"content/{decomposed}": doc("Two")})
    result = run_cli("build", cwd=site)
    (problem,) = errors(result.stderr, "duplicate-id")
    assert composed in problem and decomposed in problem


def test_collisions_do_not_depend_on_the_order_files_were_created(make_site: MakeSite, run_cli: RunCli, tmp_path: Path) -> None:
    files = {"content/DB Outage.md": doc("Upper"), "content/db_outage.md": doc("Lower"), "content/db-outage.md": doc("Third")}
    outputs = []
    for name, order in (("first", list(files)), ("second", list(reversed(files)))):
        site = make_site(tmp_path / name)
        write_files(site, {rel: files[rel] for rel in order})
        result = run_cli("build", cwd=site)
        outputs.append((result.stderr.replace(str(site), "SITE"), site_digest(site / "_site")))
    assert outputs[0] == outputs[1]


def test_content_files_whose_names_differ_only_in_unicode_form_collide(make_site: MakeSite, run_cli: RunCli, tmp_path: Path) -> None:
    composed, decomposed = (unicodedata.normalize(form, "graphé.png") for form in ("NFC", "NFD"))
    site = make_site(tmp_path, {"content/a.md": doc("A"), f"content/{composed}": b"one", f"content/{decomposed}": b"two"})
    result = run_cli("build", cwd=site)
    (problem,) = errors(result.stderr, "output-collision")
    assert composed in problem and decomposed in problem
    assert result.exit_code == 1


def test_tags_written_differently_that_share_a_page_are_an_error_naming_both(make_site: MakeSite, run_cli: RunCli, tmp_path: Path) -> None:
    site = make_site(tmp_path, {
        "content/one.md": doc("One", tags="[a b]"),
        "content/two.md": doc("Two", tags="[a-b]"),
        "content/three.md": doc("Three", tags="[A B]"),  # the same tag as `a b`, in capitals: no clash of its own
    })
    result = run_cli("build", cwd=site)
    found = errors(result.stderr, "tag-collision")
    assert [line.split(":")[0] for line in found] == ["content/one.md", "content/three.md", "content/two.md"]
    assert all("'a b' in content/one.md, content/three.md" in line and "'a-b' in content/two.md" in line for line in found)
    tag_page = (site / "_site" / "tags" / "a-b.html").read_text(encoding="utf-8")
    assert all(title in tag_page for title in ("One", "Two", "Three"))


def test_tags_that_differ_only_in_case_are_one_tag(make_site: MakeSite, run_cli: RunCli, tmp_path: Path) -> None:
    site = make_site(tmp_path, {"content/one.md": doc("One", tags="[Database]"), "content/two.md": doc("Two", tags="[database]")})
    result = run_cli("build", "--strict", cwd=site)
    assert result.exit_code == 0, result.stderr


def test_a_tag_or_service_named_like_a_list_page_is_an_error_and_moved_aside(make_site: MakeSite, run_cli: RunCli, tmp_path: Path) -> None:
    site = make_site(tmp_path, {"content/one.md": doc("One", tags="[index]", services="[Index]")})
    result = run_cli("build", cwd=site)
    assert result.exit_code == 1
    assert len(errors(result.stderr, "tag-collision")) == len(errors(result.stderr, "service-collision")) == 1
    output = site / "_site"
    assert "One" in (output / "tags" / "index-2.html").read_text(encoding="utf-8")
    assert "One" in (output / "services" / "index-2.html").read_text(encoding="utf-8")
    report = (output / "incidents" / "one.html").read_text(encoding="utf-8")
    assert 'href="../tags/index-2.html"' in report and 'href="../services/index-2.html"' in report
    assert "<h1>Tags</h1>" in (output / "tags" / "index.html").read_text(encoding="utf-8")  # the list stays the list


def test_windows_device_names_never_become_page_names(make_site: MakeSite, run_cli: RunCli, tmp_path: Path) -> None:
    site = make_site(tmp_path, {"content/CON.md": doc("Console", tags="[aux]"), "content/com1.md": doc("Port")})
    result = run_cli("build", cwd=site)
    assert result.exit_code == 0, result.stderr
    names = {p.stem for p in (site / "_site").rglob("*.html")}
    assert not names & {"con", "aux", "com1"}
    assert {"con-incident", "com1-incident", "aux-item"} <= names
