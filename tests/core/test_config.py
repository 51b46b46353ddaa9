"""site.toml → SiteConfig: defaults, every key, and diagnostics that say what to fix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hindsite.core import diagnostics as diag
from hindsite.core.config import DEFAULT_SEVERITY, ConfigError, SeverityScale, SiteConfig, load_config
from hindsite.core.diagnostics import Diagnostic, Level


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "site.toml"
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(tmp_path: Path, text: str) -> list[Diagnostic]:
    with pytest.raises(ConfigError) as caught:
        load_config(write_config(tmp_path, text))
    return caught.value.diagnostics


# --- defaults and keys --------------------------------------------------------


def test_no_file_gives_defaults_rooted_at_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    config = load_config(None)
    root = tmp_path.resolve()
    assert config.root.resolve() == root
    assert config.title == "Incident archive"
    assert config.description == "" and config.base_url == "" and config.repo_url == ""
    assert config.content_dir.resolve() == root / "content"
    assert config.output_dir.resolve() == root / "_site"
    assert config.templates_dir.resolve() == root / "overrides"
    assert config.theme == "default"
    assert config.timezone == "UTC"
    assert config.day_first is None  # each document decides, else its ambiguous dates are left out
    assert config.severity.levels == tuple(DEFAULT_SEVERITY)
    assert dict(config.section_aliases) == {}
    assert config.required_sections == ()


def test_every_key_is_read(tmp_path: Path) -> None:
    path = write_config(
        tmp_path,
        """
title = "Ops archive"
description = "What broke and why."
base_url = "https://example.test/pm/"
repo_url = "https://git.example.test/ops/pm"
content_dir = "posts"
output_dir = "public"
templates_dir = "my-templates"
theme = "themes/plain"
timezone = "Africa/Nairobi"
day_first = true

[severity]
red = ["critical", "P1"]
amber = ["warn"]

[sections]
required = ["summary", "timeline"]

[sections.aliases]
"What we saw" = "impact"
""",
    )
    config = load_config(path)
    root = tmp_path.resolve()
    assert config.root == root
    assert config.title == "Ops archive"
    assert config.description == "What broke and why."
    assert config.base_url == "https://example.test/pm/"
    assert config.repo_url == "https://git.example.test/ops/pm"
    assert config.content_dir == root / "posts"
    assert config.output_dir == root / "public"
    assert config.templates_dir == root / "my-templates"
    assert config.theme == "themes/plain"
    assert config.timezone == "Africa/Nairobi"
    assert str(config.tzinfo) == "Africa/Nairobi"
    assert config.day_first is True
    assert config.severity.levels == ("red", "amber")
    assert dict(config.section_aliases) == {"What we saw": "impact"}
    assert config.required_sections == ("summary", "timeline")


def test_paths_are_relative_to_the_config_file_not_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "deep" / "site"
    site.mkdir(parents=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    config = load_config(write_config(site, 'content_dir = "docs/pm"\noutput_dir = "../out"\n'))
    assert config.root == site.resolve()
    assert config.content_dir.resolve() == (site / "docs" / "pm").resolve()
    assert config.output_dir.resolve() == (tmp_path / "deep" / "out").resolve()
    assert config.templates_dir.resolve() == (site / "overrides").resolve()


def test_command_line_folders_win_over_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = write_config(tmp_path, 'content_dir = "posts"\noutput_dir = "public"\n')
    config = load_config(path, content_dir=Path("other"), output_dir=Path("built"))
    assert config.content_dir == (tmp_path / "other").resolve()
    assert config.output_dir == (tmp_path / "built").resolve()


def test_limits_on_tags_and_services_per_document_default_and_are_read(tmp_path: Path) -> None:
    defaults = load_config(write_config(tmp_path, ""))
    assert (defaults.max_tags_per_document, defaults.max_services_per_document) == (50, 20)
    config = load_config(write_config(tmp_path, "max_tags_per_document = 5\nmax_services_per_document = 2\n"))
    assert (config.max_tags_per_document, config.max_services_per_document) == (5, 2)


@pytest.mark.parametrize("key", ["max_tags_per_document", "max_services_per_document", "max_document_mb"])
@pytest.mark.parametrize(("value", "start"), [("0", "must be at least 1"), ("true", "must be a number, not true or false"),
                                              ('"ten"', "must be a number, not a string")])
def test_limits_must_be_whole_numbers_of_at_least_one(tmp_path: Path, key: str, value: str, start: str) -> None:
    (problem,) = problems_of(tmp_path, f"title = 'x'\n{key} = {value}\n")
    assert problem.message.startswith(f"{key!r} {start}")
    assert problem.line == 2


def test_config_is_frozen(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, 'title = "x"\n'))
    with pytest.raises(AttributeError):
        config.title = "y"  # type: ignore[misc]


# --- diagnostics ----------------------------------------------------------------


def test_unknown_key_suggests_the_close_one(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, 'titel = "Ops"\n')
    assert len(problems) == 1
    assert "did you mean 'title'?" in problems[0].message
    assert problems[0].code == "config" and problems[0].level is Level.ERROR
    assert problems[0].line == 1


def test_unknown_key_far_from_any_lists_the_known_keys(tmp_path: Path) -> None:
    (problem,) = problems_of(tmp_path, 'zzzzqqq = 1\n')
    assert "known keys:" in problem.message
    assert "title" in problem.message and "timezone" in problem.message


@pytest.mark.parametrize(
    ("setting", "start"),
    [
        ("title = 42", "'title' must be a string, not a number"),
        ("day_first = \"yes\"", "'day_first' must be true or false, not a string"),
        ("severity = [\"sev1\"]", "'severity' must be a table, not a list"),
        ("output_dir = false", "'output_dir' must be a string, not true or false"),
    ],
)
def test_wrong_type_says_what_was_expected(tmp_path: Path, setting: str, start: str) -> None:
    (problem,) = problems_of(tmp_path, f"\n\n{setting}\n")
    assert problem.message.startswith(start)
    assert problem.line == 3


def test_every_problem_is_reported_in_one_error(tmp_path: Path) -> None:
    problems = problems_of(
        tmp_path,
        """titel = "Ops"
description = ["a", "b"]
timezone = "Mars/Olympus_Mons"
[sections]
requird = ["summary"]
""",
    )
    assert len(problems) == 4
    messages = "\n".join(p.message for p in problems)
    assert "unknown key 'titel'" in messages
    assert "'description' must be a string, not a list" in messages
    assert "unknown timezone 'Mars/Olympus_Mons'" in messages
    assert "unknown key 'sections.requird'; did you mean 'required'?" in messages
    assert sorted(p.line for p in problems) == [1, 2, 3, 5]


def test_config_error_message_joins_every_problem(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write_config(tmp_path, 'titel = "a"\nthem = "b"\n'))
    assert "'titel'" in str(caught.value) and "'them'" in str(caught.value)


def test_invalid_toml_gives_the_line(tmp_path: Path) -> None:
    (problem,) = problems_of(tmp_path, 'title = "Ops"\ndescription = "ok"\ntheme = = "x"\n')
    assert problem.code == "config"
    assert problem.line == 3
    assert problem.message.startswith("invalid TOML:")


def test_non_utf8_config_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "site.toml"
    path.write_bytes(b'title = "caf\xe9"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert "UTF-8" in caught.value.diagnostics[0].message


@pytest.mark.parametrize("zone", ["Europe/Atlantis", "UTC+3", "not a zone"])
def test_bad_timezone(tmp_path: Path, zone: str) -> None:
    (problem,) = problems_of(tmp_path, f'timezone = "{zone}"\n')
    assert problem.message.startswith(f"unknown timezone {zone!r}")
    assert problem.line == 1


# --- severity -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("SEV-1", "sev1"),
        ("sev 1", "sev1"),
        ("Critical", "sev1"),
        ("P0", "sev1"),
        ("P2", "sev2"),
        ("2", "sev2"),
        ("Major", "sev2"),
        ("moderate", "sev3"),
        ("4", "sev4"),
        ("Low", "sev4"),
        ("SEV2 (major)", "sev2"),
        ("5", None),
        ("0", None),
        ("apocalyptic", None),
        ("", None),
    ],
)
def test_default_scale_canonical(written: str, expected: str | None) -> None:
    scale = SiteConfig(root=Path(".")).severity
    assert scale.canonical(written) == expected


def test_custom_scale_from_severity_table(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, '[severity]\nred = ["critical", "P1"]\namber = ["warn"]\ngreen = []\n'))
    scale = config.severity
    assert scale.levels == ("red", "amber", "green")
    assert scale.canonical("Critical") == "red"
    assert scale.canonical("p1") == "red"
    assert scale.canonical("WARN") == "amber"
    assert scale.canonical("2") == "amber"
    assert scale.canonical("3") == "green"
    assert scale.canonical("Green") == "green"
    assert scale.canonical("sev1") is None  # the default scale no longer applies
    assert scale.rank("red") == 0 and scale.rank("green") == 2 and scale.rank(None) == 3


def test_severity_scale_from_mapping_keeps_order() -> None:
    scale = SeverityScale.from_mapping({"b": ("x",), "a": ("y",)})
    assert scale.levels == ("b", "a")
    assert scale.canonical("X") == "b" and scale.canonical("1") == "b" and scale.canonical("2") == "a"


def test_severity_level_must_be_a_list(tmp_path: Path) -> None:
    (problem,) = problems_of(tmp_path, '[severity]\nsev1 = ["critical"]\nsev2 = "major"\n')
    assert problem.message.startswith("severity 'sev2' must be a list of aliases")
    assert problem.line == 3


def test_severity_with_only_bad_levels_is_reported_once(tmp_path: Path) -> None:
    """Every level is invalid: say so, without also claiming the table is empty."""
    problems = problems_of(tmp_path, '[severity]\nsev1 = "critical"\n')
    assert [p.message.split(" must ")[0] for p in problems] == ["severity 'sev1'"]


def test_empty_severity_table(tmp_path: Path) -> None:
    (problem,) = problems_of(tmp_path, '[severity]\n')
    assert "empty" in problem.message


# --- sections -------------------------------------------------------------------


def test_section_alias_to_unknown_key_is_rejected(tmp_path: Path) -> None:
    (problem,) = problems_of(tmp_path, '[sections.aliases]\n"How we fixed it" = "resolutoin"\n')
    assert problem.message.startswith("sections.aliases: 'How we fixed it' maps to unknown section 'resolutoin'")
    assert "did you mean 'resolution'?" in problem.message
    assert problem.line == 2


def test_section_aliases_are_used_by_the_config(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, '[sections]\naliases = { "Blast radius" = "impact" }\n'))
    assert dict(config.section_aliases) == {"Blast radius": "impact"}


def test_unknown_required_section(tmp_path: Path) -> None:
    (problem,) = problems_of(tmp_path, '[sections]\nrequired = ["summary", "postscript"]\n')
    assert "unknown section 'postscript'" in problem.message
    assert problem.line == 2


def test_required_must_be_a_list(tmp_path: Path) -> None:
    (problem,) = problems_of(tmp_path, '[sections]\nrequired = "summary"\n')
    assert problem.message == "sections.required must be a list of section keys"


@pytest.mark.parametrize("value", ["3", '"impact"', '["impact"]'])
def test_section_aliases_that_are_not_a_table_are_a_config_error(tmp_path: Path, value: str) -> None:
    """A mistyped `aliases` is reported as a problem, never a crash."""
    problems = problems_of(tmp_path, f"[sections]\naliases = {value}\n")
    assert len(problems) == 1
    assert problems[0].code == "config"
    assert "aliases" in problems[0].message


# --- addresses ------------------------------------------------------------------


@pytest.mark.parametrize("key", ["repo_url", "base_url"])
@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)", "//evil.example/pm", "/pm/", "pm",
    "ftp://files.example/pm", "https://", "https://git.example.test/ops pm", "https://git.example.test/\u2028",
])
def test_an_address_that_is_not_an_http_url_is_a_config_error(tmp_path: Path, key: str, url: str) -> None:
    (problem,) = problems_of(tmp_path, f'title = "Ops"\n{key} = {json.dumps(url)}\n')
    assert (problem.code, problem.level, problem.line) == ("config", Level.ERROR, 2)
    assert problem.message.startswith(f"{key!r} must be an http:// or https:// address without spaces, such as 'https://")
    assert problem.message.endswith(f"or left out; it is {url!r}")


@pytest.mark.parametrize("url", ["https://git.example.test/ops/pm", "http://localhost:8080/pm/", "HTTPS://GIT.EXAMPLE.TEST"])
def test_http_addresses_are_accepted(tmp_path: Path, url: str) -> None:
    config = load_config(write_config(tmp_path, f'repo_url = "{url}"\nbase_url = "{url}"\n'))
    assert (config.repo_url, config.base_url) == (url, url)


# --- Diagnostic.format ------------------------------------------------------------


def test_config_diagnostic_format_is_exact(tmp_path: Path) -> None:
    path = write_config(tmp_path, 'title = "Ops"\ntitel = "Ops"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    (problem,) = caught.value.diagnostics
    assert problem.format() == f"{path}:2: error: config: unknown key 'titel'; did you mean 'title'?"


@pytest.mark.parametrize(
    ("diagnostic", "expected"),
    [
        (diag.error("config", "bad key", "site.toml", 4), "site.toml:4: error: config: bad key"),
        (diag.warning("no-date", "no date", "content/a.md", 1), "content/a.md:1: warning: no-date: no date"),
        (diag.warning("duplicate-id", "twice", "content/b.md"), "content/b.md: warning: duplicate-id: twice"),
        (diag.info("note", "fyi"), "<site>: info: note: fyi"),
        (diag.error("empty", "nothing", "", 7), "<site>:7: error: empty: nothing"),
    ],
)
def test_diagnostic_format(diagnostic: Diagnostic, expected: str) -> None:
    assert diagnostic.format() == expected


def test_fails_counts_warnings_only_when_strict() -> None:
    warnings = [diag.warning("no-date", "x", "a.md", 1)]
    assert not diag.fails(warnings, strict=False)
    assert diag.fails(warnings, strict=True)
    assert diag.fails([diag.error("config", "x")], strict=False)
    assert not diag.fails([diag.info("note", "x")], strict=True)


def test_the_attachment_scan_limit_is_read_and_must_be_positive(tmp_path: Path) -> None:
    assert load_config(write_config(tmp_path, "max_attachment_scan_mb = 200\n")).max_attachment_scan_mb == 200
    messages = [d.message for d in problems_of(tmp_path, "max_attachment_scan_mb = 0\n")]
    assert messages == ["'max_attachment_scan_mb' must be at least 1 (text attachments up to this many megabytes are scanned "
                        "for credentials (default 64))"]
