"""Slugs: the URL-safe names of incidents, tags and services."""

from __future__ import annotations

import functools
import re
import unicodedata

_SOURCE_SUFFIXES = re.compile(r"(\.(md|markdown|erb|html|txt))+$", re.I)

#: Names Windows keeps for devices whatever the extension: a page named `con.html` cannot be opened there.
_DEVICE_NAMES = frozenset({"con", "prn", "aux", "nul", *(f"com{n}" for n in range(10)), *(f"lpt{n}" for n in range(10))})

#: Page names a tag or a service cannot have: the list of all of them is `index.html` beside their pages.
RESERVED_GROUP_SLUGS = frozenset({"index"})


def slugify(text: str, fallback: str = "item") -> str:
    """Lower-case ASCII words joined by hyphens: "Édge Proxy/DNS" → "edge-proxy-dns"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.casefold()).strip("-")
    slug = slug[:80].rstrip("-") or fallback
    return f"{slug}-{fallback}" if slug in _DEVICE_NAMES else slug


@functools.lru_cache(maxsize=4096)  # an archive has few names, asked for on every page and row that shows them
def group_slug(name: str) -> str:
    """The page name of a tag or a service: its slug, moved aside when the name is reserved."""
    slug = slugify(name)
    return f"{slug}-2" if slug in RESERVED_GROUP_SLUGS else slug


def document_slug(file_name: str) -> str:
    """The id a document's file name gives: `2024-03-14-db.html.md.erb` → "2024-03-14-db"."""
    return slugify(_SOURCE_SUFFIXES.sub("", file_name), fallback="incident")
