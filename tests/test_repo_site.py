"""The repository's own example archive builds cleanly in strict mode, as CI requires."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import RunCli

REPO = Path(__file__).resolve().parents[1]


def has_front_matter(path: Path) -> bool:
    """Whether the first non-blank line opens a front-matter block (read independently of hindsite)."""
    text = path.read_bytes().decode("utf-8-sig")
    first = next((line for line in text.splitlines() if line.strip()), "")
    return first.rstrip() in ("---", "+++")


def test_repository_content_builds_strictly(tmp_path: Path, run_cli: RunCli) -> None:
    assert (REPO / "site.toml").is_file()
    documents = sorted((REPO / "content").rglob("*.md"))
    legacy = [p for p in documents if not has_front_matter(p)]
    assert len(documents) >= 12
    assert len(legacy) >= 4, "the example archive should show documents without front-matter"

    output = tmp_path / "out"
    result = run_cli("build", "--strict", "--output", str(output), cwd=REPO)
    assert result.exit_code == 0, result.stderr
    assert ": warning: " not in result.stderr and ": error: " not in result.stderr

    export = json.loads((output / "incidents.json").read_text(encoding="utf-8"))
    records = export["incidents"]
    assert len(records) == len(documents) >= 12
    sources = {Path(r["source"]).name for r in records}
    assert {p.name for p in legacy} <= sources
    for record in records:
        assert (output / record["url"]).is_file()
        assert record["title"].strip()
