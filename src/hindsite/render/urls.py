"""The only place that maps model objects to output paths and URLs.

Every page is a plain `.html` file and every link is relative, so the site
works under any sub-path, on any static web server and straight from disk.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from urllib.parse import quote

from ..collect.reports import Period
from ..core.model import Incident

INDEX = "index.html"
SEARCH = "search.html"
FOLLOW_UPS = "follow-ups.html"
STATS = "stats.html"
INCIDENTS_JSON = "incidents.json"
TAG_INDEX = "tags/index.html"
SERVICE_INDEX = "services/index.html"
REPORT_INDEX = "reports/index.html"
STATIC_DIR = "static"
FILES_DIR = "files"


def incident_url(incident: Incident) -> str:
    return incident_url_for(incident.id)


def incident_url_for(incident_id: str) -> str:
    return f"incidents/{incident_id}.html"


def paged(url: str, number: int) -> str:
    """The n-th page of a long list whose first page is `url`: tags/db.html, then tags/db/page/2.html…

    The index's later pages sit beside it: index.html, then page/2.html.
    """
    if number <= 1:
        return url
    folder = "" if url == INDEX else url.removesuffix(".html") + "/"
    return f"{folder}page/{number}.html"


def tag_url(slug: str) -> str:
    return f"tags/{slug}.html"


def service_url(slug: str) -> str:
    return f"services/{slug}.html"


def report_url(period: Period) -> str:
    """A quarter's or a year's reliability report: reports/2024-q1.html, reports/2024.html."""
    return f"reports/{period.slug}.html"


def static_url(name: str) -> str:
    return f"{STATIC_DIR}/{name}"


def file_url(content_path: str) -> str:
    """Where a non-Markdown file from the content folder (an image, a log) is published: its path in the site."""
    return f"{FILES_DIR}/{content_path}"


def file_href(content_path: str) -> str:
    """The URL of a published file: its path with each part percent-encoded once (`a b#1.png` → `a%20b%231.png`).

    A name that is not UTF-8 keeps its bytes (`%FF`), as the file on disk does.
    """
    return "/".join(quote(part, safe="", errors="surrogateescape") for part in file_url(content_path).split("/"))


def root_of(url: str) -> str:
    """The relative prefix from a page back to the site root: "" or "../"."""
    depth = len(PurePosixPath(url).parts) - 1
    return "../" * depth
