"""Pasted credentials are reported, and masked in the published site when asked; the source is untouched."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hindsite.normalise import secrets
from hindsite.normalise.secrets import find_secrets, lines_of, redact, scan_blocks

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


# Invented credentials in the shapes people paste them; (text, kind, the part that must be masked).
GITHUB = "ghp_" + "Zq7" * 12
SHAPES = [
    ("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAfakefakefakefake\nZmFrZWZha2VmYWtlZmFrZQ==\n\nWe rotated it.",
     "private key", "ZmFrZWZha2VmYWtlZmFrZQ"),
    ('{"private_key": "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANfakefake\\nZmFrZQ==\\n-----END PRIVATE KEY-----\\n"}',
     "private key", "MIIEvQIBADANfakefake"),
    ("-----BEGIN OPENSSH PRIVATE KEY----- b3BlbnNzaC1rZXktdjEfake ZmFrZWZha2U=", "private key", "ZmFrZWZha2U"),
    ('{"password": "hunter22"}', "password", "hunter22"),
    ('{"db_password": "correct horse"}', "password", "correct horse"),
    ("{'password': 'sunshine'}", "password", "sunshine"),
    ("password => 'sunshine'", "password", "sunshine"),
    ("password: hunter22", "password", "hunter22"),
    ("**Password:** Hunter22!", "password", "Hunter22!"),
    ("PGPASSWORD=sunshine psql -h db", "password", "sunshine"),
    ('"aws_secret_access_key": "abcdEFGHijklMNOPqrstUVWXyz0123456789ABCD"', "AWS secret key", "abcdEFGHijklMNOPqrst"),
    ("xAKIAFAKEFAKEFAKE7357", "AWS access key", "AKIAFAKEFAKEFAKE7357"),
    ("KEY_AKIAFAKEFAKEFAKE7357 was in the log", "AWS access key", "AKIAFAKEFAKEFAKE7357"),
    (f"tokenghp_{'Zq7' * 12}", "GitHub token", GITHUB),
    (f'"{GITHUB}"', "GitHub token", GITHUB),
    (f"GITHUB_{GITHUB}_old", "GitHub token", GITHUB),
    ("key=AIza" + "Fk9" * 11 + "xy", "Google API key", "AIza" + "Fk9" * 11 + "xy"),
    ("slackxoxb-123456789012-abcdefghijkl", "Slack token", "xoxb-123456789012"),
    ("STRIPE=sk_live_" + "4a" * 12, "Stripe key", "sk_live_" + "4a" * 12),
    ("jwt=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlZmFrZQ", "JSON web token", "c2lnbmF0dXJlZmFrZQ"),
]


@pytest.mark.parametrize(("text", "kind", "secret"), SHAPES, ids=[f"{n}-{s[1]}" for n, s in enumerate(SHAPES)])
def test_secrets_are_found_in_every_shape_they_are_pasted_in(text: str, kind: str, secret: str) -> None:
    found = find_secrets(text)
    assert [f.kind for f in found] == [kind]
    assert secret not in redact(text, found)


@pytest.mark.parametrize(
    "text",
    [
        "password: see the vault",
        "Password: rotated",
        "The token bucket refilled too slowly.",
        "A password reset email went out to every user.",
        "token: expired",
        "Secret: Redis-cluster credentials were rotated.",
        "password_policy: strict",
        "PASSWORD_FILE=/run/secrets/db",
        "password: ${DB_PASSWORD}",
        "password: <redacted>",
        "password=********",
        "token_type: bearer",
        "max_tokens: 4096",
        "tokens: 12345678",
        "PWD=/home/ana/src",
        "secret: https://vault.example.com/v1/db",
        "token: 2024-05-01T10:00Z",
        "The ghp_ prefix marks GitHub tokens and AIza marks Google's.",
        "disk_live_migration_finished_today",
        "The AKIAS3 bucket policy",
    ],
)
def test_prose_about_credentials_is_not_a_secret(text: str) -> None:
    assert find_secrets(text) == []


def test_overlapping_findings_are_masked_as_one_covering_both() -> None:
    text = "password=AKIAFAKEFAKEFAKE7357tail99 was pasted"  # an access key glued to more of the password
    found = find_secrets(text)
    assert [f.kind for f in found] == ["AWS access key"]
    assert redact(text, found) == "password=[redacted AWS access key] was pasted"


def test_lines_are_counted_right_for_many_findings() -> None:
    text = "".join(f"line {n}\n" if n % 3 else f"token=abc{n:06d}\n" for n in range(3000))
    lines = [line for line, _ in lines_of(text, find_secrets(text), 10)]
    assert lines == [10 + n for n in range(0, 3000, 3)]


def test_a_long_text_scanned_in_blocks_finds_what_the_whole_text_has() -> None:
    key = "-----BEGIN PRIVATE KEY-----\n" + "TUlJRXZRSUJBREFOZmFrZQ==\n" * 40 + "-----END PRIVATE KEY-----\n"
    text = ("log line without secrets\n" * 997 + key + f"token={GITHUB}\n") * 20
    pieces = list(scan_blocks(text[n : n + 4096] for n in range(0, len(text), 4096)))
    assert "".join(piece for piece, _ in pieces) == text
    masked = "".join(redact(piece, found) for piece, found in pieces)
    assert masked == redact(text, find_secrets(text))


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


# --- the quick test before a case-insensitive pattern never keeps it from a secret ------------------------

_SECRET_PIECES = [
    "password: hunter22!", "PASSWORD=s3cr3t!!", "paſſword: x9x9x9!", "api_Key = 'abcd1234'", "ACCESS_TOKEN: tok3n!!",
    "Secret_Key => 'abcdefgh'", "aws_secret_access_key = " + "A" * 40, "AWS_SECRET_KEY: " + "b/" * 20, "Authorization:",
    "Bearer " + "x" * 24, "BEARER " + "y" * 30, "ana@example.com", "ANA@EXAMPLE.ORG", "pwd=", "token", " ", "\n", ":",
    "=", "'", '"', "!", "ſ", "K", "k", "x",
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_SECRET_PIECES), max_size=8).map("".join) | st.sampled_from(_SECRET_PIECES))
def test_the_quick_test_before_a_pattern_never_keeps_it_from_a_secret(text: str) -> None:
    found = find_secrets(text, personal=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(secrets, "_holds_any", lambda text, words: True)
        assert find_secrets(text, personal=True) == found
