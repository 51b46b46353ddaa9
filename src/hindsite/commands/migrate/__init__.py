"""Legacy postmortems → canonical hindsite Markdown (`hindsite migrate`).

The canonical form states in YAML front-matter everything the normaliser
found; puts every section under its canonical heading, in canonical order;
writes the timeline as `- 2024-03-14 14:05 UTC — text` items and action items
as a checklist. It is cut from the document's own lines, so nothing the author
wrote is lost, and it is checked before it is used: the migrated text must
normalise to the same record (`differences`, docs/migrate.md), or the
document is left as it is. Nothing hindsite doubts is written for good: a
document whose reading holds a doubt is left as it is (`doubt_refusal`), and
what hindsite only worked out stays for the document to give again, unless
`force`.

`canonical_markdown`, `differences`, `doubt_refusal`, `unified_diff` and
`summary` are pure; `migrate_paths` reads documents and `write_migration`
replaces one file.

Modules: `canonical` (the document, and the layouts tried), `body` (timeline
and action items laid out again), `front_matter` (the author's block, and what
is added to it), `record` (the same record), `kept` (nothing the author wrote
lost, checked on the text), `doubts` (what a reading leaves open), `files`
(reading, writing, what is printed).
"""

from .canonical import canonical_markdown, migrate_document, section_heading
from .doubts import DOUBT_CODES, doubt_refusal
from .files import Migration, migrate_file, migrate_paths, summary, unified_diff, write_migration, write_migrations
from .front_matter import front_matter
from .record import REWRITTEN, TIME_WORDS, differences, words

__all__ = [
    "DOUBT_CODES", "REWRITTEN", "TIME_WORDS", "Migration", "canonical_markdown", "differences", "doubt_refusal",
    "front_matter", "migrate_document", "migrate_file", "migrate_paths", "section_heading", "summary", "unified_diff",
    "words", "write_migration", "write_migrations",
]
