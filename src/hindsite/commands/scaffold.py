"""Starting an archive and a postmortem: `hindsite init` and `hindsite new`.

`init_archive` copies the starter archive shipped in `starter/archive/` (a
`dot-` prefix on a name stands for a leading dot, so the package never holds
files git or CI would act on) and `new_postmortem` renders a postmortem
skeleton: the site's `postmortem.md` in its templates folder, else the built-in
`starter/postmortem.md`. Neither ever replaces a file; a user's mistake is a
`ScaffoldError` whose message says what to do.

hindsite is not on PyPI, so the CI files `init` writes say where pip gets it:
what `--install` gives, else where this hindsite was installed from (PEP 610's
`direct_url.json`), else a line marked FILL IN that stops CI with a message.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import re
import shlex
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from ..core import diagnostics as diag
from ..core.config import SiteConfig, squash
from ..core.diagnostics import Diagnostic
from ..core.slugs import slugify
from ..core.version import __version__

#: The file in a site's `templates_dir` that replaces the built-in postmortem skeleton.
TEMPLATE_NAME = "postmortem.md"

_STARTER = resources.files(__package__) / "starter"
_DOT_PREFIX = "dot-"
_VERSION_MARK = b"@HINDSITE_VERSION@"  # in a starter file: the version of hindsite that writes it
# On a line of a starter CI file, a mark stands for lines `init` writes there, each with the text around the mark;
# a mark with no lines takes its line away.
_INSTALL_MARK = "@HINDSITE_INSTALL@"  # the command that installs hindsite
_GIT_MARK = "@HINDSITE_GIT@"  # the command that installs git first, in an image without it, for a git+ URL
_NOTE_MARK = "@HINDSITE_INSTALL_NOTE@"  # a comment asking to fill in the install command
#: What CI files print, and `hindsite check` finds, while the install command is not filled in.
UNSET_INSTALL = "Set where CI installs hindsite from"
#: The CI files `init` writes, where `hindsite check` looks for an install command to fill in.
CI_FILES = (".github/workflows/hindsite.yml", ".gitlab-ci.yml")
_REMOTE_SCHEMES = frozenset({"https", "http", "ssh", "git"})


class ScaffoldError(Exception):
    """A file cannot be written; the message says why and what to do."""


class FilesExist(ScaffoldError):
    """Files that would be overwritten; nothing was written."""

    def __init__(self, message: str, paths: Sequence[Path]) -> None:
        super().__init__(message)
        self.paths = tuple(paths)


class BadValue(ScaffoldError):
    """A value given on the command line is not usable (a usage mistake)."""


class Origin(enum.Enum):
    """Where the install command of the CI files came from."""

    GIVEN = "given"  # `init --install`
    VCS = "vcs"  # this hindsite came from a version-control URL: CI installs the same commit
    ARCHIVE = "archive"  # from a wheel or source archive at a URL: CI installs the same file
    INDEX = "index"  # from a package index: CI installs the same version from the index its pip uses
    LOCAL = "local"  # from a folder or file on this machine, as in development: nothing CI can reach


@dataclass(frozen=True, slots=True)
class Install:
    """How CI installs hindsite: what follows `python -m pip install`, or None when there is no source CI can
    reach (the CI files then get a line to fill in); `location` is the URL or folder it came from, if any."""

    arguments: str | None
    origin: Origin
    location: str = ""


@dataclass(frozen=True, slots=True)
class NewPostmortem:
    """What `new_postmortem` wrote: the file, and the site template used (None: the built-in one)."""

    path: Path
    template: Path | None


# --- hindsite init ---------------------------------------------------------------------------------------------


def starter_files() -> list[tuple[str, Traversable]]:
    """(path in the new archive, packaged file) for every file `init_archive` writes, in the order to list them."""
    found: list[tuple[str, Traversable]] = []

    def walk(folder: Traversable, prefix: PurePosixPath) -> None:
        for entry in folder.iterdir():
            name = "." + entry.name[len(_DOT_PREFIX):] if entry.name.startswith(_DOT_PREFIX) else entry.name
            if entry.is_dir():
                if name != "__pycache__":
                    walk(entry, prefix / name)
            else:
                found.append(((prefix / name).as_posix(), entry))

    walk(_STARTER / "archive", PurePosixPath())
    return sorted(found, key=lambda item: (item[0].startswith("."), item[0] != "site.toml", item[0]))


def starter_content(source: Traversable, install: str | None = None) -> bytes:
    """What `init_archive` writes of a packaged starter file: its bytes, naming the version of hindsite that writes
    them, with `install` (what follows `python -m pip install`; None: a line to fill in) in the CI files."""
    data = source.read_bytes().replace(_VERSION_MARK, __version__.encode())
    if _INSTALL_MARK.encode() not in data:
        return data
    lines = {_INSTALL_MARK: [yaml_value(_install_command(install))], _GIT_MARK: [], _NOTE_MARK: []}
    if install is None:
        lines[_NOTE_MARK] = _FILL_IN_NOTE.format(version=__version__).splitlines()
    elif "git+" in install:
        lines[_GIT_MARK] = ["apt-get update -qq && apt-get install -y -qq --no-install-recommends git"]
    return _fill_marks(data.decode("utf-8"), lines).encode("utf-8")


_FILL_IN_NOTE = """FILL IN where CI installs hindsite from: `hindsite init` found no source CI can
reach (the hindsite that ran it was installed from files on that machine).
Replace the command below with `python -m pip install SOURCE`, SOURCE being a git
URL at a tag (git+https://github.com/YOUR-ORG/hindsite@v{version}), a hindsite
wheel committed to this repository (vendor/hindsite-{version}-py3-none-any.whl),
or hindsite=={version} --index-url URL-OF-YOUR-PACKAGE-INDEX."""


def _install_command(install: str | None) -> str:
    if install is None:  # fails the job with a sentence instead of a puzzling pip error
        return f'echo "{UNSET_INSTALL} (see the FILL IN comment in this CI file)" >&2; exit 1'
    return f"python -m pip install {install}"


def _fill_marks(text: str, lines: Mapping[str, list[str]]) -> str:
    filled = []
    for line in text.splitlines(keepends=True):
        mark = next((m for m in lines if m in line), None)
        if mark is None:
            filled.append(line)
            continue
        before, after = line.split(mark, 1)
        filled += [before + value + after for value in lines[mark]]
    return "".join(filled)


def given_install(text: str) -> Install:
    """`init --install`: the arguments of `python -m pip install`, as typed in a shell. Raises `BadValue`."""
    arguments = text.strip()
    example = "e.g. --install git+https://github.com/YOUR-ORG/hindsite@v1.2.0"
    if not arguments or "\n" in arguments or "\r" in arguments:
        raise BadValue(f"--install takes one line: what CI gives `python -m pip install` to install hindsite, {example}")
    try:
        words = shlex.split(arguments)
    except ValueError as exc:
        raise BadValue(f"--install {text!r} cannot be read as shell words ({exc}); check its quotes") from None
    if all(word.startswith("-") for word in words):
        raise BadValue(f"--install {text!r} names nothing to install, only options; {example}")
    if "@" in words[1:-1]:  # `hindsite @ URL` typed without quotes: pip takes it as one requirement, not three
        at = words.index("@")
        words[at - 1:at + 2] = [" ".join(words[at - 1:at + 2])]
        arguments = shlex.join(words)
    return Install(arguments, Origin.GIVEN)


def this_install() -> Install:
    """Where this hindsite was installed from, as CI can install it too (PEP 610: the `direct_url.json` of its
    installed metadata; none means a package index)."""
    import importlib.metadata  # only `hindsite init` reads it: not loaded for every command
    try:
        distribution = importlib.metadata.distribution("hindsite")
    except importlib.metadata.PackageNotFoundError:
        return Install(None, Origin.LOCAL, str(Path(__file__).parents[1]))  # run from a source tree, not installed
    record = distribution.read_text("direct_url.json")
    if record is None:
        return Install(f"hindsite=={distribution.version}", Origin.INDEX)
    try:
        return install_from_direct_url(json.loads(record))
    except (ValueError, TypeError, AttributeError, KeyError):  # a record this code does not understand
        return Install(None, Origin.LOCAL)


def install_from_direct_url(record: Mapping[str, Any]) -> Install:
    """The install that reproduces a PEP 610 `direct_url.json` record, when CI can reach its URL."""
    url = str(record["url"])
    if urlsplit(url).scheme not in _REMOTE_SCHEMES:  # file://: a folder or a file on this machine
        return Install(None, Origin.LOCAL, url)
    fragment = [f"subdirectory={record['subdirectory']}"] if record.get("subdirectory") else []
    if "vcs_info" in record:
        vcs = record["vcs_info"]
        shown = f"{url}@{vcs.get('requested_revision') or vcs['commit_id']}"
        return Install(shlex.quote(_with_fragment(f"{vcs['vcs']}+{url}@{vcs['commit_id']}", fragment)), Origin.VCS, shown)
    if "archive_info" in record:
        hashes = record["archive_info"].get("hashes") or {}
        if "sha256" in hashes:  # pip then refuses a file that changed since
            fragment.append(f"sha256={hashes['sha256']}")
        return Install(shlex.quote(_with_fragment(url, fragment)), Origin.ARCHIVE, url)
    return Install(None, Origin.LOCAL, url)


def _with_fragment(url: str, parts: list[str]) -> str:
    return f"{url}#{'&'.join(parts)}" if parts else url


def unset_ci_installs(root: Path, shown_root: str = ".") -> list[Diagnostic]:
    """A `ci-install` error for each CI file under `root` whose install command is still to fill in;
    `shown_root` is `root` as diagnostics name it."""
    problems = []
    for rel in CI_FILES:
        try:
            lines = (root / rel).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            continue
        for number, line in enumerate(lines, start=1):
            if UNSET_INSTALL in line and not line.lstrip().startswith("#"):
                problems.append(diag.error(
                    "ci-install",
                    "this CI file does not say where to install hindsite from, so CI stops at that step; replace "
                    "the command with `python -m pip install SOURCE` as the FILL IN comment above it says",
                    rel if shown_root in ("", ".") else f"{shown_root.rstrip('/')}/{rel}", number))
    return problems


def init_archive(target: Path, install: str | None = None) -> list[Path]:
    """Write the starter archive into `target` (created when missing) and return the files written.

    `install` is what the CI files run `python -m pip install` with; None writes a line to fill in instead.
    When any of those files already exists, nothing is written and `FilesExist` names them all.
    """
    if target.exists() and not target.is_dir():
        raise ScaffoldError(f"{target} is a file, not a folder; choose a folder for the new archive")
    files = starter_files()
    clashes = _clashes(target, [rel for rel, _ in files])
    if clashes:
        names = "\n".join(f"  {_shown(path, target)}" for path in clashes)
        raise FilesExist(
            f"nothing was written, because {'this file' if len(clashes) == 1 else 'these files'} already "
            f"exist{'s' if len(clashes) == 1 else ''} in {target}:\n{names}\n"
            "Move them aside, or start the archive in another folder: hindsite init NEW-FOLDER",
            clashes,
        )
    written: list[Path] = []
    made: list[Path] = []
    try:
        for rel, source in files:
            destination = target.joinpath(*PurePosixPath(rel).parts)
            _make_folders(destination.parent, made)
            _write_new(destination, starter_content(source, install))
            written.append(destination)
    except OSError as exc:
        for path in reversed(written):
            path.unlink(missing_ok=True)
        for folder in reversed(made):
            _remove_if_empty(folder)
        where = exc.filename or target
        raise ScaffoldError(f"cannot write {where}: {exc.strerror or exc}; nothing was left behind") from None
    return written


def _clashes(target: Path, relative_paths: Iterable[str]) -> list[Path]:
    """Every path that would be overwritten, or that is a file where a folder must go."""
    clashes: set[Path] = set()
    for rel in relative_paths:
        parts = PurePosixPath(rel).parts
        for depth in range(1, len(parts)):
            folder = target.joinpath(*parts[:depth])
            if (folder.exists() or folder.is_symlink()) and not folder.is_dir():
                clashes.add(folder)
        destination = target.joinpath(*parts)
        if destination.exists() or destination.is_symlink():
            clashes.add(destination)
    return sorted(clashes)


def _make_folders(folder: Path, made: list[Path]) -> None:
    missing = [p for p in (folder, *folder.parents) if not p.exists()]
    for path in reversed(missing):
        path.mkdir()
        made.append(path)


def _remove_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass


def _write_new(path: Path, data: bytes) -> None:
    with open(path, "xb") as handle:  # "x": never replaces a file, even one created a moment ago
        handle.write(data)


def _shown(path: Path, base: Path) -> str:
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return str(path)


# --- hindsite new ----------------------------------------------------------------------------------------------


def new_postmortem(
    config: SiteConfig,
    title: str,
    *,
    services: Sequence[str] = (),
    tags: Sequence[str] = (),
    severity: str | None = None,
    date: str | None = None,
    today: dt.date | None = None,
) -> NewPostmortem:
    """Write `content_dir/YYYY-MM-DD-slug.md` from the site's postmortem template and return where.

    `date` is YYYY-MM-DD, default `today` (default: today in the site's time zone);
    `severity` is any name of a level on the site's scale. Raises `BadValue` for
    an unusable value, `FilesExist` when the file is already there and
    `ScaffoldError` when the content folder is missing or the template fails.
    """
    title = " ".join(title.split())
    if not title:
        raise BadValue("the title is empty; describe what happened in a few words, e.g. \"Checkout returned 502s\"")
    day = _parse_date(date) if date is not None else (today or dt.datetime.now(config.tzinfo).date())
    level = _severity(config, severity) if severity is not None else ""
    service_names = _names(services, "service", config.services.canonical)
    tag_names = _names(tags, "tag", lambda tag: tag)

    content = config.content_dir
    if not content.is_dir():
        raise ScaffoldError(
            f"there is no content folder {_shown(content, config.root)}/ in {config.root}; run this in the folder "
            "that holds site.toml, or start an archive here with: hindsite init"
        )
    path = content / f"{day.isoformat()}-{slugify(title, fallback='incident')}.md"
    if path.exists() or path.is_symlink():
        raise FilesExist(
            f"{_shown(path, config.root)} already exists and was left as it is; edit that file, "
            "or give this incident another title or --date",
            [path],
        )

    override = config.templates_dir / TEMPLATE_NAME
    template_path = override if override.is_file() else None
    text = _render(template_path, config, {
        "title": title,
        "date": day.isoformat(),
        "severity": level,
        "services": service_names,
        "tags": tag_names,
        "levels": list(config.severity.levels),
        "timezone": config.timezone,
        "utc_offset": _utc_offset(day, config),
    })
    try:
        _write_new(path, text.encode("utf-8"))
    except FileExistsError:
        raise FilesExist(f"{_shown(path, config.root)} already exists and was left as it is", [path]) from None
    except OSError as exc:
        raise ScaffoldError(f"cannot write {_shown(path, config.root)}: {exc.strerror or exc}") from None
    return NewPostmortem(path, template_path)


def _parse_date(text: str) -> dt.date:
    value = text.strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise BadValue(f"the date {text!r} is not written as YYYY-MM-DD, e.g. 2025-04-08")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise BadValue(f"the date {text!r} is not a day of the calendar; write it as YYYY-MM-DD") from None


def _severity(config: SiteConfig, written: str) -> str:
    level = config.severity.canonical(written) if written.strip() else None
    if level is None:
        scale = config.severity
        described = []
        for name in scale.levels:
            aliases = [a for a, target in scale.aliases.items() if target == name and a != squash(name)]
            described.append(f"{name} ({', '.join(aliases)})" if aliases else name)
        raise BadValue(
            f"unknown severity {written!r}; use one of the site's levels, most severe first: {'; '.join(described)}. "
            "The scale is set in [severity] in site.toml"
        )
    return level


def _names(written: Sequence[str], kind: str, canonical: Any) -> list[str]:
    names: list[str] = []
    for name in written:
        cleaned = " ".join(name.split())
        if not cleaned:
            raise BadValue(f"a {kind} name is empty; give each --{kind} a name")
        cleaned = canonical(cleaned)
        if cleaned not in names:
            names.append(cleaned)
    return names


def _utc_offset(day: dt.date, config: SiteConfig) -> str:
    """The site's UTC offset at noon on `day`, as `+02:00`."""
    offset = dt.datetime.combine(day, dt.time(12), config.tzinfo).utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _render(template_path: Path | None, config: SiteConfig, values: dict[str, Any]) -> str:
    if template_path is None:
        source = (_STARTER / TEMPLATE_NAME).read_text(encoding="utf-8")
        shown = f"the built-in {TEMPLATE_NAME}"
    else:
        shown = _shown(template_path, config.root)
        try:
            source = template_path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise ScaffoldError(f"{shown} is not UTF-8 text; save it as UTF-8") from None
        except OSError as exc:
            raise ScaffoldError(f"cannot read {shown}: {exc.strerror or exc}") from None
    import jinja2  # loaded by `hindsite new` alone, not by every command the command line starts
    environment = jinja2.Environment(autoescape=False, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    environment.filters["yaml"] = yaml_value
    try:
        return environment.from_string(source).render(values)
    except jinja2.TemplateSyntaxError as exc:
        raise ScaffoldError(f"{shown}:{exc.lineno}: {(exc.message or '').rstrip('.')}; fix the template") from None
    except jinja2.UndefinedError as exc:
        raise ScaffoldError(
            f"{shown}: {exc.message}; a postmortem template can use {', '.join(sorted(values))}"
        ) from None
    except jinja2.TemplateError as exc:
        raise ScaffoldError(f"{shown}: {exc.message or exc}; fix the template") from None


def yaml_value(value: Any) -> str:
    """`value` as a one-line YAML value for front-matter: plain when that reads back the same, else quoted.

    "Checkout down" → `Checkout down`; "Fix: retry" → `"Fix: retry"`; ["a", "b c"] → `[a, b c]`.
    """
    if isinstance(value, (list, tuple)):
        items = [str(item) for item in value]
        plain = "[" + ", ".join(items) + "]"
        return plain if _reads_back(plain, items) else json.dumps(items, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if value is None:
        return "null"
    text = str(value)
    return text if _reads_back(text, text) else json.dumps(text, ensure_ascii=False)


def _reads_back(written: str, expected: Any) -> bool:
    import yaml  # loaded by `hindsite new` alone, not by every command the command line starts
    if "\n" in written or "\r" in written:
        return False
    try:
        read_back: object = yaml.safe_load(f"value: {written}")
        return read_back == {"value": expected}
    except yaml.YAMLError:
        return False
