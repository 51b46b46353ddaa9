"""Related incidents: shared services and tags, and similar root-cause wording.

Candidates come from the archive's indexes rather than comparing every pair,
so the work stays near-linear at archive scale.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping

from .archive import Archive, Group
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
    # Sorted: a score adds up these words' weights in this order, and floating-point sums depend on it. A set's
    # order changes with each process's string hashes, and near ties with it, from one build to the next.
    words = {i.id: sorted(_root_cause_words(i)) for i in archive.incidents}
    rarity = _rarity(words.values(), len(archive.incidents))
    by_word: dict[str, list[str]] = {}
    for incident in archive.incidents:
        for word in words[incident.id]:
            if rarity.get(word, 0) > 1.0:
                by_word.setdefault(word, []).append(incident.id)
    by_word = {word: ids[:_PER_GROUP] for word, ids in by_word.items()}
    by_id = {incident.id: incident for incident in archive.incidents}
    services, tags = _newest_ids(archive.by_service), _newest_ids(archive.by_tag)

    def most_related(incident: Incident) -> tuple[str, ...]:
        scores: dict[str, float] = {}
        score = scores.get
        for groups, names, weight in ((services, incident.services, 3.0), (tags, incident.tags, 2.0)):
            for name in names:
                for other in groups.get(group_slug(name), ()):
                    scores[other] = score(other, 0) + weight
        for word in words[incident.id]:
            if word in by_word:
                weight = rarity[word]
                for other in by_word[word]:
                    scores[other] = score(other, 0) + weight
        scores.pop(incident.id, None)
        return _best(scores, limit)

    # Only ids cross between processes; the indexes reach the workers by fork.
    ordered = archive.incidents
    chosen = map_in_processes(lambda n: most_related(ordered[n]), range(len(ordered)))
    return {incident.id: tuple(by_id[key] for key in keys) for incident, keys in zip(ordered, chosen)}


def _best(scores: dict[str, float], limit: int) -> tuple[str, ...]:
    """The `limit` keys of highest score, ties by key: the head of all of them sorted, without sorting them all.

    Hundreds of candidates make a few: sorting the bare scores finds the lowest that makes the cut, and only
    the keys that reach it are sorted.
    """
    if len(scores) > limit:
        cut = sorted(scores.values(), reverse=True)[limit - 1]
        scores = {key: score for key, score in scores.items() if score >= cut}
    return tuple(key for key, _ in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:limit])


def _newest_ids(groups: Mapping[str, Group]) -> dict[str, list[str]]:
    """Slug → the ids of the group's newest incidents, as many as are considered."""
    return {slug: [incident.id for incident in group.incidents[:_PER_GROUP]] for slug, group in groups.items()}


def _root_cause_words(incident: Incident) -> frozenset[str]:
    text = " ".join(s.text for s in incident.every_section() if s.key in ("root_cause", "trigger", "fault"))
    return frozenset(w for w in _WORD.findall(text.casefold()) if w not in _STOP)


def _rarity(word_sets: Iterable[Iterable[str]], total: int) -> dict[str, float]:
    """Inverse document frequency: words few root causes share weigh most."""
    counts: Counter[str] = Counter()
    for words in word_sets:
        counts.update(words)
    return {w: math.log((1 + total) / (1 + n)) for w, n in counts.items() if n > 1}
