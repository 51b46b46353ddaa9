"""Diagnostics: the one currency for every problem hindsite finds.

Each stage returns the diagnostics it found alongside its value; nothing is
raised for a user's mistake. The CLI decides what they mean for the exit code.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass


class Level(enum.Enum):
    """How serious a diagnostic is. Errors fail a build; warnings fail a strict one."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem, located in a file (and a line when there is one).

    `code` is stable and documented in docs/diagnostics.md; `message` is a
    sentence a user can act on: what is wrong and what to do about it.
    """

    code: str
    level: Level
    message: str
    path: str = ""
    line: int | None = None

    def __reduce__(self) -> tuple[type[Diagnostic], tuple[str, Level, str, str, int | None]]:
        # Pickled as its fields, in order, for the build cache: dataclasses' state functions for a slotted class
        # look the fields up again for every diagnostic saved and loaded.
        return Diagnostic, (self.code, self.level, self.message, self.path, self.line)

    def format(self) -> str:
        """`path:line: level: code: message`, the form editors and CI understand."""
        where = self.path or "<site>"
        if self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: {self.level.value}: {self.code}: {self.message}"

    def to_record(self) -> dict[str, object]:
        return {
            "code": self.code,
            "level": self.level.value,
            "line": self.line,
            "message": self.message,
        }


def error(code: str, message: str, path: str = "", line: int | None = None) -> Diagnostic:
    return Diagnostic(code, Level.ERROR, message, path, line)


def warning(code: str, message: str, path: str = "", line: int | None = None) -> Diagnostic:
    return Diagnostic(code, Level.WARNING, message, path, line)


def info(code: str, message: str, path: str = "", line: int | None = None) -> Diagnostic:
    return Diagnostic(code, Level.INFO, message, path, line)


def count(diagnostics: Iterable[Diagnostic], level: Level) -> int:
    return sum(1 for d in diagnostics if d.level is level)


def fails(diagnostics: Iterable[Diagnostic], *, strict: bool) -> bool:
    """Whether these diagnostics make a build fail: any error, or any warning when strict."""
    failing = {Level.ERROR, Level.WARNING} if strict else {Level.ERROR}
    return any(d.level in failing for d in diagnostics)


def sorted_for_output(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Stable order for printing: by file, then line, then code."""
    return sorted(diagnostics, key=lambda d: (d.path, d.line or 0, d.code, d.message))
