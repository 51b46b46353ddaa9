"""hindsite: a static site generator for incident postmortems."""

__version__ = "0.1.0"
