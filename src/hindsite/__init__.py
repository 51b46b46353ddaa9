"""hindsite: a static site generator for incident postmortems.

The command line is the main interface; this is the small public API for
scripts that want the pipeline without it.
"""

from .build import BuildResult, build, load
from .commands.run import export_paths
from .core.config import ConfigError, SiteConfig, load_config
from .core.diagnostics import Diagnostic, Level
from .core.model import ActionItem, Incident, Section, TimelineEvent
from .core.version import __version__
from .render.export import SCHEMA_VERSION, export_document

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
