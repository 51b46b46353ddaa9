"""Credentials in a document, wherever they stand: body, front-matter values and keys, unread front-matter.

`guard_secrets` reports each one at its line and, with `redact`, masks it in
the `Document` before anything is read from it, so the title, tags, services,
fields kept as written and every page, feed, index and export built from them
show the mask. Personal data is masked with `redact_personal` (never reported).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from ..core import diagnostics as diag
from ..core.config import SiteConfig
from ..core.diagnostics import Diagnostic
from ..read.files import Document
from .secrets import SECRET_KINDS, Found, find_secrets, lines_of, mask, redact


def guard_secrets(document: Document, config: SiteConfig) -> tuple[Document, list[Diagnostic]]:
    """Report credentials at their lines; with `redact` (or `redact_personal`), return the document masked."""
    body, problems = _guard_text(document.body, document.body_line, document.source, config)
    unread_line = (document.front_matter_line or 0) + 1
    unread, unread_problems = _guard_text(document.unread_front_matter, unread_line, document.source, config)
    walk = _FrontMatterWalk(document, config)
    front_matter = walk.mapping(document.front_matter)
    problems = [*unread_problems, *walk.problems, *problems]
    if config.redact or config.redact_personal:
        document = replace(document, body=body, unread_front_matter=unread, front_matter=front_matter,
                           key_lines=walk.key_lines)
    return document, problems


def without_secrets(problems: Iterable[Diagnostic], config: SiteConfig) -> list[Diagnostic]:
    """Diagnostics whose messages quote no credential (a field's value, a key): a message never repeats one."""
    return [replace(d, message=masked) if (masked := mask(d.message, personal=config.redact_personal)) != d.message
            else d for d in problems]


def secret_warning(kind: str, source: str, line: int | None, *, redacted: bool) -> Diagnostic:
    """The warning for one credential: it names the kind, never the value."""
    return diag.warning("secret", f"{kind} found on this line; remove it from the source and revoke it"
                        + ("" if redacted else " (redact = true in site.toml masks it in the published site)"),
                        source, line)


def masked_findings(found: Iterable[Found], config: SiteConfig) -> list[Found]:
    """The findings the site masks: credentials with `redact`, personal data (found only when asked) always."""
    return [f for f in found if config.redact or f.kind not in SECRET_KINDS]


def _guard_text(text: str, first_line: int, source: str, config: SiteConfig) -> tuple[str, list[Diagnostic]]:
    if not text:
        return text, []
    found = find_secrets(text, personal=config.redact_personal)
    secrets = [f for f in found if f.kind in SECRET_KINDS]
    problems = [secret_warning(kind, source, line, redacted=config.redact) for line, kind in lines_of(text, secrets, first_line)]
    masked = masked_findings(found, config)
    return (redact(text, masked) if masked else text), problems


@dataclass(frozen=True, slots=True)
class _Place:
    """Where a front-matter string stands: its top-level key, and the key it is the value of."""

    top: str
    key: str | None


class _FrontMatterWalk:
    """Scans every key and string value of the front-matter, nested ones included, masking as it goes.

    A value is scanned as `"key": value`, so `password: hunter22` reads as the
    assignment it is. Each finding is reported at the line of the front-matter
    that holds it (searched from its top-level key's line), else at that key's line.
    """

    def __init__(self, document: Document, config: SiteConfig) -> None:
        self.document, self.config = document, config
        self.problems: list[Diagnostic] = []
        self.key_lines: dict[str, int] = dict(document.key_lines)
        self._lines = document.front_matter_text.split("\n")[1:]  # the lines inside the fences, and the closing one
        self._first = (document.front_matter_line or 0) + 1  # the file line of the block's first line

    def mapping(self, values: Mapping[Any, Any], top: str | None = None) -> dict[Any, Any]:
        masked: dict[Any, Any] = {}
        for key, value in values.items():
            place = _Place(str(key) if top is None else top, str(key))
            new_key = self._string(key, _Place(place.top, None)) if isinstance(key, str) else key
            while new_key in masked:  # two keys masked alike both stay
                new_key = f"{new_key} (2)"
            if top is None and new_key != key and key in self.key_lines:
                self.key_lines[new_key] = self.key_lines.pop(key)
            masked[new_key] = self._value(value, place)
        return masked

    def _value(self, value: Any, place: _Place) -> Any:
        if isinstance(value, Mapping):
            return self.mapping(value, place.top)
        if isinstance(value, list):
            return [self._value(item, place) for item in value]
        if isinstance(value, str):
            return self._string(value, place)
        return value

    def _string(self, text: str, place: _Place) -> str:
        context = f'"{place.key}": ' if place.key is not None else ""
        found = [
            Found(f.kind, max(f.start, len(context)) - len(context), f.end - len(context))
            for f in find_secrets(context + text, personal=self.config.redact_personal)
            if f.end > len(context)  # one inside the key is the key's own, found when the key is scanned
        ]
        for item in found:
            if item.kind in SECRET_KINDS:
                line = self._line_of(text[item.start : item.end], place.top)
                self.problems.append(secret_warning(item.kind, self.document.source, line, redacted=self.config.redact))
        masked = masked_findings(found, self.config)
        return redact(text, masked) if masked else text

    def _line_of(self, secret: str, top: str) -> int | None:
        key_line = self.document.key_lines.get(top, self.document.front_matter_line)
        start = max(0, (key_line or self._first) - self._first)
        needle = next((part.strip() for part in secret.split("\n") if part.strip()), "")
        for offset, line in enumerate(self._lines[start:]):
            if needle and needle in line:
                return self._first + start + offset
        return key_line
