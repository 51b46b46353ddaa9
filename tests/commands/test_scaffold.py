"""`hindsite init` and `hindsite new`: the starter archive, the postmortem skeleton, and a new user's first hour."""

from __future__ import annotations

import datetime as dt
import html
import importlib.metadata
import json
import re
import shlex
import subprocess
import sys
import tomllib
import zoneinfo
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from conftest import RunCli, write_files

from hindsite import __version__
from hindsite.commands import scaffold
from hindsite.commands.run import export_paths
from hindsite.commands.scaffold import (
    BadValue,
    FilesExist,
    ScaffoldError,
    init_archive,
    new_postmortem,
    starter_content,
    starter_files,
)
from hindsite.core import config as config_module
from hindsite.core.config import SiteConfig, load_config
from hindsite.core.slugs import slugify
from hindsite.write.publish import lock_path

#: What a new archive must hold besides its sample postmortem (the brief of `hindsite init`).
REQUIRED = {"site.toml", ".gitignore", ".github/workflows/hindsite.yml", ".gitlab-ci.yml", "templates/README.md"}
PROMPT = re.compile(r"!!.+?!!")


def files_under(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n"), text[:80]
    return yaml.safe_load(text[4:text.index("\n---\n", 4)])


def diagnostics_json(run_cli: RunCli, site: Path, *args: str) -> tuple[int, list[dict]]:
    result = run_cli("check", "--format", "json", "--verbose", *args, cwd=site)
    return result.exit_code, json.loads(result.stdout)["diagnostics"]


#: How the archives of these tests' CI files install hindsite (`init --install`).
INSTALL = "git+https://git.example.org/tools/hindsite@v0.1.0"


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    site = tmp_path / "archive"
    init_archive(site, INSTALL)
    return site


# --- hindsite init -----------------------------------------------------------------------------------------------

def test_init_creates_every_file_in_a_new_folder(tmp_path: Path) -> None:
    site = tmp_path / "new" / "archive"
    written = init_archive(site)
    names = [p.relative_to(site).as_posix() for p in written]
    assert files_under(site) == set(names) == {rel for rel, _ in starter_files()}
    assert REQUIRED <= set(names)
    samples = [n for n in names if n.startswith("content/")]
    assert len(samples) == 1 and samples[0].endswith(".md")
    for rel, packaged in starter_files():
        assert (site / rel).read_bytes() == starter_content(packaged) != b""
        assert b"@HINDSITE_" not in (site / rel).read_bytes()
    assert not any("dot-" in n for n in names)


def test_the_starter_configuration_is_hindsites_defaults(archive: Path) -> None:
    root = archive.resolve()
    config = load_config(archive / "site.toml")
    defaults = SiteConfig(root=root)
    assert config == replace(
        defaults,
        content_dir=root / defaults.content_dir,
        output_dir=root / defaults.output_dir,
        templates_dir=root / "templates",  # the one setting changed: the folder init creates
    )
    assert config.templates_dir.is_dir() and config.content_dir.is_dir()


def uncommented(text: str) -> str:
    """The starter site.toml with every commented-out setting (`#key = …`, `#[table]`) switched on."""
    return re.sub(r"(?m)^#(?=[\[A-Za-z\"])", "", text)


def test_the_starter_configuration_mentions_every_key(archive: Path) -> None:
    text = (archive / "site.toml").read_text(encoding="utf-8")
    table = tomllib.loads(uncommented(text))
    assert set(table) == set(config_module._KEYS)
    assert set(table["sections"]) == set(config_module._SECTION_KEYS)
    for service in table["services"].values():
        assert set(service) == set(config_module._SERVICE_KEYS)
    for key in config_module._KEYS:  # each one explained by a comment just above it
        line = next(i for i, t in enumerate(text.splitlines()) if re.match(rf"#?\[?{key}\b", t))
        assert text.splitlines()[line - 1].startswith("# "), key


def test_every_commented_example_in_the_starter_configuration_is_valid(archive: Path) -> None:
    path = archive / "site.toml"
    path.write_text(uncommented(path.read_text(encoding="utf-8")), encoding="utf-8")
    config = load_config(path)
    assert config.required_sections and config.section_aliases and config.zones and config.services.services


def test_the_starter_gitignore_covers_the_output_folder_its_lock_and_the_cache(archive: Path) -> None:
    config = load_config(archive / "site.toml")
    ignored = {line.strip("/") for line in (archive / ".gitignore").read_text(encoding="utf-8").splitlines()
               if line and not line.startswith("#")}
    assert config.output_dir.name in ignored
    assert lock_path(config.output_dir).name in ignored  # left beside the output folder by every build
    assert ".hindsite-cache" in ignored


def test_the_sample_postmortem_is_canonical_and_passes_strict_check(archive: Path, run_cli: RunCli) -> None:
    result = run_cli("check", "--strict", cwd=archive)
    assert result.exit_code == 0, result.stderr
    code, problems = diagnostics_json(run_cli, archive, "--strict")
    assert (code, problems) == (0, [])  # not even an informational note
    config = load_config(archive / "site.toml")
    [sample] = list(config.content_dir.glob("*.md"))
    assert {"title", "date", "severity", "services", "tags", "started_at", "detected_at", "resolved_at"} <= set(
        front_matter(sample))
    [incident], _ = export_paths([sample], config)
    keys = [s.key for s in incident.sections]
    assert {"summary", "impact", "timeline", "root_cause", "resolution", "lessons", "action_items"} <= set(keys)
    assert "other" not in keys
    assert incident.timeline and all(event.at for event in incident.timeline)
    assert incident.action_items and all(item.owner for item in incident.action_items)
    assert not PROMPT.search(sample.read_text(encoding="utf-8"))


def ci_commands(archive: Path) -> dict[str, list[str]]:
    """Every `hindsite …` command each CI file runs, by file."""
    github = yaml.safe_load((archive / ".github/workflows/hindsite.yml").read_text(encoding="utf-8"))
    gitlab = yaml.safe_load((archive / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    github_runs = [step["run"] for job in github["jobs"].values() for step in job["steps"] if "run" in step]
    gitlab_runs = [line for job in gitlab.values() if isinstance(job, dict) for line in job.get("script", [])]
    return {name: [c for c in runs if c.startswith("hindsite ")]
            for name, runs in (("github", github_runs), ("gitlab", gitlab_runs))}


def test_the_ci_examples_check_build_and_publish(archive: Path) -> None:
    github = yaml.safe_load((archive / ".github/workflows/hindsite.yml").read_text(encoding="utf-8"))
    gitlab = yaml.safe_load((archive / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    for commands in ci_commands(archive).values():
        assert any(c.startswith("hindsite check --strict") for c in commands), commands
        assert any(c.startswith("hindsite build") for c in commands), commands

    steps = [step for job in github["jobs"].values() for step in job["steps"]]
    uses = {step["uses"].split("@")[0]: step for step in steps if "uses" in step}
    assert {"actions/checkout", "actions/configure-pages", "actions/upload-pages-artifact",
            "actions/deploy-pages"} <= set(uses)
    built_into = next(shlex.split(s["run"]) for s in steps if s.get("run", "").startswith("hindsite build"))
    assert uses["actions/upload-pages-artifact"]["with"]["path"] == built_into[built_into.index("--output") + 1]
    deploy = next(job for job in github["jobs"].values() if any(s.get("uses", "").startswith("actions/deploy-pages")
                                                              for s in job["steps"]))
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}

    pages = gitlab["pages"]
    assert pages["artifacts"]["paths"] == ["public"]
    assert any(shlex.split(line)[:2] == ["hindsite", "build"] and "public" in line for line in pages["script"])


def test_the_ci_check_step_stops_a_broken_link_from_being_published(archive: Path, run_cli: RunCli) -> None:
    """Each CI file's check step passes the sample archive, and fails it once a postmortem links to a part of
    another page that does not exist, which only rendering the site finds."""
    [sample] = (archive / "content").glob("*.md")
    for name, commands in ci_commands(archive).items():
        [check] = [shlex.split(c)[1:] for c in commands if c.startswith("hindsite check")]
        assert run_cli(*check, cwd=archive).exit_code == 0, name
        text = sample.read_text(encoding="utf-8")
        sample.write_text(text + "\nSee [the index](../index.html#no-such-part).\n", encoding="utf-8")
        failed = run_cli(*check, cwd=archive)
        sample.write_text(text, encoding="utf-8")
        assert failed.exit_code == 1, f"{name}'s check step let a broken link through"
        assert "broken-link" in failed.output


def test_the_ci_commands_pass_on_a_fresh_archive(archive: Path, run_cli: RunCli) -> None:
    for name, commands in ci_commands(archive).items():
        for command in commands:
            result = run_cli(*shlex.split(command)[1:], cwd=archive)
            assert result.exit_code == 0, (name, command, result.stderr)
    assert (archive / "_site" / "index.html").is_file()
    assert (archive / "public" / "index.html").is_file()


@pytest.mark.parametrize("existing", sorted(rel for rel, _ in starter_files()))
def test_init_refuses_to_overwrite_and_writes_nothing(tmp_path: Path, run_cli: RunCli, existing: str) -> None:
    write_files(tmp_path, {existing: "mine\n"})
    result = run_cli("init", cwd=tmp_path)
    assert result.exit_code == 1
    assert existing in result.stderr and "nothing was written" in result.stderr
    assert "Traceback" not in result.output
    assert files_under(tmp_path) == {existing}
    assert (tmp_path / existing).read_text(encoding="utf-8") == "mine\n"


def test_init_lists_every_file_in_the_way(tmp_path: Path) -> None:
    write_files(tmp_path, {"site.toml": "x", ".gitignore": "x", "content": "a file where a folder must go"})
    with pytest.raises(FilesExist) as caught:
        init_archive(tmp_path)
    assert sorted(caught.value.paths) == sorted(tmp_path / n for n in ("site.toml", ".gitignore", "content"))
    assert files_under(tmp_path) == {"site.toml", ".gitignore", "content"}


def test_init_leaves_nothing_behind_when_writing_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_write = scaffold._write_new
    calls = []

    def failing(path: Path, data: bytes) -> None:
        calls.append(path)
        if len(calls) == 3:
            raise OSError(28, "No space left on device", str(path))
        real_write(path, data)

    monkeypatch.setattr(scaffold, "_write_new", failing)
    with pytest.raises(ScaffoldError, match="No space left"):
        init_archive(tmp_path / "archive")
    assert not (tmp_path / "archive").exists()


def test_init_in_the_current_folder_prints_the_files_and_what_to_do_next(tmp_path: Path, run_cli: RunCli) -> None:
    result = run_cli("init", cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    for rel, _ in starter_files():
        assert f"  {rel}\n" in result.stdout
        assert (tmp_path / rel).is_file()
    for command in ("hindsite new", "hindsite serve", "hindsite check --strict", "hindsite build"):
        assert command in result.stdout
    assert "cd " not in result.stdout

    elsewhere = run_cli("init", "other folder", cwd=tmp_path)
    assert elsewhere.exit_code == 0
    assert "cd 'other folder'" in elsewhere.stdout


def test_init_refuses_a_file_as_the_folder(tmp_path: Path, run_cli: RunCli) -> None:
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    with pytest.raises(ScaffoldError, match="not a folder"):
        init_archive(tmp_path / "notes.txt")
    result = run_cli("init", "notes.txt", cwd=tmp_path)
    assert result.exit_code == 2 and "Traceback" not in result.output


# --- hindsite new ------------------------------------------------------------------------------------------------

def test_new_writes_the_expected_file_and_front_matter(archive: Path, run_cli: RunCli) -> None:
    title = "Checkout returned 502s after a proxy config push"
    result = run_cli("new", title, "--service", "checkout-api", "--service", "edge-proxy", "--severity", "major",
                     "--date", "2024-03-14", "--tag", "deploy", "--tag", "config", cwd=archive)
    assert result.exit_code == 0, result.stderr
    path = archive / "content" / f"2024-03-14-{slugify(title)}.md"
    assert result.stdout == f"content/{path.name}\n"
    meta = front_matter(path)
    assert meta["title"] == title
    assert meta["date"] == dt.date(2024, 3, 14)
    assert meta["severity"] == "sev2"  # the alias written as the canonical level
    assert meta["services"] == ["checkout-api", "edge-proxy"]
    assert meta["tags"] == ["deploy", "config"]
    [incident], _ = export_paths([path], load_config(archive / "site.toml"))
    assert (incident.title, incident.date, incident.severity) == (title, dt.date(2024, 3, 14), "sev2")
    assert {"summary", "impact", "timeline", "root_cause", "resolution", "lessons", "action_items"} <= {
        s.key for s in incident.sections}


def test_every_prompt_of_a_new_postmortem_is_reported_by_check(archive: Path, run_cli: RunCli) -> None:
    assert run_cli("new", "Search returned nothing", "--date", "2025-05-06", cwd=archive).exit_code == 0
    path = archive / "content" / "2025-05-06-search-returned-nothing.md"
    prompted = {number for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
                if PROMPT.search(line.split(" #")[0]) and not line.startswith("#")}
    assert len(prompted) > 10
    code, problems = diagnostics_json(run_cli, archive, "--strict")
    reported = {d["line"] for d in problems if d["path"].endswith(path.name) and d["level"] == "warning"}
    assert prompted <= reported
    assert "placeholder" in {d["code"] for d in problems}
    assert code == 1
    assert run_cli("check", cwd=archive).exit_code == 0  # warnings only: a draft still builds


def test_a_filled_in_postmortem_from_the_template_passes_strict_check(archive: Path, run_cli: RunCli) -> None:
    created = new_postmortem(load_config(archive / "site.toml"), "Queue stalled", severity="sev3",
                             services=["billing-worker"], date="2025-05-06")
    text = created.path.read_text(encoding="utf-8")
    times = iter(["2025-05-06T10:00:00+00:00", "2025-05-06T10:10:00+00:00", "2025-05-06T11:00:00+00:00"])
    text = re.sub(r'"!!when[^"]*!!"', lambda m: next(times), text)
    clock = iter(range(10, 60, 5))
    text = re.sub(r"!!HH:MM — ([^!]*)!!", lambda m: f"10:{next(clock):02d} — {m.group(1)}", text)
    text = PROMPT.sub(lambda m: m.group(0).strip("!").replace("@owner", "@sam"), text)
    created.path.write_text(text, encoding="utf-8")
    code, problems = diagnostics_json(run_cli, archive, "--strict")
    assert [d for d in problems if d["level"] != "info"] == [] and code == 0


def test_new_uses_the_sites_template(archive: Path, run_cli: RunCli) -> None:
    write_files(archive, {"templates/postmortem.md": (
        "---\ntitle: {{ title | yaml }}\ndate: {{ date }}\nseverity: {{ (severity or '!!pick!!') | yaml }}\n"
        "services: {{ services | yaml }}\n---\n\n## What happened\n\n!!Ours: {{ levels | join('/') }} in {{ timezone }}!!\n"
    )})
    result = run_cli("new", "Our own template", "--date", "2025-01-02", "--service", "api", cwd=archive)
    assert result.exit_code == 0, result.stderr
    assert "templates/postmortem.md" in result.stderr
    text = (archive / "content" / "2025-01-02-our-own-template.md").read_text(encoding="utf-8")
    assert text == ("---\ntitle: Our own template\ndate: 2025-01-02\nseverity: \"!!pick!!\"\nservices: [api]\n---\n\n"
                    "## What happened\n\n!!Ours: sev1/sev2/sev3/sev4 in UTC!!\n")


def test_the_template_folder_is_the_sites_templates_dir(make_site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    site = make_site(tmp_path, files={"overrides/postmortem.md": "{{ title }} on {{ date }}\n"})
    created = new_postmortem(_defaults(site), "Default folder", date="2025-01-02")
    assert created.template == site / "overrides" / "postmortem.md"
    assert created.path.read_text(encoding="utf-8") == "Default folder on 2025-01-02\n"


def _defaults(site: Path) -> SiteConfig:
    """A site with no site.toml: every default, rooted at `site`."""
    (site / "site.toml").write_text("", encoding="utf-8")
    return load_config(site / "site.toml")


@pytest.mark.parametrize(("template", "expected"), [
    ("{{ nope }}\n", "'nope' is undefined"),
    ("{% if title %}\n", "postmortem.md:1"),
])
def test_a_broken_site_template_is_a_clear_error(archive: Path, run_cli: RunCli, template: str, expected: str) -> None:
    write_files(archive, {"templates/postmortem.md": template})
    result = run_cli("new", "Broken", "--date", "2025-01-02", cwd=archive)
    assert result.exit_code == 1
    assert expected in result.stderr and "templates/postmortem.md" in result.stderr
    assert "Traceback" not in result.output
    assert not (archive / "content" / "2025-01-02-broken.md").exists()


def test_an_unknown_severity_is_a_usage_error_listing_the_sites_levels(make_site, tmp_path: Path,
                                                                       run_cli: RunCli) -> None:  # type: ignore[no-untyped-def]
    site = make_site(tmp_path, config='[severity]\nred = ["outage"]\namber = ["degraded"]\ngreen = []\n')
    result = run_cli("new", "Something broke", "--severity", "sev2", cwd=site)
    assert result.exit_code == 2
    assert "unknown severity 'sev2'" in result.stderr
    for level in load_config(site / "site.toml").severity.levels:
        assert level in result.stderr
    assert "outage" in result.stderr  # aliases shown with their level
    assert list((site / "content").iterdir()) == []
    ok = run_cli("new", "Something broke", "--severity", "Degraded", "--date", "2025-01-02", cwd=site)
    assert ok.exit_code == 0
    assert front_matter(site / "content" / "2025-01-02-something-broke.md")["severity"] == "amber"


@pytest.mark.parametrize("date", ["2025-02-30", "14/03/2024", "yesterday", "2025-1-2"])
def test_a_bad_date_is_a_usage_error(archive: Path, run_cli: RunCli, date: str) -> None:
    before = files_under(archive)
    result = run_cli("new", "Something broke", "--date", date, cwd=archive)
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.stderr and repr(date) in result.stderr
    assert files_under(archive) == before


@pytest.mark.parametrize("args", [("   ",), ("Fine", "--service", " "), ("Fine", "--tag", "")])
def test_empty_names_are_usage_errors(archive: Path, run_cli: RunCli, args: tuple[str, ...]) -> None:
    result = run_cli("new", *args, cwd=archive)
    assert result.exit_code == 2 and "empty" in result.stderr


def test_new_never_overwrites(archive: Path, run_cli: RunCli) -> None:
    path = archive / "content" / "2025-01-02-already-written.md"
    path.write_text("my words\n", encoding="utf-8")
    result = run_cli("new", "Already written", "--date", "2025-01-02", cwd=archive)
    assert result.exit_code == 1
    assert "already exists" in result.stderr and "--date" in result.stderr
    assert path.read_text(encoding="utf-8") == "my words\n"


def test_new_outside_an_archive_says_how_to_start_one(tmp_path: Path, run_cli: RunCli) -> None:
    result = run_cli("new", "Lost", cwd=tmp_path)
    assert result.exit_code == 1
    assert "hindsite init" in result.stderr and "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_the_date_defaults_to_today_in_the_sites_time_zone(make_site, tmp_path: Path,
                                                            run_cli: RunCli) -> None:  # type: ignore[no-untyped-def]
    zone = "Pacific/Kiritimati"  # UTC+14: its today differs from UTC's for 14 hours of every day
    site = make_site(tmp_path, config=f'timezone = "{zone}"\n')
    before = dt.datetime.now(zoneinfo.ZoneInfo(zone)).date()
    result = run_cli("new", "Today", cwd=site)
    after = dt.datetime.now(zoneinfo.ZoneInfo(zone)).date()
    assert result.exit_code == 0
    assert result.stdout.strip() in {f"content/{day.isoformat()}-today.md" for day in (before, after)}
    created = site / result.stdout.strip()
    assert "T14:05:00+14:00" in created.read_text(encoding="utf-8")  # the example time carries the site's offset


def test_service_aliases_become_the_registered_name(make_site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    site = make_site(tmp_path, config='[services.checkout-api]\naliases = ["checkout"]\n')
    created = new_postmortem(load_config(site / "site.toml"), "Aliases", services=["Checkout", "checkout-api", "db"],
                             date="2025-01-02")
    assert front_matter(created.path)["services"] == ["checkout-api", "db"]


@pytest.mark.parametrize("value", [
    "Plain words", "Fix: retry", "yes", "null", "2024-01-01", "!!prompt!!", "# not a comment", "a, b", "[x]",
    "it's", 'say "hi"', "@here", "`code`", "%", "*star", "&anchor", "{brace}", "words #hash", "Ünïcode — dash",
    "- dash", "? question", "12", "3.5", "~", "a: b: c", "trailing colon:",
])
def test_yaml_values_read_back_as_written(value: str) -> None:
    assert yaml.safe_load(f"v: {scaffold.yaml_value(value)}") == {"v": value}
    assert yaml.safe_load(f"v: {scaffold.yaml_value([value, 'x'])}") == {"v": [value, "x"]}


def test_a_tricky_title_survives_into_the_incident(archive: Path) -> None:
    title = 'Fix: "retries" #2 — yes, [really]'
    created = new_postmortem(load_config(archive / "site.toml"), title, date="2025-01-02")
    [incident], problems = export_paths([created.path], load_config(archive / "site.toml"))
    assert incident.title == title
    assert "bad-front-matter" not in {d.code for d in problems + list(incident.diagnostics)}


def test_bad_values_raise_typed_errors(archive: Path) -> None:
    config = load_config(archive / "site.toml")
    with pytest.raises(BadValue):
        new_postmortem(config, "x", severity="sev9")
    with pytest.raises(BadValue):
        new_postmortem(config, "x", date="2025-13-01")
    assert list((archive / "content").glob("*-x.md")) == []


def test_help_describes_both_commands(run_cli: RunCli, tmp_path: Path) -> None:
    top = run_cli("--help", cwd=tmp_path).stdout
    assert "hindsite init" in top and "hindsite new" in top
    init_help = run_cli("init", "--help", cwd=tmp_path).stdout
    for rel in REQUIRED:
        assert rel in init_help
    new_help = run_cli("new", "--help", cwd=tmp_path).stdout
    for option in ("--service", "--severity", "--date", "--tag", "postmortem.md"):
        assert option in new_help


# --- as a new user would ---------------------------------------------------------------------------------------

def hindsite_command() -> list[str]:
    script = Path(sys.executable).with_name("hindsite")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "hindsite"]


def test_a_new_user_starts_an_archive_writes_a_postmortem_and_builds(tmp_path: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*hindsite_command(), *args], cwd=tmp_path, capture_output=True, text=True,
                              encoding="utf-8", timeout=300, check=False)

    assert list(tmp_path.iterdir()) == []
    init = run("init", "--install", INSTALL)  # hindsite came from a clone here: CI gets it from its git host
    assert init.returncode == 0, init.stderr
    check = run("check", "--strict")
    assert check.returncode == 0, check.stdout + check.stderr

    title = "Search returned no results after an index alias swap"
    new = run("new", title, "--service", "x", "--severity", "sev2")
    assert new.returncode == 0, new.stderr
    written = tmp_path / new.stdout.strip()
    assert written.is_file() and written.parent == tmp_path / "content"
    assert run("check", "--strict").returncode == 1  # the new draft's prompts are still there

    build = run("build")
    assert build.returncode == 0, build.stderr
    pages = tmp_path / "_site" / "incidents"
    [sample] = [p for p in (tmp_path / "content").glob("*.md") if p != written]
    new_page = pages / f"{written.stem}.html"
    sample_page = pages / f"{sample.stem}.html"
    assert new_page.is_file() and sample_page.is_file()
    assert title in new_page.read_text(encoding="utf-8")
    assert front_matter(sample)["title"] in sample_page.read_text(encoding="utf-8")
    index = (tmp_path / "_site" / "index.html").read_text(encoding="utf-8")
    assert f"incidents/{written.stem}.html" in index and f"incidents/{sample.stem}.html" in index


# --- where CI installs hindsite from ------------------------------------------------------------------------

def install_commands(archive: Path) -> dict[str, list[str]]:
    """The commands each CI file runs before hindsite's own: the GitHub step named "Install hindsite" and GitLab's
    before_script."""
    github = yaml.safe_load((archive / ".github/workflows/hindsite.yml").read_text(encoding="utf-8"))
    gitlab = yaml.safe_load((archive / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    steps = [step for job in github["jobs"].values() for step in job["steps"]]
    return {"github": [s["run"] for s in steps if s.get("name") == "Install hindsite"],
            "gitlab": gitlab["default"]["before_script"]}


GIT_FOR_SLIM_IMAGE = "apt-get update -qq && apt-get install -y -qq --no-install-recommends git"

INSTALLS = {
    "git-url": (INSTALL, INSTALL),
    "named-git-url-quoted": ("'hindsite @ git+https://git.example.org/tools/hindsite@v0.1.0'",
                             "'hindsite @ git+https://git.example.org/tools/hindsite@v0.1.0'"),
    "named-git-url-unquoted": ("hindsite @ git+https://git.example.org/tools/hindsite@v0.1.0",
                               "'hindsite @ git+https://git.example.org/tools/hindsite@v0.1.0'"),
    "wheel-in-the-repository": ("vendor/hindsite-0.1.0-py3-none-any.whl", "vendor/hindsite-0.1.0-py3-none-any.whl"),
    "own-index": ("hindsite==0.1.0 --index-url https://pypi.example.org/simple/",
                  "hindsite==0.1.0 --index-url https://pypi.example.org/simple/"),
}


@pytest.mark.parametrize(("given", "written"), list(INSTALLS.values()), ids=list(INSTALLS))
def test_the_ci_files_install_hindsite_as_init_was_told(tmp_path: Path, run_cli: RunCli, given: str, written: str) -> None:
    result = run_cli("init", "--install", given, cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    assert f"The CI files install hindsite with: python -m pip install {written}\n" in result.stdout
    assert "warning" not in result.stderr
    command = f"python -m pip install {written}"
    git_first = [GIT_FOR_SLIM_IMAGE] if "git+" in written else []  # python:3.12-slim has no git, which pip needs
    assert install_commands(tmp_path) == {"github": [command], "gitlab": [*git_first, command]}
    assert "FILL IN" not in (tmp_path / ".gitlab-ci.yml").read_text(encoding="utf-8")
    assert run_cli("check", cwd=tmp_path).exit_code == 0


@pytest.mark.parametrize("given", ["", "  ", "--pre --no-deps", "'hindsite", "hindsite\n--pre"])
def test_an_unusable_install_is_a_usage_error_and_writes_nothing(tmp_path: Path, run_cli: RunCli, given: str) -> None:
    result = run_cli("init", "--install", given, cwd=tmp_path)
    assert result.exit_code == 2
    assert "--install" in result.stderr and "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_without_a_source_ci_can_reach_the_ci_files_stop_with_a_sentence(archive: Path, tmp_path: Path,
                                                                         run_cli: RunCli) -> None:
    unset = tmp_path / "unset"
    init_archive(unset)  # no install: as when this hindsite came from a folder
    commands = install_commands(unset)
    assert len(commands["github"]) == len(commands["gitlab"]) == 1
    for name, (command,) in commands.items():
        ran = subprocess.run(["sh", "-c", command], capture_output=True, text=True, timeout=30, check=False)
        assert ran.returncode == 1, name
        assert ran.stdout == "" and f"{scaffold.UNSET_INSTALL} (see the FILL IN comment in this CI file)" in ran.stderr
    for rel in scaffold.CI_FILES:
        text = (unset / rel).read_text(encoding="utf-8")
        assert "# FILL IN where CI installs hindsite from" in text
        assert f"hindsite=={__version__} --index-url" in text  # the note's examples name this version

    code, problems = diagnostics_json(run_cli, unset)
    assert code == 1
    assert [(p["path"], p["code"], p["level"]) for p in problems] == [
        (".github/workflows/hindsite.yml", "ci-install", "error"), (".gitlab-ci.yml", "ci-install", "error")]
    for problem in problems:
        line = (unset / str(problem["path"])).read_text(encoding="utf-8").splitlines()[int(problem["line"]) - 1]
        assert scaffold.UNSET_INSTALL in line and not line.lstrip().startswith("#")

    for rel in scaffold.CI_FILES:  # filled in by hand, the FILL IN comment left where it was
        path = unset / rel
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        lines = [line.split("echo")[0] + f"python -m pip install {INSTALL}\n" if scaffold.UNSET_INSTALL in line
                 and not line.lstrip().startswith("#") else line for line in lines]
        path.write_text("".join(lines), encoding="utf-8")
    assert diagnostics_json(run_cli, unset) == (0, [])
    assert install_commands(unset)["github"] == [f"python -m pip install {INSTALL}"]


def test_check_names_an_unset_ci_file_as_seen_from_where_it_runs(tmp_path: Path, run_cli: RunCli) -> None:
    init_archive(tmp_path / "team archive")
    result = run_cli("check", "-c", "team archive/site.toml", cwd=tmp_path)
    assert result.exit_code == 1
    assert "team archive/.gitlab-ci.yml:" in result.stderr and "ci-install" in result.stderr


class Installed:
    """Installed metadata as importlib.metadata gives it: a version, and the files of its dist-info folder."""

    def __init__(self, files: dict[str, str]) -> None:
        self.version = "0.1.0"
        self._files = files

    def read_text(self, name: str) -> str | None:
        return self._files.get(name)


DIRECT_URLS = {
    "git-tag": ({"url": "https://github.com/acme/hindsite", "vcs_info": {
        "vcs": "git", "commit_id": "3f2c9e1d", "requested_revision": "v0.1.0"}},
        scaffold.Install("git+https://github.com/acme/hindsite@3f2c9e1d", scaffold.Origin.VCS,
                         "https://github.com/acme/hindsite@v0.1.0")),
    "git-subdirectory": ({"url": "ssh://git@git.example.org/tools/monorepo.git", "subdirectory": "hindsite",
                          "vcs_info": {"vcs": "git", "commit_id": "abc123"}},
                         scaffold.Install("'git+ssh://git@git.example.org/tools/monorepo.git@abc123#subdirectory=hindsite'",
                                          scaffold.Origin.VCS, "ssh://git@git.example.org/tools/monorepo.git@abc123")),
    "wheel-at-a-url": ({"url": "https://files.example.org/hindsite-0.1.0-py3-none-any.whl",
                        "archive_info": {"hashes": {"sha256": "c0ffee"}}},
                       scaffold.Install("'https://files.example.org/hindsite-0.1.0-py3-none-any.whl#sha256=c0ffee'",
                                        scaffold.Origin.ARCHIVE, "https://files.example.org/hindsite-0.1.0-py3-none-any.whl")),
    "local-wheel": ({"url": "file:///home/ana/hindsite-0.1.0-py3-none-any.whl", "archive_info": {}},
                    scaffold.Install(None, scaffold.Origin.LOCAL, "file:///home/ana/hindsite-0.1.0-py3-none-any.whl")),
    "editable-clone": ({"url": "file:///home/ana/src/hindsite", "dir_info": {"editable": True}},
                       scaffold.Install(None, scaffold.Origin.LOCAL, "file:///home/ana/src/hindsite")),
    "pipx-from-a-folder": ({"url": "file:///home/ana/src/hindsite", "dir_info": {}},
                           scaffold.Install(None, scaffold.Origin.LOCAL, "file:///home/ana/src/hindsite")),
}


@pytest.mark.parametrize(("record", "expected"), list(DIRECT_URLS.values()), ids=list(DIRECT_URLS))
def test_by_default_ci_installs_hindsite_from_where_this_one_came(
    record: dict, expected: scaffold.Install, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importlib.metadata, "distribution",
                        lambda name: Installed({"direct_url.json": json.dumps(record)}))
    assert scaffold.this_install() == expected


def test_hindsite_from_a_package_index_is_installed_by_version(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importlib.metadata, "distribution", lambda name: Installed({}))  # no direct_url.json
    assert scaffold.this_install() == scaffold.Install("hindsite==0.1.0", scaffold.Origin.INDEX)


def test_init_warns_when_ci_cannot_reach_this_hindsite(tmp_path: Path, run_cli: RunCli,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importlib.metadata, "distribution", lambda name: Installed(
        {"direct_url.json": json.dumps(DIRECT_URLS["editable-clone"][0])}))
    result = run_cli("init", "archive", cwd=tmp_path)
    assert result.exit_code == 0
    warning = result.stderr
    assert warning.startswith("hindsite init: warning: this hindsite was installed from files on this machine "
                              "(file:///home/ana/src/hindsite), which CI cannot reach")
    lines = {rel: next(n for n, line in enumerate((tmp_path / "archive" / rel).read_text(encoding="utf-8").splitlines(), 1)
                       if scaffold.UNSET_INSTALL in line) for rel in scaffold.CI_FILES}
    for rel, line in lines.items():
        assert f"  archive/{rel}:{line}\n" in warning
    assert "python -m pip install SOURCE" in warning and "hindsite check" in warning
    assert "The CI files install hindsite with" not in result.stdout


def test_init_says_how_ci_installs_hindsite_from_an_index(tmp_path: Path, run_cli: RunCli,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importlib.metadata, "distribution", lambda name: Installed({}))
    result = run_cli("init", cwd=tmp_path)
    assert result.exit_code == 0 and result.stderr == ""
    assert "The CI files install hindsite with: python -m pip install hindsite==0.1.0\n" in result.stdout
    assert "add --index-url URL" in result.stdout
    assert install_commands(tmp_path)["github"] == ["python -m pip install hindsite==0.1.0"]


def test_a_draft_shows_each_prompt_where_its_text_will_go_and_friendly_fact_labels(
    archive: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    assert run_cli("new", "Search returned nothing", "--date", "2025-05-06", cwd=archive).exit_code == 0
    path = archive / "content" / "2025-05-06-search-returned-nothing.md"
    body = path.read_text(encoding="utf-8").split("\n---\n", 1)[1]
    guidance = [" ".join(found.split()) for found in re.findall(r"!!(.*?)!!", body, re.S)]
    assert run_cli("build", "--output", str(tmp_path / "out"), cwd=archive).exit_code == 0
    page = (tmp_path / "out" / "incidents" / "2025-05-06-search-returned-nothing.html").read_text(encoding="utf-8")
    shown = [html.unescape(text) for text in re.findall(r'<p class="prompt">(.*?)</p>', page, re.S)]
    assert shown == guidance  # each prompt, in the order written
    assert "Not filled in" not in page
    facts = page.split('<aside class="facts"', 1)[1].split("</aside>", 1)[0]
    labels = re.findall(r"<dt>(.*?)</dt>", facts)
    assert {"Started", "Detected", "Resolved"} <= set(labels)
    assert "started_at" not in facts and "!!" not in facts
    assert '<dd class="prompt">when the impact began</dd>' in facts
