"""hindsite against real postmortems written by other people (../shared, present in CI).

The seed check compares the export with hand-written expectations; the corpus
check measures builds, words kept, dates, timelines and sections over 151
documents against the normaliser's targets (see bench/corpus.py).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def _run(command: list[str]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env, timeout=600)


def test_shared_material_is_present() -> None:
    assert (SHARED / "seeds").is_dir() and (SHARED / "corpus").is_dir(), "../shared is missing; CI provides it"


def test_seed_postmortems_pass_every_required_check() -> None:
    result = _run([sys.executable, str(SHARED / "tools" / "check-seeds")])
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1].endswith(" 0 failed")


def test_corpus_meets_the_normaliser_targets() -> None:
    result = _run([sys.executable, str(ROOT / "bench" / "corpus.py"), str(SHARED / "corpus"), "--check", "-v"])
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    print(result.stdout)


def _build(content: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return _run([sys.executable, "-m", "hindsite", "build", "--content", str(content), "--output", str(out), "-q"])


def _copy_markdown(source: Path, target: Path) -> Path:
    target.mkdir()
    for doc in source.glob("*.md"):
        if doc.name != "README.md":
            (target / doc.name).write_bytes(doc.read_bytes())
    return target


def test_seeds_and_corpus_build_every_page_without_errors(tmp_path: Path) -> None:
    for name in ("seeds", "corpus"):
        content = _copy_markdown(SHARED / name, tmp_path / name)
        out = tmp_path / f"{name}-site"
        result = _build(content, out)
        errors = [line for line in result.stderr.splitlines() if ": error: " in line]
        assert errors == [] and result.returncode == 0, result.stderr[-3000:]
        docs = sorted(content.glob("*.md"))
        assert len(list((out / "incidents").glob("*.html"))) == len(docs)
        for page in ("index.html", "follow-ups.html", "stats.html", "services/index.html", "search.html"):
            assert (out / page).stat().st_size > 0, page
        assert "Traceback" not in result.stderr


#: How closing remarks begin: words that end a document, never a task.
CLOSING_REMARK = re.compile(
    r"^\W*(in conclusion|to conclude|in closing|thank you|thanks (again|to everyone|for)|we (sincerely )?apologi[sz]e"
    r"|we('re| are) sorry|our apologies|sincerely|best regards|kind regards|regards,?$)",
    re.I,
)
_TOC = re.compile(r'<nav class="toc".*?</nav>', re.S)
_TOC_ENTRY = re.compile(r"<a\b[^>]*>(.*?)</a>", re.S)


def test_corpus_pages_label_every_contents_entry_and_no_closing_remark_is_an_action_item(tmp_path: Path) -> None:
    content = _copy_markdown(SHARED / "corpus", tmp_path / "corpus")
    out = tmp_path / "site"
    result = _build(content, out)
    assert result.returncode == 0, result.stderr[-3000:]
    unlabelled = []
    for page in sorted((out / "incidents").glob("*.html")):
        for toc in _TOC.findall(page.read_text(encoding="utf-8")):
            unlabelled += [page.name for entry in _TOC_ENTRY.findall(toc) if not re.sub(r"<[^>]+>", "", entry).strip()]
    assert unlabelled == []
    records = json.loads((out / "incidents.json").read_text(encoding="utf-8"))["incidents"]
    closing = [f"{r['source']}: {item['text'][:60]!r}" for r in records for item in r["action_items"]
               if CLOSING_REMARK.match(item["text"])]
    assert closing == []
