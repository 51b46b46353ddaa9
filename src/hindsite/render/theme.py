"""Where the theme's templates are, and the error a template that cannot be rendered raises.

Apart from render/site.py so that what only needs these (a build with nothing to do, which keys the cache
with the theme's files, or catches the error) does not load Jinja and the page plan.
"""

from __future__ import annotations

from pathlib import Path

from ..core.config import SiteConfig
from ..core.diagnostics import Diagnostic


class RenderError(Exception):
    """A template could not be rendered; `diagnostic` says where."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic

    def __reduce__(self) -> tuple[type[RenderError], tuple[Diagnostic]]:
        return RenderError, (self.diagnostic,)  # raised in a worker process, it is pickled back to the build


def builtin_theme_dir() -> Path:
    """The built-in theme: inside the installed package, or the repository's templates/."""
    packaged = Path(__file__).parents[1] / "templates"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[3] / "templates"


def theme_dir(config: SiteConfig) -> Path:
    return builtin_theme_dir() if config.theme == "default" else (config.root / config.theme)
