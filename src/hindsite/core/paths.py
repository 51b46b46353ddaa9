"""Paths inside the content folder: where a document's relative link points."""

from __future__ import annotations

import posixpath
from urllib.parse import unquote


def resolve_reference(content_path: str, reference: str) -> str | None:
    """A relative link in a document → the content-relative path it points at.

    None for anything that is not a plain relative path inside the content
    folder (absolute URLs, anchors, `..` that climbs out).
    """
    target = unquote(reference.split("#", 1)[0].split("?", 1)[0])
    if not target or "://" in reference or reference.startswith(("/", "#", "mailto:", "tel:", "data:")):
        return None
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(content_path), target))
    if joined.startswith("../") or joined == "..":
        return None
    return joined
