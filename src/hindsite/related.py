"""Related incidents: shared services and tags, and similar root-cause wording.

Candidates come from the archive's indexes rather than comparing every pair,
so the work stays near-linear at archive scale.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping

from .archive import Archive
from .model import Incident
from .parallel import map_in_processes
from .slugs import group_slug

_WORD = re.compile(r"[a-z][a-z0-9-]{3,}")
_STOP = frozenset("""this that with from were have been which their there when what into because caused cause
root issue incident outage service services would could should after before during about while where them then
than they also only some more most other such very over under again team""".split())
_PER_GROUP = 200  # newest incidents considered from each shared service or tag


def related_incidents(archive: Archive, limit: int = 5) -> Mapping[str, tuple[Incident, ...]]:
    """For each incident id, up to `limit` others, most related first."""
    words = {i.id: _root_cause_words(i) for i in archive.incidents}
    rarity = _rarity(words.values(), len(archive.incidents))
    by_word: dict[str, list[Incident]] = {}
    for incident in archive.incidents:
        for word in words[incident.id]:
            if rarity.get(word, 0) > 1.0:
                by_word.setdefault(word, []).append(incident)
    by_id = {incident.id: incident for incident in archive.incidents}

    def most_related(incident: Incident) -> tuple[str, ...]:
        scores: Counter[str] = Counter()
        for groups, names, weight in ((archive.by_service, incident.services, 3.0), (archive.by_tag, incident.tags, 2.0)):
            for name in names:
                group = groups.get(group_slug(name))
                for other in group.incidents[:_PER_GROUP] if group else ():
                    scores[other.id] += weight
        for word in words[incident.id]:
            for other in by_word.get(word, ())[:_PER_GROUP]:
                scores[other.id] += rarity[word]
        scores.pop(incident.id, None)
        return tuple(key for key, _ in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:limit])

    # Only ids cross between processes; the indexes reach the workers by fork.
    ordered = archive.incidents
    chosen = map_in_processes(lambda n: most_related(ordered[n]), range(len(ordered)))
    return {incident.id: tuple(by_id[key] for key in keys) for incident, keys in zip(ordered, chosen)}


def _root_cause_words(incident: Incident) -> frozenset[str]:
    text = " ".join(s.text for s in incident.sections if s.key in ("root_cause", "trigger", "fault"))
    return frozenset(w for w in _WORD.findall(text.casefold()) if w not in _STOP)


def _rarity(word_sets: Iterable[frozenset[str]], total: int) -> dict[str, float]:
    """Inverse document frequency: words few root causes share weigh most."""
    counts: Counter[str] = Counter()
    for words in word_sets:
        counts.update(words)
    return {w: math.log((1 + total) / (1 + n)) for w, n in counts.items() if n > 1}
