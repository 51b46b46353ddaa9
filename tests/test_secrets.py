"""Pasted credentials are reported, and masked in the published site when asked; the source is untouched."""

from __future__ import annotations

from pathlib import Path

import pytest

from hindsite.normalise.secrets import find_secrets, redact

# Fake credentials in the shapes real ones have; none of them is valid anywhere.
FAKE = {
    "private key": "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAfake\n-----END OPENSSH PRIVATE KEY-----",
    "AWS access key": "AKIAZZZZZZZZZZZZZZZZ",
    "AWS secret key": "aws_secret_access_key = abcdEFGHijklMNOPqrstUVWXyz0123456789ABCD",
    "GitHub token": "ghp_" + "a1" * 18,
    "Slack token": "xoxb-123456789012-abcdefghijkl",
    "Slack webhook": "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
    "Google API key": "AIza" + "B" * 35,
    "Stripe key": "sk_live_" + "4" * 24,
    "JSON web token": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlZmFrZQ",
    "bearer token": "Authorization: Bearer abcdefghijklmnopqrstuvwxyz012345",
    "password in a URL": "postgres://admin:s3cr3tpass@db.internal:5432/orders",
    "password": "DB_PASSWORD=correct-horse-battery",
}


@pytest.mark.parametrize("kind", list(FAKE), ids=list(FAKE))
def test_each_kind_of_secret_is_found(kind: str) -> None:
    text = f"We pasted this into the channel: {FAKE[kind]} and moved on."
    assert [f.kind for f in find_secrets(text)] == [kind]


@pytest.mark.parametrize(
    "text",
    [
        "The AKIA prefix marks AWS access keys.",
        "See https://example.com/docs and postgres://db.internal:5432/orders (no password).",
        "The password policy requires rotation.",
        "Tokens are issued by the gateway; a bearer token is short-lived.",
        "Commit 3f4e5d6c7b8a9f0e1d2c3b4a5968778695a4b3c2 fixed it.",
    ],
    ids=["prefix-alone", "urls-without-password", "word-password", "word-token", "commit-hash"],
)
def test_ordinary_prose_is_not_a_secret(text: str) -> None:
    assert find_secrets(text) == []


def test_redaction_keeps_line_breaks_so_line_numbers_stay_true() -> None:
    text = "before\n" + FAKE["private key"] + "\nafter"
    masked = redact(text, find_secrets(text))
    assert masked.count("\n") == text.count("\n")
    assert "[redacted private key]" in masked and "b3BlbnNz" not in masked


def test_personal_data_is_found_only_when_asked() -> None:
    text = "Call Ana at +44 20 7946 0958 or write to ana@example.com."
    assert find_secrets(text) == []
    assert sorted(f.kind for f in find_secrets(text, personal=True)) == ["e-mail address", "phone number"]


DOCUMENT = """---
title: Tokens pasted into the incident channel
date: 2024-05-01
---

## Summary

The deploy bot's token {github} was pasted while debugging.
Ana (ana@example.com) rotated it.

## Root cause

The runbook printed the connection string {url}.
"""


def _site(make_site, root: Path, config: str = "") -> Path:  # type: ignore[no-untyped-def]
    text = DOCUMENT.format(github=FAKE["GitHub token"], url=FAKE["password in a URL"])
    return make_site(root, files={"content/2024-05-01-tokens.md": text}, config=config)


def _published(out: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in out.rglob("*") if p.is_file())


def test_secrets_are_reported_with_their_lines_and_fail_a_strict_build(make_site, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    site = _site(make_site, tmp_path)
    result = run_cli("build", "--strict", "--output", str(site / "out"), cwd=site)
    assert result.exit_code == 1
    assert "content/2024-05-01-tokens.md:8: warning: secret: GitHub token found on this line" in result.stderr
    assert "content/2024-05-01-tokens.md:13: warning: secret: password in a URL found on this line" in result.stderr
    assert FAKE["GitHub token"] not in result.stderr  # a diagnostic never repeats the secret


def test_without_redact_the_text_is_published_as_written(make_site, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    site = _site(make_site, tmp_path)
    run_cli("build", "--output", str(site / "out"), cwd=site)
    assert FAKE["GitHub token"] in _published(site / "out")


@pytest.mark.parametrize("how", ["site.toml", "--redact"])
def test_redact_masks_every_published_file_and_leaves_the_source(make_site, run_cli, tmp_path: Path, how: str) -> None:  # type: ignore[no-untyped-def]
    site = _site(make_site, tmp_path, "redact = true\n" if how == "site.toml" else "")
    source = (site / "content/2024-05-01-tokens.md").read_text(encoding="utf-8")
    args = ["build", "--output", str(site / "out")] + (["--redact"] if how == "--redact" else [])
    result = run_cli(*args, cwd=site)
    assert result.exit_code == 0, result.stderr
    published = _published(site / "out")
    assert FAKE["GitHub token"] not in published
    assert "s3cr3tpass" not in published
    assert "[redacted GitHub token]" in published and "[redacted password in a URL]" in published
    assert "ana@example.com" in published  # personal data is masked only with redact_personal
    assert (site / "content/2024-05-01-tokens.md").read_text(encoding="utf-8") == source


def test_redact_personal_masks_e_mail_addresses(make_site, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    site = _site(make_site, tmp_path, "redact_personal = true\n")
    run_cli("build", "--output", str(site / "out"), cwd=site)
    published = _published(site / "out")
    assert "ana@example.com" not in published and "[redacted e-mail address]" in published
