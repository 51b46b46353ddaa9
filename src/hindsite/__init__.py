"""hindsite: a static site generator for incident postmortems.

The command line is the main interface; this is the small public API for
scripts that want the pipeline without it.
"""

__version__ = "0.1.0"

from .build import BuildResult, build, load  # noqa: E402 — submodules read __version__
from .commands import export_paths  # noqa: E402
from .config import ConfigError, SiteConfig, load_config  # noqa: E402
from .diagnostics import Diagnostic, Level  # noqa: E402
from .export import SCHEMA_VERSION, export_document  # noqa: E402
from .model import ActionItem, Incident, Section, TimelineEvent  # noqa: E402

__all__ = [
    "ActionItem",
    "BuildResult",
    "ConfigError",
    "Diagnostic",
    "Incident",
    "Level",
    "SCHEMA_VERSION",
    "Section",
    "SiteConfig",
    "TimelineEvent",
    "__version__",
    "build",
    "export_document",
    "export_paths",
    "load",
    "load_config",
]
