"""site.toml → one frozen, validated `SiteConfig`.

Every key is declared once in `_KEYS` with its type, default and meaning;
unknown keys are errors with a "did you mean" suggestion, and every problem in
the file is reported in one run.
"""

from __future__ import annotations

import difflib
import re
import tomllib
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from . import diagnostics as diag
from .diagnostics import Diagnostic
from .model import SECTION_KEYS

CONFIG_FILE = "site.toml"

#: The default severity scale: canonical id → aliases, most severe first.
DEFAULT_SEVERITY: Mapping[str, tuple[str, ...]] = {
    "sev1": ("critical", "p1", "p0", "sev0", "emergency", "blocker"),
    "sev2": ("major", "high", "p2"),
    "sev3": ("minor", "medium", "moderate", "p3"),
    "sev4": ("low", "trivial", "p4", "p5"),
}


@dataclass(frozen=True, slots=True)
class SeverityScale:
    """An ordered scale of canonical severity ids, each with its aliases."""

    levels: tuple[str, ...]
    aliases: Mapping[str, str]  # squashed alias or id → canonical id

    @classmethod
    def from_mapping(cls, table: Mapping[str, tuple[str, ...]]) -> SeverityScale:
        aliases: dict[str, str] = {}
        for level, names in table.items():
            for name in (level, *names):
                aliases[squash(name)] = level
        return cls(tuple(table), aliases)

    def canonical(self, value: str) -> str | None:
        """The canonical id for a written severity ("SEV-1", "Critical", "P2"), or None."""
        whole = squash(value)
        if whole in self.aliases:
            return self.aliases[whole]
        if whole.isdigit() and 1 <= int(whole) <= len(self.levels):
            return self.levels[int(whole) - 1]  # "Severity: 2" means the second level
        for word in re.split(r"[\s/,;:()\-–—]+", value):
            if squash(word) in self.aliases:
                return self.aliases[squash(word)]
        return None

    def named(self, value: str) -> str | None:
        """The canonical id of a level `value` names as a whole ("SEV-2", "Critical"), or None: unlike `canonical`,
        not one it mentions among other words ("Not critical")."""
        return self.aliases.get(squash(value))

    def rank(self, level: str | None) -> int:
        """0 for the most severe level; unknown levels sort last."""
        return self.levels.index(level) if level in self.levels else len(self.levels)


def squash(text: str) -> str:
    """Lower-case letters and digits only: "SEV-1" and "sev 1" both become "sev1"."""
    return re.sub(r"[^0-9a-z]", "", text.casefold())


@dataclass(frozen=True, slots=True)
class ServiceInfo:
    """A service as the site's registry describes it; `aliases` are other names incidents use for it."""

    id: str
    name: str
    owner: str = ""
    description: str = ""
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ServiceRegistry:
    services: tuple[ServiceInfo, ...] = ()
    # Every name of every service, squashed → its display name (the first service to claim a name keeps it), and
    # display name → service: a look-up costs the same however many services the registry or a document names.
    _names: Mapping[str, str] = field(init=False, repr=False, compare=False)
    _by_name: Mapping[str, ServiceInfo] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        names: dict[str, str] = {}
        for service in self.services:
            for name in (service.id, service.name, *service.aliases):
                names.setdefault(squash(name), service.name)
        object.__setattr__(self, "_names", names)
        object.__setattr__(self, "_by_name", {s.name: s for s in reversed(self.services)})

    def canonical(self, written: str) -> str:
        """The registered display name for any of a service's names; other names unchanged."""
        return self._names.get(squash(written), written)

    def info(self, name: str) -> ServiceInfo | None:
        return self._by_name.get(name)


#: Larger documents are refused: a postmortem is tens of kilobytes, and a pasted log of
#: megabytes is better published as its own file (Markdown parsing grows with the size).
DEFAULT_MAX_DOCUMENT_MB = 4
DEFAULT_MAX_ATTACHMENT_SCAN_MB = 64
#: The longest an incident's derived duration may be before it is withheld as implausible.
DEFAULT_MAX_INCIDENT_DAYS = 14
#: A document's tags and services beyond these many stay out of the site's indexes (each of them would be a page
#: listing the document) and are shown on its page as text. A few dozen tags tell incidents apart; thousands
#: would make thousands of pages.
DEFAULT_MAX_TAGS = 50
DEFAULT_MAX_SERVICES = 20


@dataclass(frozen=True, slots=True)
class SiteConfig:
    """The whole configuration of one site. Paths are absolute."""

    root: Path
    title: str = "Incident archive"
    description: str = ""
    base_url: str = ""
    repo_url: str = ""
    content_dir: Path = Path("content")
    output_dir: Path = Path("_site")
    templates_dir: Path = Path("overrides")
    theme: str = "default"
    timezone: str = "UTC"
    day_first: bool | None = None  # None: each document's own dates decide, else its numeric dates are left out
    redact: bool = False  # mask credentials found in documents in the published site
    redact_personal: bool = False  # mask e-mail addresses and phone numbers too
    max_document_mb: int = DEFAULT_MAX_DOCUMENT_MB
    max_attachment_scan_mb: int = DEFAULT_MAX_ATTACHMENT_SCAN_MB  # text attachments up to this size are scanned for credentials
    max_incident_days: int = DEFAULT_MAX_INCIDENT_DAYS
    max_tags_per_document: int = DEFAULT_MAX_TAGS
    max_services_per_document: int = DEFAULT_MAX_SERVICES
    severity: SeverityScale = field(
        default_factory=lambda: SeverityScale.from_mapping(DEFAULT_SEVERITY)
    )
    zones: Mapping[str, int] = field(default_factory=dict)  # extra zone abbreviations → UTC offset in seconds
    services: ServiceRegistry = field(default_factory=ServiceRegistry)
    section_aliases: Mapping[str, str] = field(default_factory=dict)
    required_sections: tuple[str, ...] = ()

    @property
    def max_incident_minutes(self) -> int:
        return self.max_incident_days * 1440

    @property
    def max_document_bytes(self) -> int:
        return self.max_document_mb * 1048576

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


class ConfigError(Exception):
    """site.toml cannot be used; `diagnostics` says every reason."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__("; ".join(d.message for d in diagnostics))
        self.diagnostics = diagnostics


@dataclass(frozen=True, slots=True)
class _Key:
    kind: type
    help: str


_KEYS: Mapping[str, _Key] = {
    "title": _Key(str, "the site's name, shown in every page header"),
    "description": _Key(str, "one sentence about the archive, shown on the index"),
    "base_url": _Key(str, "absolute URL the site is published at (for feeds); empty for relative only"),
    "repo_url": _Key(str, "URL of the content's repository, for 'view source' links"),
    "content_dir": _Key(str, "folder of postmortems, relative to site.toml"),
    "output_dir": _Key(str, "folder the site is written to, relative to site.toml"),
    "templates_dir": _Key(str, "folder of templates that override the theme's, relative to site.toml"),
    "theme": _Key(str, "'default' or the path of a theme folder"),
    "timezone": _Key(str, "IANA zone for times written without one, e.g. 'Europe/Berlin'"),
    "day_first": _Key(bool, "read 05/04/2020 as 5 April (true) or May 4 (false) where the document itself does not "
                      "say; unset, such dates are left out with a diagnostic"),
    "redact": _Key(bool, "mask credentials found in documents (keys, tokens, passwords) in the published site"),
    "redact_personal": _Key(bool, "also mask e-mail addresses and phone numbers in the published site"),
    "max_document_mb": _Key(int, f"documents larger than this many megabytes are refused (default {DEFAULT_MAX_DOCUMENT_MB})"),
    "max_attachment_scan_mb": _Key(int, "text attachments up to this many megabytes are scanned for credentials "
                                   f"(default {DEFAULT_MAX_ATTACHMENT_SCAN_MB})"),
    "max_incident_days": _Key(int, "a duration worked out from a timeline that is longer than this is left out as "
                              f"implausible (default {DEFAULT_MAX_INCIDENT_DAYS})"),
    "max_tags_per_document": _Key(int, f"a document's tags beyond this many get no page and are shown as text (default {DEFAULT_MAX_TAGS})"),
    "max_services_per_document": _Key(
        int, f"a document's services beyond this many get no page and are shown as text (default {DEFAULT_MAX_SERVICES})"),
    "severity": _Key(dict, "the severity scale: id = [aliases], most severe first"),
    "sections": _Key(dict, "section matching: 'aliases' and 'required'"),
    "zones": _Key(dict, "extra time-zone abbreviations: NAME = \"+03:00\""),
    "services": _Key(dict, "the service registry: [services.ID] with name, owner, description, aliases"),
}
_SECTION_KEYS = {"aliases", "required"}
#: Keys that are whole numbers of at least 1.
_COUNTS = ("max_document_mb", "max_attachment_scan_mb", "max_incident_days", "max_tags_per_document",
           "max_services_per_document")


def _is_kind(value: Any, kind: type) -> bool:
    """Whether a TOML value is of `kind`; TOML's true and false are not numbers, though Python's bool is an int."""
    return isinstance(value, kind) and not (kind is int and isinstance(value, bool))


def load_config(
    path: Path | None,
    *,
    content_dir: Path | None = None,
    output_dir: Path | None = None,
) -> SiteConfig:
    """Read and validate site.toml; `path=None` means "no file, all defaults".

    Folders given on the command line win over the file's and are taken as
    they are (relative to the working directory).
    """
    table: dict[str, Any] = {}
    text = ""
    root = Path.cwd()
    shown = CONFIG_FILE
    if path is not None:
        shown = str(path)
        root = path.resolve().parent
        try:
            text = path.read_text(encoding="utf-8-sig")
            table = tomllib.loads(text)
        except OSError as exc:
            raise ConfigError([diag.error("config", f"cannot read the config file: {exc.strerror}", shown)])
        except UnicodeDecodeError:
            raise ConfigError([diag.error("config", "the config file is not UTF-8 text; save it as UTF-8", shown)])
        except tomllib.TOMLDecodeError as exc:
            line = _toml_error_line(str(exc))
            raise ConfigError([diag.error("config", f"invalid TOML: {exc}; fix the syntax", shown, line)])

    problems: list[Diagnostic] = []

    def problem(message: str, key: str, table_name: str = "") -> None:
        problems.append(diag.error("config", message, shown, _key_line(text, table_name, key)))

    for key, value in table.items():
        spec = _KEYS.get(key)
        if spec is None:
            problem(f"unknown key {key!r}{_suggestion(key, _KEYS)}", key)
        elif not _is_kind(value, spec.kind):
            problem(f"{key!r} must be {_kind_name(spec.kind)}, not {_kind_name(type(value))} ({spec.help})", key)

    values: dict[str, Any] = {k: v for k, v in table.items() if k in _KEYS and _is_kind(v, _KEYS[k].kind)}
    config = SiteConfig(root=root)
    updates: dict[str, Any] = {
        name: values[name]
        for name in ("title", "description", "base_url", "repo_url", "theme", "timezone", "day_first", "redact",
                     "redact_personal", *_COUNTS)
        if name in values
    }
    for name in ("content_dir", "output_dir", "templates_dir"):
        if name in values:
            updates[name] = root / values[name]
        else:
            updates[name] = root / getattr(config, name)
    if content_dir is not None:
        updates["content_dir"] = content_dir.resolve()
    if output_dir is not None:
        updates["output_dir"] = output_dir.resolve()

    for name in _COUNTS:
        if values.get(name, 1) < 1:
            problem(f"{name!r} must be at least 1 ({_KEYS[name].help})", name)
    for name, example in _URL_KEYS.items():
        if values.get(name) and not _is_web_address(values[name]):
            problem(f"{name!r} must be an http:// or https:// address without spaces, such as {example!r}, or left out; "
                    f"it is {values[name]!r}", name)
    if "timezone" in values:
        _check_timezone(values["timezone"], problem)
    if "severity" in values:
        updates["severity"] = _severity_scale(values["severity"], problem)
    if "services" in values:
        updates["services"] = _services(values["services"], problem)
    if "zones" in values:
        updates["zones"] = _zones(values["zones"], problem)
    if "sections" in values:
        updates["section_aliases"], updates["required_sections"] = _sections(values["sections"], problem)

    if problems:
        raise ConfigError(problems)
    return replace(config, **updates)


#: Keys that pages, feeds and printed reports turn into links, with an example of each.
_URL_KEYS = {
    "base_url": "https://postmortems.example.com/",
    "repo_url": "https://github.com/example/postmortems/blob/main",
}


def _is_web_address(url: str) -> bool:
    """An absolute http(s) URL with a host: never `javascript:`, `data:` or a relative path that a link would follow."""
    if re.search(r"[\s\x00-\x1f\x7f-\x9f]", url):
        return False
    parts = urlsplit(url)
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def find_config(start: Path) -> Path | None:
    """site.toml in `start`, or None when there is none (all defaults apply)."""
    candidate = start / CONFIG_FILE
    return candidate if candidate.is_file() else None


def _check_timezone(name: str, problem: Any) -> None:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        problem(f"unknown timezone {name!r}; use an IANA name such as 'UTC' or 'Africa/Nairobi'", "timezone")


def _severity_scale(table: dict[str, Any], problem: Any) -> SeverityScale:
    levels: dict[str, tuple[str, ...]] = {}
    for level, names in table.items():
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            problem(f"severity {level!r} must be a list of aliases, e.g. {level} = [\"critical\", \"P1\"]", level, "severity")
            continue
        levels[level] = tuple(names)
    if not table:
        problem("the [severity] table is empty; list at least one level, e.g. sev1 = [\"critical\"]", "severity")
    if not levels:
        return SeverityScale.from_mapping(DEFAULT_SEVERITY)
    return SeverityScale.from_mapping(levels)


_SERVICE_KEYS = {"name": str, "owner": str, "description": str, "aliases": list}


def _services(table: dict[str, Any], problem: Any) -> ServiceRegistry:
    services = []
    for service_id, entry in table.items():
        where = f"services.{service_id}"
        if not isinstance(entry, dict):
            problem(f"[services.{service_id}] must be a table with name, owner, description and aliases", service_id, "services")
            continue
        for key, value in entry.items():
            kind = _SERVICE_KEYS.get(key)
            if kind is None:
                problem(f"unknown key '{where}.{key}'{_suggestion(key, _SERVICE_KEYS)}", key, where)
            elif not isinstance(value, kind) or (kind is list and not all(isinstance(a, str) for a in value)):
                problem(f"'{where}.{key}' must be {_kind_name(kind)}{' of strings' if kind is list else ''}", key, where)
        aliases = entry.get("aliases", [])
        services.append(ServiceInfo(
            id=service_id,
            name=str(entry.get("name") or service_id),
            owner=str(entry.get("owner", "")),
            description=str(entry.get("description", "")),
            aliases=tuple(a for a in aliases if isinstance(a, str)) if isinstance(aliases, list) else (),
        ))
    return ServiceRegistry(tuple(services))


def _zones(table: dict[str, Any], problem: Any) -> dict[str, int]:
    zones: dict[str, int] = {}
    for name, offset in table.items():
        match = re.fullmatch(r"(?:UTC|GMT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?", str(offset).strip())
        if not re.fullmatch(r"[A-Za-z]{1,6}", name) or match is None:
            problem(f"zones: {name} = {offset!r} is not an abbreviation with an offset; write e.g. EAT = \"+03:00\"",
                    name, "zones")
            continue
        sign = 1 if match.group(1) == "+" else -1
        zones[name.upper()] = sign * (int(match.group(2)) * 3600 + int(match.group(3) or 0) * 60)
    return zones


def _sections(table: dict[str, Any], problem: Any) -> tuple[dict[str, str], tuple[str, ...]]:
    aliases: dict[str, str] = {}
    required: tuple[str, ...] = ()
    for key, value in table.items():
        if key not in _SECTION_KEYS:
            problem(f"unknown key 'sections.{key}'{_suggestion(key, _SECTION_KEYS)}", key, "sections")
    raw_aliases = table.get("aliases", {})
    if not isinstance(raw_aliases, dict):
        problem("[sections.aliases] must be a table of heading = \"key\" pairs, e.g. \"Five whys\" = \"root_cause\"",
                "aliases", "sections")
        raw_aliases = {}
    for heading, target in raw_aliases.items():
        if target not in SECTION_KEYS:
            problem(
                f"sections.aliases: {heading!r} maps to unknown section {target!r}"
                f"{_suggestion(str(target), SECTION_KEYS)}; use one of {', '.join(SECTION_KEYS)}",
                heading,
                "sections.aliases",
            )
        else:
            aliases[heading] = target
    raw_required = table.get("required", [])
    if not isinstance(raw_required, list):
        problem("sections.required must be a list of section keys", "required", "sections")
    else:
        unknown = [k for k in raw_required if k not in SECTION_KEYS]
        for k in unknown:
            problem(f"sections.required: unknown section {k!r}{_suggestion(str(k), SECTION_KEYS)}", "required", "sections")
        required = tuple(k for k in raw_required if k in SECTION_KEYS)
    return aliases, required


def _suggestion(word: str, choices: Any) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else f"; known keys: {', '.join(sorted(choices))}"


def _kind_name(kind: type) -> str:
    return {str: "a string", dict: "a table", list: "a list", int: "a number", bool: "true or false"}.get(
        kind, kind.__name__
    )


def _key_line(text: str, table_name: str, key: str) -> int | None:
    """The line a key is set on, tracking `[table]` headers; None when not found."""
    current = ""
    key_pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
    for number, line in enumerate(text.splitlines(), start=1):
        header = re.match(r"^\s*\[([^\]]+)\]\s*(#.*)?$", line)
        if header:
            current = header.group(1).strip()
            if current == f"{table_name}.{key}".strip(".") or (not table_name and current == key):
                return number
            continue
        if current == table_name and key_pattern.match(line):
            return number
    return None


def _toml_error_line(message: str) -> int | None:
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else None
