"""export.py: the JSON projection, whole or one record at a time."""

from __future__ import annotations

import datetime as dt

from factories import incident

from hindsite.export import compact_pieces, dumps
from hindsite.model import ActionItem, Section, TimelineEvent


def test_the_export_in_pieces_is_the_same_text_as_whole() -> None:
    zone = dt.timezone(dt.timedelta(hours=3))
    incidents = [
        incident("a", title="Ünïcode \"quoted\" </script>", date=dt.date(2024, 5, 1), tags=("db",),
                 started_at=dt.datetime(2024, 5, 1, 9, tzinfo=zone),
                 sections=(Section("summary", "Summary", 3, "Text\n", "<p>Text</p>\n"),),
                 timeline=(TimelineEvent(None, "paged", 7, dt.time(9, 5)),),
                 action_items=(ActionItem("fix it", "ana", "open", None, 9),)),
        incident("b"),
    ]
    for chosen in (incidents, incidents[:1], []):
        pieces = list(compact_pieces(chosen))
        assert "".join(pieces) == dumps(chosen)
        assert len(pieces) == len(chosen) + 2  # never more than one record in a piece
