#!/usr/bin/env python3
"""Write a deterministic archive of N generated postmortems, in the mix hindsite meets.

About four in five documents use YAML front-matter and `##` sections; the rest
imitate legacy styles (Notion tables, bold pseudo-headings, HTML headings, bare
`Heading:` lines). Every document has a timeline and action items, several
services and tags, and is about 3.5 KB. The same N and seed always give the
same files.

    bench/generate.py OUT_DIR [-n 5000] [--seed 7]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from pathlib import Path

SERVICES = ["checkout-api", "payments", "search", "auth", "edge-proxy", "postgres-main", "notifications",
            "delivery-tracker", "inventory", "pricing", "media-cdn", "kafka", "redis-cache", "billing", "identity"]
TAGS = ["deploy", "config", "database", "capacity", "dns", "certificates", "third-party", "cache", "network",
        "human-error", "monitoring", "storage", "kubernetes", "security", "latency"]
WORDS = ("request queue worker replica primary failover timeout latency error budget alert pager retry backoff "
         "cache eviction connection pool saturation rollout canary rollback migration schema index vacuum lock "
         "contention certificate expiry resolver upstream downstream partition leader election quorum disk "
         "throughput memory leak garbage collector thread deadlock config flag toggle load balancer health check").split()
SEVERITIES = ["sev1", "sev2", "sev3", "sev4"]


def sentence(rng: random.Random, n: int = 14) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def paragraph(rng: random.Random, sentences: int = 3) -> str:
    return " ".join(sentence(rng) for _ in range(sentences))


def timeline(rng: random.Random, start: dt.datetime, bullet: str = "- ") -> tuple[list[str], dt.datetime]:
    lines, at = [], start
    for _ in range(8):
        lines.append(f"{bullet}{at:%H:%M} — {sentence(rng, 9)}")
        at += dt.timedelta(minutes=rng.randint(3, 25))
    return lines, at


def actions(rng: random.Random, number: int) -> list[str]:
    rows = ["| Action | Owner | Status | Ticket |", "|---|---|---|---|"]
    for k in range(4):
        rows.append(f"| {sentence(rng, 8)} | @eng{rng.randint(1, 40)} | {rng.choice(['open', 'done'])} | OPS-{number * 10 + k} |")
    return rows


def front_matter_document(rng: random.Random, number: int, day: dt.date) -> str:
    start = dt.datetime.combine(day, dt.time(rng.randint(0, 20), rng.choice([0, 15, 30, 45])))
    events, end = timeline(rng, start)
    services = rng.sample(SERVICES, rng.randint(1, 3))
    tags = rng.sample(TAGS, rng.randint(1, 3))
    return "\n".join([
        "---",
        f"title: {sentence(rng, 7).rstrip('.')} (#{number})",
        f"date: {day.isoformat()}",
        f"severity: {rng.choice(SEVERITIES)}",
        f"services: [{', '.join(services)}]",
        f"tags: [{', '.join(tags)}]",
        f"responders: [eng{rng.randint(1, 40)}, eng{rng.randint(1, 40)}]",
        "status: resolved",
        f"started_at: {start.isoformat()}+00:00",
        f"detected_at: {(start + dt.timedelta(minutes=rng.randint(1, 30))).isoformat()}+00:00",
        f"resolved_at: {end.isoformat()}+00:00",
        f"summary: {sentence(rng)}",
        "---",
        "", "## Summary", "", paragraph(rng),
        "", "## Impact", "", paragraph(rng, 2),
        "", "## Trigger", "", sentence(rng),
        "", "## Detection", "", sentence(rng),
        "", "## Timeline", "", *events,
        "", "## Root cause", "", paragraph(rng, 3),
        "", "## Resolution", "", paragraph(rng, 2),
        "", "## Lessons learned", "", f"- {sentence(rng)}", f"- {sentence(rng)}",
        "", "## Action items", "", *actions(rng, number),
        "", "## Related incidents", "", sentence(rng, 8),
        "",
    ])


def legacy_document(rng: random.Random, number: int, day: dt.date) -> str:
    start = dt.datetime.combine(day, dt.time(rng.randint(0, 20), rng.choice([0, 30])))
    events, end = timeline(rng, start)
    style = number % 4
    title = f"{sentence(rng, 6).rstrip('.')} (#{number})"
    if style == 0:  # Notion export
        head = [f"# 🚨 {title}", "", "### 📋 Overview", "", f"| Incident | {title} |", "|----|----|",
                f"| Severity | {rng.choice(['Critical', 'Major', 'Minor'])} |",
                f"| Affected services | {', '.join(rng.sample(SERVICES, 2))} |",
                f"| Duration | {start:%B %d, %Y %H:%M} until {end:%B %d, %Y %H:%M} |"]
        return "\n".join([*head, "", "### ⏱️ Incident timeline", "", *events, "", "### 🔎 Root cause", "",
                          paragraph(rng), "", "### ✅ Follow-up tasks", "", *actions(rng, number), ""])
    if style == 1:  # bold pseudo-headings
        return "\n".join([f"**Postmortem: {title} - {day:%B %d, %Y}**", "", "**Issue Summary:**", "", paragraph(rng),
                          "", "**Timeline:**", "", *events, "", "**Root cause:**", "", paragraph(rng), "",
                          "**Corrective and preventative measures:**", "", *(f"- {sentence(rng)}" for _ in range(4)), ""])
    if style == 2:  # HTML headings
        return "\n".join([f"<h1>{title}</h1>", "", "<h3>Summary</h3>", "", paragraph(rng), "", "<h3>Timeline</h3>", "",
                          *events, "", "<h3>Root Cause</h3>", "", paragraph(rng), "", "<h3>Action items</h3>", "",
                          *(f"- {sentence(rng)}" for _ in range(4)), ""])
    return "\n".join([f"# {title}", "", f"Date: {day.isoformat()}", f"Severity: {rng.choice(['Major', 'Minor'])}",
                      f"Services: {', '.join(rng.sample(SERVICES, 2))}", "", "Summary:", paragraph(rng), "",
                      "Timeline:", *events, "", "Root cause:", paragraph(rng), "", "Action items:",
                      *(f"- {sentence(rng)}" for _ in range(4)), ""])


def generate(out: Path, count: int, seed: int = 7) -> list[Path]:
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    first = dt.date(2019, 1, 1)
    written = []
    for number in range(count):
        day = first + dt.timedelta(days=rng.randint(0, 6 * 365))
        legacy = number % 5 == 4
        text = legacy_document(rng, number, day) if legacy else front_matter_document(rng, number, day)
        path = out / f"{day.year}" / f"{day.isoformat()}-incident-{number:05d}.md"
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("-n", "--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    paths = generate(args.out, args.count, args.seed)
    size = sum(p.stat().st_size for p in paths)
    print(f"wrote {len(paths)} postmortems ({size / len(paths) / 1024:.1f} KB each on average) to {args.out}")


if __name__ == "__main__":
    main()
