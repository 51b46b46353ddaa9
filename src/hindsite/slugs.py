"""Slugs: the URL-safe names of incidents, tags and services."""

from __future__ import annotations

import re
import unicodedata

_SOURCE_SUFFIXES = re.compile(r"(\.(md|markdown|erb|html|txt))+$", re.I)


def slugify(text: str, fallback: str = "item") -> str:
    """Lower-case ASCII words joined by hyphens: "Édge Proxy/DNS" → "edge-proxy-dns"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.casefold()).strip("-")
    return slug[:80].rstrip("-") or fallback


def document_slug(file_name: str) -> str:
    """The id a document's file name gives: `2024-03-14-db.html.md.erb` → "2024-03-14-db"."""
    return slugify(_SOURCE_SUFFIXES.sub("", file_name), fallback="incident")
