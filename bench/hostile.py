"""How long hindsite takes on pathological documents, one process per document.

    .venv/bin/python bench/hostile.py [--only NAME]
    .venv/bin/python bench/hostile.py --scaling [--only NAME]

Each case is a site of one document, built with `hindsite build` in its own
process: the table shows wall seconds, the process's peak resident memory, the
document's size and the size of the site it makes. Inputs that grow
quadratically show up here as seconds or megabytes; the test suite only checks
that each is published with its words, and that the site stays within a bound
linear in the document (tests/test_hostile_input.py).

`--scaling` builds each shape that grows with a number (nesting, headings, tags,
action items, lines) at two sizes, the second about twice the first, and prints
how much time, output and peak memory grew: ×2 for ×2 is linear, ×4 quadratic.
The seconds compared are those above the build of a one-line document, which is
mostly Python starting up; peak memory includes the interpreter's (about 40 MB).
On a busy machine the seconds wander: run a shape again (`--only`) before
reading much into one ratio.

Last, a 1.5 GB document (sparse, so it takes no room on disk) with `hindsite
build`, `export` and `check`: it is refused as too large, and memory should stay
at what a small site costs, not grow by 1.5 GB.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

LOG_LINE = "2024-03-14T09:12:00.123Z ERROR [pool-7] connection reset by peer after 30000ms\n"

ALIAS_BOMB = "".join(f"{chr(98 + n)}: &{chr(98 + n)} [{', '.join([f'*{chr(97 + n)}'] * 9)}]\n" for n in range(8))


@dataclass(frozen=True, slots=True)
class Case:
    """A document: extra front-matter lines and a body."""

    body: str
    front_matter: str = ""

    @property
    def size(self) -> int:
        return len(self.front_matter) + len(self.body)


def nested_list(size: int) -> Case:
    """A list nested one level deeper on each line; the document is about `size` bytes (levels grow with its root)."""
    levels = int(size**0.5)
    return Case("\n".join("  " * depth + f"- word{depth}" for depth in range(levels)))


def nested_quotes_and_lists(size: int) -> Case:
    """Quotes and list items nested in turn, one level deeper on each line."""
    levels = int((2 * size) ** 0.5)
    return Case("\n".join("> " * (depth // 2) + "  " * (depth % 2) + f"- word{depth}" for depth in range(levels)))


def headings(count: int) -> Case:
    return Case("\n".join(f"## H{n}\n\nWords.\n" for n in range(count)))


def same_heading(count: int) -> Case:
    """One heading written again and again: each section's anchor must differ from all the others'."""
    return Case("\n".join(f"## Notes\n\nWords {n}.\n" for n in range(count)))


def labelled_items(count: int) -> Case:
    """A list whose every item names a section (`- **Impact:** …`), so the list is split at each."""
    return Case("## Summary\n\n" + "\n".join(f"- **{('Impact', 'Resolution')[n % 2]}:** item {n}" for n in range(count)))


def secret_lines(count: int) -> Case:
    """Lines full of strings shaped like credentials (none of them real)."""
    return Case("\n".join(f"line {n}: key AKIA{n:016d} token ghp_{'a' * 36} password=hunter{n} "
                          f"https://user:pw{n}@example.test/ Bearer abc.def.{n}" for n in range(count)))


def action_items(count: int) -> Case:
    return Case("## Action items\n\n" + "\n".join(
        f"- [ ] Fix thing {n} (owner: @engineer{n}) PLAT-{n}" for n in range(count)))


def unclosed_placeholders(count: int) -> Case:
    """`[insert` again and again, never closed: a placeholder's pattern must not read to the end from each."""
    return Case("[insert " * count)


def tags(count: int) -> Case:
    return Case("Body.", "tags: [" + ", ".join(f"tag-{n}" for n in range(count)) + "]\n")


def services(count: int) -> Case:
    return Case("Body.", "services: [" + ", ".join(f"service-{n}" for n in range(count)) + "]\n")


CASES: dict[str, Case | None] = {
    "30,000 a_": Case("a_" * 30_000),
    "20,000 [": Case("[" * 20_000),
    "5,000 nested >": Case(">" * 5_000 + " deep"),
    "10,000-column table": Case("\n".join(["|" + "|".join(f"c{n}" for n in range(10_000)) + "|", "|" + "-|" * 10_000,
                                           "|" + "x|" * 10_000])),
    "10,000 [x](": Case("[x](" * 10_000),
    "20,000 <a ": Case("<a " * 20_000),
    "20,000 **": Case("**" * 20_000),
    "10,000 `": Case("`" * 10_000),
    "20,000 &#x": Case("&#x" * 20_000),
    "10,000 http://": Case("http://" * 10_000),
    "10,000 timeline times": Case("## Timeline\n\n" + "\n".join(f"- 0{n % 10}:{n % 60:02d} UTC event {n}" for n in range(10_000))),
    "10,000 labels": Case("\n".join(f"**Label {n}:** value" for n in range(10_000))),
    "3 MB log in a fence": Case("```\n" + LOG_LINE * (3_000_000 // len(LOG_LINE)) + "```"),
    "1 MB loose log lines": Case(LOG_LINE * (1_000_000 // len(LOG_LINE))),
    "list nested 1,000 deep": nested_list(1_000_000),
    "quotes and lists 1,000": nested_quotes_and_lists(1_500_000),
    "100,000 headings": headings(100_000),
    "20,000 same headings": same_heading(20_000),
    "20,000 labelled items": labelled_items(20_000),
    "20,000 unclosed [insert": unclosed_placeholders(20_000),
    "8,000 secret lines": secret_lines(8_000),
    "50,000 action items": action_items(50_000),
    "2,000 tags": tags(2_000),
    "10,000 tags": tags(10_000),
    "1,000 services": services(1_000),
    "YAML alias bomb": None,  # front-matter, written by measure()
}

#: Shapes that grow with a number, and the smaller of the two sizes `--scaling` builds.
SCALING: dict[str, tuple[Callable[[int], Case], int]] = {
    "nested list (bytes)": (nested_list, 500_000),
    "quotes and lists (bytes)": (nested_quotes_and_lists, 500_000),
    "headings": (headings, 50_000),
    "same heading": (same_heading, 10_000),
    "labelled items": (labelled_items, 10_000),
    "unclosed [insert": (unclosed_placeholders, 100_000),
    "secret lines": (secret_lines, 4_000),
    "action items": (action_items, 25_000),
    "tags": (tags, 5_000),
    "services": (services, 1_000),
}


@dataclass(frozen=True, slots=True)
class Measured:
    seconds: float
    peak_kb: int
    output_bytes: int


def measure(case: Case | None) -> Measured:
    """Build a site of one document (None: an alias bomb in its front-matter) in a child process."""
    front_matter = f"a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n{ALIAS_BOMB}" if case is None else case.front_matter
    body = case.body if case is not None else "Body."
    with tempfile.TemporaryDirectory() as folder:
        site = Path(folder)
        (site / "content").mkdir()
        (site / "content" / "case.md").write_text(f"---\ntitle: Case\n{front_matter}date: 2024-01-02\n---\n\n{body}\n",
                                                  encoding="utf-8")
        started = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-m", "hindsite", "build", "--quiet", "--no-cache"], cwd=site,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, _, usage = os.wait4(child.pid, 0)  # this child's own peak, not the largest of all so far
        elapsed = time.perf_counter() - started
        output = sum(p.stat().st_size for p in (site / "_site").rglob("*") if p.is_file())
    return Measured(elapsed, usage.ru_maxrss, output)


#: A document far over the size limit (sparse on disk): it is refused, and memory must stay at a small site's.
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


def print_cases(only: str | None) -> None:
    print(f"{'input':<26} {'size':>9} {'seconds':>8} {'peak MB':>8} {'output':>9}")
    for name, case in CASES.items():
        if only and only not in name:
            continue
        found = measure(case)
        size = case.size if case is not None else len(ALIAS_BOMB)
        print(f"{name:<26} {size / 1024:>7.0f}KB {found.seconds:>8.2f} {found.peak_kb / 1024:>8.0f} "
              f"{found.output_bytes / 1048576:>7.1f}MB", flush=True)
    for name, command in BIG_COMMANDS.items():
        if only and only not in name:
            continue
        seconds, peak_kb = measure_big(command)
        print(f"{name:<26} {BIG_DOCUMENT_BYTES / 1024:>7.0f}KB {seconds:>8.2f} {peak_kb / 1024:>8.0f}", flush=True)


def print_scaling(only: str | None) -> None:
    base = measure(Case("Body.")).seconds
    print(f"a one-line document: {base:.2f} s (taken from the seconds below before comparing)\n")
    print(f"{'shape':<26} {'n':>9} {'size':>9} {'seconds':>8} {'output':>9} {'2n':>9} {'size':>9} {'seconds':>8} "
          f"{'output':>9} {'× size':>7} {'× time':>7} {'× output':>8} {'× peak':>7}")
    for name, (shape, n) in SCALING.items():
        if only and only not in name:
            continue
        small, large = shape(n), shape(2 * n)
        first, second = measure(small), measure(large)
        time_ratio = max(second.seconds - base, 0.01) / max(first.seconds - base, 0.01)
        print(f"{name:<26} {n:>9,} {small.size / 1024:>7.0f}KB {first.seconds:>8.2f} {first.output_bytes / 1048576:>7.1f}MB "
              f"{2 * n:>9,} {large.size / 1024:>7.0f}KB {second.seconds:>8.2f} {second.output_bytes / 1048576:>7.1f}MB "
              f"{large.size / small.size:>7.2f} {time_ratio:>7.2f} {second.output_bytes / first.output_bytes:>8.2f} "
              f"{second.peak_kb / first.peak_kb:>7.2f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="run only the cases whose name contains this")
    parser.add_argument("--scaling", action="store_true", help="build each growing shape at two sizes and print the ratios")
    args = parser.parse_args()
    if args.scaling:
        print_scaling(args.only)
    else:
        print_cases(args.only)


if __name__ == "__main__":
    main()
