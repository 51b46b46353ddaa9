#!/usr/bin/env python3
"""Measure how hindsite reads a folder of real postmortems (default: ../shared/corpus).

Prints, over every Markdown document in the folder:

- builds: documents that normalise without an internal error, and a site that builds;
- words kept: documents whose report page carries every word of the source;
- dates: documents that state a date (a full date in the text or file name) and got one;
- timelines: documents with a time-stamped timeline (a timeline heading and at least
  two time-first lines under it) whose record has events with times;
- sections: documents in which every heading a reviewer would recognise (it names
  summary, impact, timeline, root cause, resolution, lessons, action items, …) got
  its canonical key.

With --check, exits 1 when a figure is under the targets of the normaliser issue
(100% builds and words, 95% dates, 90% timelines, 95% sections). -v lists the
documents that miss each figure.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_CORPUS = HERE.parent.parent / "shared" / "corpus"
TARGETS = {"builds": 1.0, "words": 1.0, "dates": 0.95, "timelines": 0.90, "sections": 0.95}

WORD = re.compile(r"[^\W_]{4,}")
FULL_DATE = re.compile(
    r"\b(?:19|20)\d{2}-\d{2}-\d{2}\b"
    r"|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{2}\b"
    r"|\b\d{1,2}(?:st|nd|rd|th)?\.?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,?\s+(?:19|20)\d{2}\b",
    re.I,
)
TIME_FIRST = re.compile(
    r"^\s*(?:[-*+|]|\d+[.)])?\s*(?:\*\*|__)?\s*(?:(?:19|20)\d{2}-\d{2}-\d{2}[ T]+)?"
    r"(?:[A-Za-z]{3,9}\.?\s+\d{1,2},?\s+(?:\d{4},?\s+)?)?\d{1,2}[:.]\d{2}",
    re.M,
)
HEADING_LINE = re.compile(
    r"^(?:#{1,6}\s*(?P<atx>.+?)\s*#*|<h[1-6][^>]*>(?P<html>.+?)</h[1-6]>|\s*(?:\*\*|__)(?P<bold>[^*_\n]{2,60}?):?(?:\*\*|__):?)\s*$",
    re.M,
)
RECOGNISABLE = {
    "summary": "summary", "overview": "summary", "impact": "impact", "timeline": "timeline",
    "root cause": "root_cause", "resolution": "resolution", "lessons learned": "lessons",
    "action items": "action_items", "corrective and preventative measures": "action_items",
    "corrective and preventive measures": "action_items", "detection": "detection", "trigger": "trigger",
    "contributing factors": "root_cause", "follow-up": "action_items", "what went well": "lessons",
    "what went wrong": "fault", "next steps": "action_items", "mitigation": "action_items",
    "key events": "timeline", "lessons learnt": "lessons", "lessons": "lessons", "follow up": "action_items",
    "action item": "action_items", "actions": "action_items", "preventive measures": "action_items",
    "preventative measures": "action_items", "issue summary": "summary", "root causes": "root_cause",
    "consequences": "impact", "recovery": "resolution", "remediation": "action_items",
}


def hindsite() -> list[str]:
    venv = HERE.parent / ".venv" / "bin" / "hindsite"
    return [str(venv)] if venv.exists() else [sys.executable, "-m", "hindsite"]


def words(text: str) -> set[str]:
    return {w.casefold() for w in WORD.findall(text)}


def source_words(text: str) -> set[str]:
    text = re.sub(r"\A(---|\+\+\+)\n.*?\n\1\n", "", text, flags=re.S)
    text = re.sub(r"!!.*?!!", " ", text, flags=re.S)
    text = re.sub(r"\]\([^)]*\)", "] ", text)
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"\w+://\S+", " ", text)
    text = re.sub(r"^\s*\[[^\]]+\]:\s*\S+", " ", text, flags=re.M)  # link reference targets are addresses
    return words(html.unescape(text))


def page_words(page: str) -> set[str]:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    return words(html.unescape(re.sub(r"<[^>]+>", " ", page)))


def states_date(name: str, text: str) -> bool:
    return bool(FULL_DATE.search(text) or re.match(r"\d{4}-\d{2}-\d{2}", name.split("__")[-1]))


def has_timed_timeline(text: str) -> bool:
    match = re.search(r"^.*\b(timeline|key events|chronology)\b.*$", text, re.I | re.M)
    return bool(match) and len(TIME_FIRST.findall(text[match.end():])) >= 2


def recognisable_headings(text: str) -> list[tuple[str, str]]:
    body = re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)
    found = []
    for match in HEADING_LINE.finditer(body):
        heading = next(g for g in match.groups() if g)
        words_only = " ".join(re.sub(r"[^\w\s-]", " ", re.sub(r"<[^>]+>|\([^)]*\)", " ", heading)).lower().split())
        words_only = re.sub(r"^\d+\s*", "", words_only)
        hits = [(f" {words_only} ".find(f" {phrase} "), key) for phrase, key in RECOGNISABLE.items()
                if f" {phrase} " in f" {words_only} "]
        if hits and len(words_only.split()) <= 8:
            found.append((heading, min(hits)[1]))
    return found


def measure(corpus: Path, verbose: bool) -> dict[str, tuple[int, int]]:
    with tempfile.TemporaryDirectory() as tmp:
        content = Path(tmp) / "content"
        content.mkdir()
        for doc in sorted(corpus.glob("*.md")):
            if doc.name != "README.md":
                (content / doc.name).write_bytes(doc.read_bytes())
        exported = subprocess.run(hindsite() + ["export", str(content), "--json", "-q"], capture_output=True, text=True)
        if exported.returncode != 0:
            sys.exit(f"export failed:\n{exported.stderr[-2000:]}")
        records = {Path(r["source"]).name: r for r in json.loads(exported.stdout)["incidents"]}
        out = Path(tmp) / "site"
        built = subprocess.run(hindsite() + ["build", "--content", str(content), "--output", str(out), "-q"],
                               capture_output=True, text=True, cwd=tmp)
        misses: dict[str, list[str]] = {k: [] for k in TARGETS}
        totals = {k: 0 for k in TARGETS}
        for name, record in sorted(records.items()):
            text = (content / name).read_text(encoding="utf-8", errors="replace")
            totals["builds"] += 1
            if any(d["code"] == "internal-error" for d in record["diagnostics"]) or "Traceback" in built.stderr:
                misses["builds"].append(name)
            totals["words"] += 1
            page = out / record["url"]
            missing = sorted(source_words(text) - page_words(page.read_text(encoding="utf-8"))) if page.is_file() else ["<no page>"]
            if missing:
                misses["words"].append(f"{name}: {missing[:8]}")
            if states_date(name, text):
                totals["dates"] += 1
                if not record["date"]:
                    misses["dates"].append(name)
            if has_timed_timeline(text):
                totals["timelines"] += 1
                if not any(e["at"] or e.get("time") for e in record["timeline"]):
                    misses["timelines"].append(name)
            wanted = recognisable_headings(text)
            if wanted:
                totals["sections"] += 1
                got = {(s["heading"].strip().lower(), s["key"]) for s in record["sections"]}
                lost = [h for h, key in wanted if not any(key == k for hh, k in got if _same(hh, h))]
                if lost:
                    misses["sections"].append(f"{name}: {lost}")
        if built.returncode not in (0, 1):
            misses["builds"].append(f"site build exited {built.returncode}: {built.stderr[-500:]}")
    figures = {}
    for key in TARGETS:
        figures[key] = (totals[key] - len(misses[key]), totals[key])
        if verbose and misses[key]:
            print(f"-- {key} missed:")
            for miss in misses[key]:
                print(f"   {miss}")
    return figures


def _same(kept: str, written: str) -> bool:
    clean = lambda t: " ".join(re.sub(r"[^\w\s]", " ", re.sub(r"<[^>]+>", " ", t)).lower().split())  # noqa: E731
    return clean(written) in clean(kept) or clean(kept) in clean(written)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", nargs="?", default=str(DEFAULT_CORPUS), help="folder of postmortems (default: %(default)s)")
    ap.add_argument("--check", action="store_true", help="exit 1 when a figure is below its target")
    ap.add_argument("-v", "--verbose", action="store_true", help="list the documents that miss each figure")
    args = ap.parse_args()
    figures = measure(Path(args.corpus), args.verbose)
    ok = True
    for key, (hit, total) in figures.items():
        share = hit / total if total else 1.0
        below = share < TARGETS[key]
        ok &= not below
        print(f"{key:10} {hit:4}/{total:<4} {share:7.1%}  (target {TARGETS[key]:.0%}){'  BELOW TARGET' if below else ''}")
    return 0 if ok or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
