#!/usr/bin/env python3
"""Where a cold build's time goes: one build in one process under cProfile, summed by library and module.

    .venv/bin/python bench/profile_build.py                  # 1,000 generated postmortems
    .venv/bin/python bench/profile_build.py -n 300 --top 40
    .venv/bin/python bench/profile_build.py --content my-archive/content

The build runs without worker processes, so every function is seen, and
without the cache, so every document is read. The profiler slows Python code
down by about two to three times; compare shares, not seconds, with a timed
build (bench/compare.py).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

from hindsite.commands.cli import cli  # noqa: E402
from hindsite.core import parallel  # noqa: E402

# Where code lives, by a piece of its file's path: the first match names it.
PLACES = [
    ("markdown_it", "markdown-it-py"),
    ("mdit_py_plugins", "markdown-it-py plugins"),
    ("jinja2", "Jinja"),
    ("markupsafe", "Jinja"),
    ("yaml", "PyYAML"),
    ("frontmatter", "python-frontmatter"),
]


def place(file: str, function: str) -> str:
    """A profile entry's library, or hindsite's module, or the builtin's name."""
    if file == "~":
        return f"builtin {function}"
    if file.endswith(".html") or file == "<template>":
        return "Jinja"
    for piece, name in PLACES:
        if f"/{piece}/" in file:
            return name
    if "/hindsite/" in file:
        return "hindsite " + file.split("/hindsite/", 1)[1]
    return "other " + "/".join(Path(file).parts[-2:])


def profile_build(content: Path, output: Path) -> pstats.Stats:
    parallel.worker_count = lambda: 1  # one process, so the profiler sees every call
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        cli(["build", "--content", str(content), "--output", str(output), "--no-cache", "--quiet"], standalone_mode=False)
    except SystemExit as exit:  # the build's exit status: 1 when the archive has errors, which is still a build
        if exit.code not in (0, 1, None):
            raise
    finally:
        profiler.disable()
    return pstats.Stats(profiler)


def summary(stats: pstats.Stats, top: int) -> str:
    own: Counter[str] = Counter()
    for (file, _line, function), (_calls, _primitive, own_time, _total, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        own[place(file, function)] += own_time
    total = sum(own.values())
    lines = [f"{total:.2f} s in all (own time of every function, under the profiler)"]
    lines += [f"{seconds:7.2f} s  {100 * seconds / total:5.1f} %  {name}" for name, seconds in own.most_common(top)]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", "--count", type=int, default=1000, help="generated postmortems (default 1000)")
    parser.add_argument("--content", type=Path, help="profile this content folder instead of a generated archive")
    parser.add_argument("--top", type=int, default=25, help="lines to print (default 25)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hindsite-profile-") as work:
        content = args.content
        if content is None:
            content = Path(work) / "content"
            generate(content, args.count)
        print(summary(profile_build(content, Path(work) / "site"), args.top))


if __name__ == "__main__":
    main()
