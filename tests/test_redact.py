"""Credentials reach no output with redact on, wherever in a document they stand; without it each is reported at its line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

# Invented credentials in real shapes, one per place, so a leak names the path it took.
FRONT = {
    "title": "AKIAFAKEFAKEFAKE7357",
    "services": "ghp_" + "Sv7" * 12,
    "tags": "xoxb-123456789012-tagtagtagtag",
    "custom": "sk_live_" + "9c" * 12,
    "nested": "s3cr3tpassNested",
    "summary": "AIza" + "Fm3" * 11 + "qq",
    "key": "xoxp-987654321098-keykeykeykey",
}
BODY = {
    "section": "ghp_" + "Bd4" * 12,
    "timeline": "Tr0ub4dor&3x",
    "action": "xoxb-555555555555-actionaction",
    "root cause": "AKIAROOTCAUSE0000042",
    "private key": "TUlJRW93SUJBQUtDQVFFQWZha2VmYWtl",
    "json": "hunter22json",
}
EVERY = {**FRONT, **BODY}

DOCUMENT = f"""---
title: "Leak of {FRONT['title']} in the deploy logs"
date: 2024-05-01
services: [billing, {FRONT['services']}]
tags:
  - deploy
  - {FRONT['tags']}
deploy_key: {FRONT['custom']}
links:
  dashboard: https://grafana.example.com/d/billing
  db: postgres://admin:{FRONT['nested']}@db.internal/orders
summary: The key {FRONT['summary']} was rotated the same day.
{FRONT['key']}: pasted by mistake
---

## Summary

The deploy bot's token {BODY['section']} was pasted into the billing channel while debugging.

## Timeline

- 09:00 UTC — Ana pasted `password={BODY['timeline']}` into the channel
- 09:20 UTC — the key was revoked

## Root cause

The runbook printed {BODY['root cause']} with every deploy of billing.

```
-----BEGIN RSA PRIVATE KEY-----
{BODY['private key']}
ZmFrZWZha2VmYWtlZmFrZWZha2U=
```

The config dump had {{"password": "{BODY['json']}"}} in it.

## Action items

- [ ] Rotate {BODY['action']} (owner: @ana)
"""

NEIGHBOUR = """---
title: Billing deploys stalled
date: 2024-05-09
services: [billing]
tags: [deploy]
---

## Summary

Billing deploys stalled for an hour after a runbook change.

## Root cause

The runbook printed every key with every deploy of billing.
"""


def _site(make_site, root: Path, config: str = "") -> Path:  # type: ignore[no-untyped-def]
    return make_site(root, files={"content/2024-05-01-leak.md": DOCUMENT, "content/2024-05-09-stall.md": NEIGHBOUR},
                     config=config)


def _leaks(text: str, secrets: dict[str, str]) -> list[str]:
    return [place for place, secret in secrets.items() if secret in text]


def _published(out: Path) -> str:
    """Every file of the built site, and every path in it, as one text to search."""
    files = sorted(p for p in out.rglob("*"))
    names = "\n".join(str(p.relative_to(out)) for p in files)
    return names + "\n" + "\n".join(p.read_bytes().decode("utf-8", errors="replace") for p in files if p.is_file())


def test_without_redact_each_front_matter_secret_is_a_warning_at_its_line(make_site, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    site = _site(make_site, tmp_path)
    result = run_cli("check", cwd=site)
    warned = sorted(
        (int(line.split(":")[1]), line.split("secret: ")[1].split(" found")[0])
        for line in result.stderr.splitlines() + result.stdout.splitlines()
        if ": warning: secret: " in line and line.startswith("content/2024-05-01-leak.md:") and int(line.split(":")[1]) < 15
    )
    assert warned == [
        (2, "AWS access key"), (4, "GitHub token"), (7, "Slack token"), (8, "Stripe key"),
        (11, "password in a URL"), (12, "Google API key"), (13, "Slack token"),
    ]
    assert _leaks(result.stdout + result.stderr, EVERY) == []  # a diagnostic never repeats the secret


def test_with_redact_no_secret_reaches_any_file_or_path_of_the_site(make_site, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    site = _site(make_site, tmp_path)
    result = run_cli("build", "--redact", "--output", str(site / "out"), cwd=site)
    assert result.exit_code == 0, result.stderr
    published = _published(site / "out")
    assert "Billing deploys stalled" in published and "incidents.json" in published  # the site is all there
    assert _leaks(published, EVERY) == []
    assert _leaks(result.stdout + result.stderr, EVERY) == []
    record = json.loads((site / "out/incidents.json").read_text(encoding="utf-8"))["incidents"]
    leak = next(r for r in record if r["source"].endswith("leak.md"))
    assert leak["title"] == "Leak of [redacted AWS access key] in the deploy logs"
    assert "[redacted Slack token]" in leak["tags"] and "billing" in leak["services"]


@pytest.mark.parametrize("command", [
    ("export", "--json", "--redact", "content"),
    ("export", "--redact", "content"),
])
def test_export_with_redact_prints_no_secret(make_site, run_cli, tmp_path: Path, command: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    site = _site(make_site, tmp_path)
    result = run_cli(*command, cwd=site)
    assert result.exit_code == 0, result.stderr
    assert "billing" in result.stdout or "Leak of" in result.stdout
    assert _leaks(result.stdout + result.stderr, EVERY) == []


@pytest.mark.parametrize("command", [
    ("inspect", "content/2024-05-01-leak.md"),
    ("report", "--period", "2024-Q2"),
    ("report", "--period", "2024", "--format", "html"),
    ("check", "--format", "json", "--verbose"),
])
def test_the_other_commands_show_no_secret_when_the_site_redacts(make_site, run_cli, tmp_path: Path, command: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    site = _site(make_site, tmp_path, "redact = true\n")
    result = run_cli(*command, cwd=site)
    assert result.stdout.strip()
    assert _leaks(result.stdout + result.stderr, EVERY) == []


def test_a_document_the_normaliser_cannot_read_is_published_masked(make_site, run_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    import hindsite.normalise as normalise_package

    def broken(text: str, *args: object) -> object:
        raise ValueError(f"cannot split {text[:400]!r}")  # a bug whose message quotes the document

    monkeypatch.setattr(normalise_package, "parse_blocks", broken)
    site = _site(make_site, tmp_path)
    result = run_cli("build", "--redact", "--output", str(site / "out"), cwd=site)
    assert "internal-error" in result.stderr
    published = _published(site / "out")
    assert "The deploy bot" in published  # published as plain text, every word but the credentials
    assert _leaks(published, EVERY) == []
    assert _leaks(result.stdout + result.stderr, EVERY) == []


def test_front_matter_that_cannot_be_read_is_still_scanned_and_masked(make_site, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    token = FRONT["services"]
    text = f"---\ntitle: [Broken front-matter\ndeploy_token: {token}\n---\n\n## Summary\n\nDeploys failed.\n"
    site = make_site(tmp_path, files={"content/2024-05-02-broken.md": text})
    checked = run_cli("check", cwd=site)
    assert "content/2024-05-02-broken.md:3: warning: secret: GitHub token found on this line" in checked.stderr + checked.stdout
    run_cli("build", "--redact", "--output", str(site / "out"), cwd=site)
    published = _published(site / "out")
    assert "Front-matter (not read)" in published and token not in published


# --- attachments ----------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + FRONT["services"].encode() + b"\0\x01\x02"
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + FRONT["custom"].encode() + b"\nstream\n\xff\xfe\xfa\x81\nendstream\n"  # no NUL early
ATTACHMENTS: dict[str, str | bytes] = {
    "content/files/app.log": f"09:00 start\n09:01 connecting\n09:02 auth Bearer {'Qw9' * 10}\n09:03 done\n",
    "content/files/config.json": f'{{\n  "user": "billing",\n  "password": "{BODY["json"]}"\n}}\n',
    "content/files/export.csv": f"name,value\nregion,eu-west-1\nkey,{FRONT['title']}\n",
    "content/files/settings.yaml": "db:\n  host: db.internal\n  password: hunter22yaml\n",
    "content/files/dump": f"no extension, still text\n{BODY['section']}\n",
    "content/files/clean.txt": "nothing to hide here\n",
    "content/files/diagram.png": PNG,
    "content/files/report.pdf": PDF,
}
IN_ATTACHMENTS = {
    "log": "Qw9" * 10, "json": BODY["json"], "csv": FRONT["title"], "yaml": "hunter22yaml", "dump": BODY["section"],
}


def _attachment_site(make_site, root: Path, config: str = "") -> Path:  # type: ignore[no-untyped-def]
    return make_site(root, files={"content/2024-05-09-stall.md": NEIGHBOUR, **ATTACHMENTS}, config=config)


def test_each_credential_in_a_text_attachment_is_a_warning_at_its_file_and_line(make_site, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    site = _attachment_site(make_site, tmp_path)
    result = run_cli("check", cwd=site)
    warned = sorted(line.split(": warning: secret: ")[0] + " " + line.split("secret: ")[1].split(" found")[0]
                    for line in result.stderr.splitlines() if ": warning: secret: " in line)
    assert warned == [
        "content/files/app.log:3 bearer token",
        "content/files/config.json:3 password",
        "content/files/dump:2 GitHub token",
        "content/files/export.csv:3 AWS access key",
        "content/files/settings.yaml:3 password",
    ]
    assert _leaks(result.stderr, IN_ATTACHMENTS) == []


def test_with_redact_text_attachments_are_published_masked_and_binary_ones_as_they_are(make_site, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    site = _attachment_site(make_site, tmp_path)
    result = run_cli("build", "--redact", "--output", str(site / "out"), cwd=site)
    assert result.exit_code == 0, result.stderr
    files = site / "out/files/files"
    published = "\n".join((files / name).read_text(encoding="utf-8") for name in
                          ("app.log", "config.json", "export.csv", "settings.yaml", "dump"))
    assert _leaks(published, IN_ATTACHMENTS) == []
    assert (files / "settings.yaml").read_text(encoding="utf-8") == "db:\n  host: db.internal\n  password: [redacted password]\n"
    assert (files / "clean.txt").read_bytes() == (site / "content/files/clean.txt").read_bytes()
    assert (files / "diagram.png").read_bytes() == PNG  # binary: published as it is (docs/security.md)
    assert (files / "report.pdf").read_bytes() == PDF
    assert (site / "content/files/app.log").read_text(encoding="utf-8") == ATTACHMENTS["content/files/app.log"]


def test_a_large_attachment_is_scanned_in_blocks_to_its_last_line(make_site, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    filler = "2024-05-01T09:00:00Z INFO request served in 12 ms by worker 7\n"  # 62 characters
    lines = [filler] * 60_000  # 3.7 MB: several blocks
    for at, secret in ((0, BODY["section"]), (16_912, FRONT["title"]), (59_999, BODY["action"])):
        lines[at] = f"leaked {secret}\n"
    text = "".join(lines)
    site = make_site(tmp_path, files={"content/2024-05-09-stall.md": NEIGHBOUR, "content/big.log": text})
    result = run_cli("build", "--redact", "--output", str(site / "out"), cwd=site)
    assert [line.split(": warning")[0] for line in result.stderr.splitlines() if "secret" in line] == [
        "content/big.log:1", "content/big.log:16913", "content/big.log:60000"]
    published = (site / "out/files/big.log").read_text(encoding="utf-8")
    assert published.count("\n") == text.count("\n") and published.count("[redacted ") == 3
    assert _leaks(published, EVERY) == []
