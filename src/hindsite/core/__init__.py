"""The leaf helpers every stage shares: diagnostics, the incident model, the site's configuration, slugs,
paths, formats, the Markdown parser, worker processes and the version.

Owns no stage of the pipeline. May import nothing of hindsite outside `core`.
"""
