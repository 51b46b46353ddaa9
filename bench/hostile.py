"""How long hindsite takes on pathological documents, one process per document.

    .venv/bin/python bench/hostile.py [--only NAME]

Prints wall time and peak memory of `hindsite export FILE --json` per input.
Inputs that grow quadratically show up here as seconds; the test suite only
checks that each is published with its words (tests/test_hostile_input.py).
Then the same for a 1.5 GB document (sparse, so it takes no room on disk) with
`hindsite build`, `export` and `check`: it is refused as too large, and memory
should stay at what a small site costs, not grow by 1.5 GB.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LOG_LINE = "2024-03-14T09:12:00.123Z ERROR [pool-7] connection reset by peer after 30000ms\n"

ALIAS_BOMB = "".join(f"{chr(98 + n)}: &{chr(98 + n)} [{', '.join([f'*{chr(97 + n)}'] * 9)}]\n" for n in range(8))

CASES = {
    "30,000 a_": "a_" * 30_000,
    "20,000 [": "[" * 20_000,
    "5,000 nested >": ">" * 5_000 + " deep",
    "10,000-column table": "\n".join(["|" + "|".join(f"c{n}" for n in range(10_000)) + "|", "|" + "-|" * 10_000, "|" + "x|" * 10_000]),
    "10,000 [x](": "[x](" * 10_000,
    "20,000 <a ": "<a " * 20_000,
    "20,000 **": "**" * 20_000,
    "10,000 `": "`" * 10_000,
    "20,000 &#x": "&#x" * 20_000,
    "10,000 http://": "http://" * 10_000,
    "10,000 timeline times": "\n".join(f"- 0{n % 10}:{n % 60:02d} UTC event {n}" for n in range(10_000)),
    "10,000 labels": "\n".join(f"**Label {n}:** value" for n in range(10_000)),
    "3 MB log in a fence": "```\n" + LOG_LINE * (3_000_000 // len(LOG_LINE)) + "```",
    "1 MB loose log lines": LOG_LINE * (1_000_000 // len(LOG_LINE)),
    "8,000 lines of secrets": "\n".join(f"{n} DB_PASSWORD=hunter{n:05d} key AKIA{n:016d}" for n in range(8_000)),
    "YAML alias bomb": None,  # front-matter, written by measure()
}


def measure(text: str | None) -> tuple[float, int]:
    """Seconds and peak resident kilobytes of exporting one document holding `text` (None: an alias bomb)."""
    front_matter = f"a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n{ALIAS_BOMB}" if text is None else "title: Case\n"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "case.md"
        path.write_text(f"---\n{front_matter}date: 2024-01-02\n---\n\n{text or 'Body.'}\n", encoding="utf-8")
        started = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-m", "hindsite", "export", str(path), "--json", "--quiet"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, _, usage = os.wait4(child.pid, 0)  # this child's own peak, not the largest of all so far
        elapsed = time.perf_counter() - started
    return elapsed, usage.ru_maxrss


BIG_DOCUMENT_BYTES = 1536 * 1048576

BIG_COMMANDS = {
    "1.5 GB document, build": ["build"],
    "1.5 GB document, export": ["export", "content/big.md"],
    "1.5 GB document, check": ["check"],
}


def measure_big(command: list[str]) -> tuple[float, int]:
    """Seconds and peak resident kilobytes of `hindsite COMMAND` on a site holding a 1.5 GB document and a small one."""
    with tempfile.TemporaryDirectory() as folder:
        content = Path(folder) / "content"
        content.mkdir()
        (content / "small.md").write_text("---\ntitle: Small\ndate: 2024-01-02\n---\n\nBody.\n", encoding="utf-8")
        with open(content / "big.md", "wb") as big:
            big.write(b"# Big\n\n")
            big.truncate(BIG_DOCUMENT_BYTES)
        started = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-m", "hindsite", *command], cwd=folder,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, _, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - started
    return elapsed, usage.ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="run only the case whose name contains this")
    args = parser.parse_args()
    print(f"{'input':<24} {'size':>9} {'seconds':>8} {'peak MB':>8}")
    for name, text in CASES.items():
        if args.only and args.only not in name:
            continue
        seconds, peak_kb = measure(text)
        print(f"{name:<24} {len(text or ALIAS_BOMB) / 1024:>7.0f}KB {seconds:>8.2f} {peak_kb / 1024:>8.0f}", flush=True)
    for name, command in BIG_COMMANDS.items():
        if args.only and args.only not in name:
            continue
        seconds, peak_kb = measure_big(command)
        print(f"{name:<24} {BIG_DOCUMENT_BYTES / 1024:>7.0f}KB {seconds:>8.2f} {peak_kb / 1024:>8.0f}", flush=True)


if __name__ == "__main__":
    main()
