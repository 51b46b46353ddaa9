"""Model objects for unit tests, with empty defaults so each test states only what it is about."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

from hindsite.core.config import SiteConfig
from hindsite.core.model import Incident, minutes_between
from hindsite.normalise import normalise
from hindsite.read.files import split_front_matter


def incident(id: str, **fields: Any) -> Incident:
    """An incident with empty defaults; `duration_minutes` follows start/resolve as normalise does."""
    values: dict[str, Any] = dict(
        id=id, source=f"content/{id}.md", content_path=f"{id}.md", title=id, date=None, severity=None,
        services=(), tags=(), responders=(), status=None, started_at=None, detected_at=None, resolved_at=None,
        summary="", sections=(), timeline=(), action_items=(), diagnostics=(),
    )
    values.update(fields)
    values.setdefault("duration_minutes", minutes_between(values["started_at"], values["resolved_at"]))
    return Incident(**values)


def normalised(text: str, name: str = "2024-03-05-queue.md") -> Incident:
    """The incident the real normaliser reads from `text`, as if it were `content/NAME` of a site with default settings."""
    document = split_front_matter(text, f"content/{name}", PurePosixPath(name))
    return normalise(document, SiteConfig(root=Path(".")))


# Documents whose time facts the normaliser derives or withholds, for the pages, figures and tools that show them.

#: The timeline's last event is a month after its first: the end and the duration it implies are withheld.
MONTH_LONG = """\
---
title: Billing export hung for a month
date: 2024-03-05
severity: sev3
services: [billing]
---

## Summary

The nightly export hung.

## Timeline

All times are UTC.

- 2024-03-05 10:00 export started failing
- 2024-03-15 10:20 alert fired
- 2024-03-25 09:00 retried by hand
- 2024-04-04 10:00 service restored
"""

#: The stated end is before the timeline's first event: the start and detection worked out from it are withheld.
END_BEFORE_START = """\
---
title: Queue workers stalled
date: 2024-03-06
severity: sev2
services: [billing]
resolved_at: 2024-03-06T09:00:00+00:00
---

## Summary

Workers stalled.

## Timeline

All times UTC.

- 09:40 deploy began
- 09:50 alert fired
- 09:55 workers restarted
"""

#: Start, detection and end worked out from the timeline, and an event written with a date and no time.
DERIVED_TIMES = """\
---
title: Checkout errors after a config push
date: 2024-03-07
severity: sev2
services: [billing]
---

## Summary

Checkout failed for some users.

## Timeline

All times are PST.

- 2024-02-20: the bad config was written
- 2024-03-07 10:00 errors began
- 2024-03-07 10:12 alert fired
- 2024-03-07 10:42 service restored
"""

#: No time at all: the figures leave it out as giving none.
NO_TIMES = """\
---
title: Slow search
date: 2024-03-08
severity: sev4
services: [billing]
---

## Summary

Search was slow for a while.
"""
