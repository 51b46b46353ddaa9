"""Related incidents: shared services and tags, and similar root-cause wording.

Candidates come from the archive's indexes rather than comparing every pair,
so the work stays near-linear at archive scale.

An incident's candidates are the newest incidents of each service and tag it
has, and of each rare word of its root cause; each scores the weights of what
it shares (3 a service, 2 a tag, a word its rarity), and the best few are its
related incidents. A `RelatedIndex` keeps what the choice was made from, so
that after a change only the incidents whose choice it may touch are scored
again, and the result is the one a fresh index would give.
"""

from __future__ import annotations

import bisect
import math
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import chain
from typing import NamedTuple

from ..core.model import Incident
from ..core.slugs import group_slug
from .archive import Age, Archive, age_key

_WORD = re.compile(r"[a-z][a-z0-9-]{3,}")
_STOP = frozenset("""this that with from were have been which their there when what into because caused cause
root issue incident outage service services would could should after before during about while where them then
than they also only some more most other such very over under again team""".split())
_PER_GROUP = 200  # newest incidents considered from each shared service, tag or word
# Candidates kept beyond those chosen: when a change moves every score a little, the order of those near the
# last chosen is known, and a choice is rarely scored again for a near tie.
_RESERVE = 5

#: A thing incidents share: ("service", slug), ("tag", slug) or ("word", word).
Key = tuple[str, str]
_SERVICE, _TAG, _WORD_KEY = "service", "tag", "word"
_SERVICE_WEIGHT, _TAG_WEIGHT = 3.0, 2.0

#: What a choice left out: (score, id, word score). Every candidate left out ranks at or below (score, id), and
#: one that shares a counted word with the incident scores no more than the word score (0.0: none does). Those
#: that share none keep their score while only the weights of words move.
Ceiling = tuple[float, str, float]
_NONE_LEFT_OUT: Ceiling = (0.0, "", 0.0)  # a candidate scores more than 0, and "" comes before every id
# Far above the rounding of a sum of a few dozen weights, far below a real difference between two scores.
_SLACK = 1e-9


class Entry(NamedTuple):
    """What the choice reads of one incident (a tuple: the build cache loads thousands at once)."""

    age: Age  # its place in the archive
    services: tuple[str, ...]  # group slugs, one per service as written: a service written twice counts twice
    tags: tuple[str, ...]
    words: tuple[str, ...]  # its root cause's words, sorted: a score adds up weights in this order

    def keys(self) -> frozenset[Key]:
        return frozenset(chain(((_SERVICE, s) for s in self.services), ((_TAG, t) for t in self.tags),
                               ((_WORD_KEY, w) for w in self.words)))


def entry_of(incident: Incident) -> Entry:
    # Sorted: floating-point sums depend on their order, and a set's order changes with each process's string
    # hashes, and near ties with it, from one build to the next. Interned: the thousands of entries that share a
    # word hold one string, and the build cache pickles it once.
    return Entry(age_key(incident), tuple(sys.intern(group_slug(s)) for s in incident.services),
                 tuple(sys.intern(group_slug(t)) for t in incident.tags),
                 tuple(sys.intern(w) for w in sorted(_root_cause_words(incident))))


@dataclass(frozen=True, slots=True)
class RelatedIndex:
    """Each incident's related incidents, with what they were chosen from; picklable, for the build cache.

    `build` chooses for every incident; `update` and `refreshed` give the index
    of a changed archive, scoring again only the incidents whose choice the
    change may touch: an incident scores again only the candidates that came
    or went from its services', tags' and words' newest and those it had
    kept (its related incidents and a few more), and takes every other
    candidate's score from its ceiling (the best it left out, plus at most what
    the rarity of its words moved by). When that cannot decide, it scores all
    of them, as `build` does.
    """

    limit: int
    entries: Mapping[str, Entry]
    members: Mapping[Key, tuple[str, ...]]  # the ids of every incident with the key, oldest first
    newest: Mapping[Key, frozenset[str]]  # the ids of the key's newest `_PER_GROUP` members: the candidates it offers
    weights: Mapping[str, float]  # the root-cause words rare enough to count, and the weight of each
    # Incident id → the ids of its best candidates, most related first: the first `limit` are its related incidents.
    best: Mapping[str, tuple[str, ...]]
    ceilings: Mapping[str, Ceiling]
    versions: Mapping[str, str]  # incident id → the version it was read from (`refreshed`)

    @classmethod
    def build(cls, incidents: Iterable[Incident], limit: int = 5, versions: Mapping[str, str] | None = None) -> RelatedIndex:
        """Choose for every incident (in worker processes when there are many)."""
        entries = {incident.id: entry_of(incident) for incident in incidents}
        return cls._of(entries, limit, {i: v for i, v in (versions or {}).items() if i in entries})

    @classmethod
    def _of(cls, entries: Mapping[str, Entry], limit: int, versions: Mapping[str, str]) -> RelatedIndex:
        members = _members(entries)
        newest = {key: _newest(ids) for key, ids in members.items()}
        weights = _weights(members, len(entries), _words(members))
        scorer = _Scorer(limit, entries, newest, weights)
        # Only ids cross between processes; the index reaches the workers by fork.
        ordered = sorted(entries, key=lambda incident_id: entries[incident_id].age, reverse=True)
        ranked = _ranked(scorer, ordered)
        return cls(limit, entries, members, newest, weights, {i: r[0] for i, r in zip(ordered, ranked)},
                   {i: r[1] for i, r in zip(ordered, ranked)}, versions)

    def update(self, changed: Iterable[Incident], removed: Iterable[str] = ()) -> tuple[RelatedIndex, frozenset[str]]:
        """The index once `changed` incidents (new, or edited, by id) are in and the `removed` ids are out,
        and the ids whose related incidents are not what they were (new ones included).

        An incident whose id changed is one removed and one new; one changed in nothing the choice reads costs
        nothing. The versions of those changed are forgotten.
        """
        incoming = {incident.id: entry_of(incident) for incident in changed}
        fresh = {i: e for i, e in incoming.items() if self.entries.get(i) != e}
        gone = {incident_id for incident_id in removed if incident_id in self.entries and incident_id not in fresh}
        before = {i: self.entries[i] for i in chain(gone, fresh) if i in self.entries}
        entries = {i: e for i, e in self.entries.items() if i not in gone} | fresh
        versions = {i: v for i, v in self.versions.items() if i not in gone and i not in incoming}
        if 2 * len(fresh) > len(entries):  # scoring them one by one would cost more than all of them in parallel
            index = RelatedIndex._of(entries, self.limit, versions)
            return index, frozenset(i for i, best in index.best.items() if self._chose_otherwise(i, best))
        members, newest, moved = _moved(self.members, self.newest, self.entries, before, entries, fresh)
        total_changed = len(entries) != len(self.entries)
        words = _words(members) | _words(self.members) if total_changed else {
            w for e in chain(before.values(), fresh.values()) for w in e.words}
        weights = {w: x for w, x in self.weights.items() if w not in words} | _weights(members, len(entries), words)
        scorer = _Scorer(self.limit, entries, newest, weights)
        shifts = _shifts(self.weights, weights, words, members)
        touched = _touched(moved, self.weights, weights, members)
        best = {i: c for i, c in self.best.items() if i not in gone}
        ceilings = {i: c for i, c in self.ceilings.items() if i not in gone}
        for incident_id in sorted(fresh):
            best[incident_id], ceilings[incident_id] = scorer.rank(incident_id)
        for incident_id in sorted((shifts.keys() | touched.keys()) - fresh.keys()):
            rechecked = scorer.recheck(incident_id, self.best[incident_id], self.ceilings[incident_id],
                                       touched.get(incident_id, ()), shifts.get(incident_id, _NO_SHIFT))
            best[incident_id], ceilings[incident_id] = rechecked or scorer.rank(incident_id)
        differ = frozenset(i for i in chain(fresh, shifts, touched) if self._chose_otherwise(i, best[i]))
        return RelatedIndex(self.limit, entries, members, newest, weights, best, ceilings, versions), differ

    def _chose_otherwise(self, incident_id: str, best: Sequence[str]) -> bool:
        """Whether `best` chooses other related incidents than this index does for the incident (or it is new)."""
        return incident_id not in self.best or self.best[incident_id][: self.limit] != best[: self.limit]

    def refreshed(self, incidents: Sequence[Incident], versions: Mapping[str, str]) -> tuple[RelatedIndex, frozenset[str]]:
        """The index of exactly `incidents`, as `update` gives it: an incident whose id the index knows at the
        same version (such as a document's cache key) is taken as unchanged; one without a version never is."""
        changed = [i for i in incidents if i.id not in versions or self.versions.get(i.id) != versions[i.id]]
        present = {incident.id for incident in incidents}
        index, differ = self.update(changed, [i for i in self.entries if i not in present])
        return replace(index, versions={i: v for i, v in versions.items() if i in present}), differ

    @property
    def chosen(self) -> dict[str, tuple[str, ...]]:
        """Incident id → the ids of its related incidents, most related first."""
        return {incident_id: best[: self.limit] for incident_id, best in self.best.items()}

    def related_in(self, archive: Archive) -> dict[str, tuple[Incident, ...]]:
        """For each of the archive's incidents (which are the index's), its related incidents."""
        by_id = {incident.id: incident for incident in archive.incidents}
        return {incident.id: tuple(by_id[other] for other in self.best[incident.id][: self.limit])
                for incident in archive.incidents}


def _ranked(scorer: _Scorer, ordered: Sequence[str]) -> list[tuple[tuple[str, ...], Ceiling]]:
    """`scorer.rank` of each of `ordered`, in worker processes when there are many."""
    if not ordered:
        return []
    # multiprocessing loads only when there is something to rank: a build with nothing to do collects an empty archive.
    from ..core.parallel import map_in_processes
    return map_in_processes(scorer.rank, ordered)


def related_incidents(archive: Archive, limit: int = 5) -> Mapping[str, tuple[Incident, ...]]:
    """For each incident id, up to `limit` others, most related first."""
    return RelatedIndex.build(archive.incidents, limit).related_in(archive)


#: How far the weights of an incident's words moved: the sum of the moves, and whether a word began or ceased to count.
Shift = tuple[float, bool]
_NO_SHIFT: Shift = (0.0, False)


@dataclass(frozen=True, slots=True)
class _Scorer:
    """Scores candidates against one state of the index."""

    limit: int
    entries: Mapping[str, Entry]
    newest: Mapping[Key, frozenset[str]]
    weights: Mapping[str, float]

    def weighted(self, entry: Entry) -> list[tuple[frozenset[str], float, bool]]:
        """The candidates each of the incident's services, tags and counted words offers, what each adds, and
        whether it is a word; in the order a score adds them up."""
        newest, weights = self.newest, self.weights
        return [
            *((newest[(_SERVICE, slug)], _SERVICE_WEIGHT, False) for slug in entry.services),
            *((newest[(_TAG, slug)], _TAG_WEIGHT, False) for slug in entry.tags),
            *((newest[(_WORD_KEY, word)], weights[word], True) for word in entry.words if word in weights),
        ]

    def rank(self, incident_id: str) -> tuple[tuple[str, ...], Ceiling]:
        """Score every candidate: the best `limit` and the reserve, and the ceiling of the others."""
        scores: dict[str, float] = {}
        score = scores.get
        worded: set[str] = set()
        for others, weight, word in self.weighted(self.entries[incident_id]):
            for other in others:
                scores[other] = score(other, 0) + weight
            if word:
                worded |= others
        scores.pop(incident_id, None)
        keep = self.limit + _RESERVE
        best = _best(scores, keep + 1)
        if len(best) <= keep:
            return best, _NONE_LEFT_OUT
        kept = frozenset(best[:keep])
        word_score = max((scores[o] for o in worded if o not in kept and o != incident_id), default=0.0)
        return best[:keep], (scores[best[-1]], best[-1], word_score)

    def recheck(
        self, incident_id: str, listed: Sequence[str], ceiling: Ceiling, touched: Iterable[Iterable[str]], shift: Shift,
    ) -> tuple[tuple[str, ...], Ceiling] | None:
        """The best after a change, from the candidates it `touched` and those `listed` before, or None when the
        others might change the choice: what the old `ceiling` says of them, moved by the `shift` of the words' weights."""
        weighted = self.weighted(self.entries[incident_id])
        found: dict[str, tuple[float, bool]] = {}  # candidate → its score, and whether it shares a counted word
        for other in chain(listed, *touched):
            if other not in found and other != incident_id and other in self.entries:
                found[other] = _score(weighted, other)
        bound, word_bound = _bounds(ceiling, shift)
        ranked = sorted(((s, other) for other, (s, _) in found.items() if s > 0), key=_order)
        top = ranked[: self.limit]
        if len(top) < self.limit:
            fits = bound[0] <= 0.0  # the list is short only when nothing was left out
        else:
            fits = not top or _order(top[-1]) < _order(bound)
        if not fits:
            return None
        keep = self.limit + _RESERVE
        left_out = ranked[keep:]
        best_left_out = min([bound, *left_out], key=_order)
        word_score = max([word_bound, *(s for s, other in left_out if found[other][1])])
        return tuple(other for _, other in ranked[:keep]), (best_left_out[0], best_left_out[1], word_score)


def _score(weighted: Sequence[tuple[frozenset[str], float, bool]], other: str) -> tuple[float, bool]:
    """A candidate's score (the same sum, in the same order, as `_Scorer.rank`'s) and whether it shares a counted word."""
    total, worded = 0.0, False
    for others, weight, word in weighted:
        if other in others:
            total += weight
            worded = worded or word
    return total, worded


def _bounds(ceiling: Ceiling, shift: Shift) -> tuple[tuple[float, str], float]:
    """What the candidates a change did not touch rank at or below, and what those sharing a counted word score
    no more than, after the weights of the incident's words moved by `shift`."""
    score, key, word_score = ceiling
    moved, flipped = shift
    if flipped:  # a word began or ceased to count: any candidate may have gained or lost it
        return (score + moved + _SLACK, ""), score + moved + _SLACK
    if not moved or not word_score:  # no candidate left out moved
        return (score, key), word_score
    word_bound = word_score + moved + _SLACK
    return min((score, key), (word_bound, ""), key=_order), word_bound


def _order(candidate: tuple[float, str]) -> tuple[float, str]:
    """Most related first: highest score, then id."""
    return -candidate[0], candidate[1]


def _best(scores: dict[str, float], limit: int) -> tuple[str, ...]:
    """The `limit` keys of highest score, ties by key: the head of all of them sorted, without sorting them all.

    Hundreds of candidates make a few: sorting the bare scores finds the lowest that makes the cut, and only
    the keys that reach it are sorted.
    """
    if len(scores) > limit:
        cut = sorted(scores.values(), reverse=True)[limit - 1]
        scores = {key: score for key, score in scores.items() if score >= cut}
    return tuple(key for key, _ in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:limit])


def _members(entries: Mapping[str, Entry]) -> dict[Key, tuple[str, ...]]:
    """Key → the ids of the incidents with it, oldest first."""
    found: dict[Key, list[str]] = {}
    for incident_id, entry in sorted(entries.items(), key=lambda item: item[1].age):
        for key in entry.keys():
            found.setdefault(key, []).append(incident_id)
    return {key: tuple(ids) for key, ids in found.items()}


def _newest(ids: Sequence[str]) -> frozenset[str]:
    return frozenset(ids[-_PER_GROUP:])


def _moved(
    members: Mapping[Key, tuple[str, ...]], newest: Mapping[Key, frozenset[str]], entries: Mapping[str, Entry],
    before: Mapping[str, Entry], new_entries: Mapping[str, Entry], after: Mapping[str, Entry],
) -> tuple[dict[Key, tuple[str, ...]], dict[Key, frozenset[str]], dict[Key, frozenset[str]]]:
    """Members and newest once the incidents of `before` are taken out and those of `after` put in, and for each
    key whose newest changed, the ids that came or went. `entries` and `new_entries` give ages before and after."""
    changing: dict[Key, list[str]] = {}
    for incident_id, entry in before.items():
        for key in entry.keys():
            ids = changing.setdefault(key, list(members[key]))
            del ids[bisect.bisect_left(ids, entry.age, key=lambda i: entries[i].age)]
    for incident_id, entry in after.items():  # the others in each list have the same age before and after
        for key in entry.keys():
            bisect.insort(changing.setdefault(key, list(members.get(key, ()))), incident_id,
                          key=lambda i: new_entries[i].age)
    new_members, new_newest, moved = dict(members), dict(newest), {}
    for key, ids in changing.items():
        new_members[key] = tuple(ids)
        new_newest[key] = _newest(ids)
        if not ids:
            del new_members[key], new_newest[key]
        if difference := newest.get(key, frozenset()) ^ new_newest.get(key, frozenset()):
            moved[key] = difference
    return new_members, new_newest, moved


def _words(members: Mapping[Key, Sequence[str]]) -> set[str]:
    return {name for kind, name in members if kind == _WORD_KEY}


def _weights(members: Mapping[Key, Sequence[str]], total: int, words: Iterable[str]) -> dict[str, float]:
    """Inverse document frequency of each of `words` that counts: words few root causes share weigh most,
    a word of one root cause relates nothing, and one of most root causes says nothing."""
    weights = {}
    for word in words:
        count = len(members.get((_WORD_KEY, word), ()))
        if count > 1 and (weight := math.log((1 + total) / (1 + count))) > 1.0:
            weights[word] = weight
    return weights


def _shifts(
    before: Mapping[str, float], after: Mapping[str, float], words: Iterable[str], members: Mapping[Key, Sequence[str]],
) -> dict[str, Shift]:
    """Incident id → how far the weights of its words moved, when they did."""
    shifts: dict[str, Shift] = {}
    for word in sorted(words):
        if moved := abs(after.get(word, 0.0) - before.get(word, 0.0)):
            flipped = (word in after) != (word in before)
            for incident_id in members.get((_WORD_KEY, word), ()):
                total, flipped_before = shifts.get(incident_id, _NO_SHIFT)
                shifts[incident_id] = (total + moved, flipped or flipped_before)
    return shifts


def _touched(
    moved: Mapping[Key, frozenset[str]], before: Mapping[str, float], after: Mapping[str, float],
    members: Mapping[Key, Sequence[str]],
) -> dict[str, list[frozenset[str]]]:
    """Incident id → the candidates that came or went from the newest of its services, tags and counted words."""
    touched: dict[str, list[frozenset[str]]] = {}
    for key, difference in moved.items():
        if key[0] == _WORD_KEY and key[1] not in before and key[1] not in after:
            continue  # a word that counts neither before nor after offers no candidates
        for incident_id in members.get(key, ()):
            touched.setdefault(incident_id, []).append(difference)
    return touched


def _root_cause_words(incident: Incident) -> frozenset[str]:
    text = " ".join(s.text for s in incident.every_section() if s.key in ("root_cause", "trigger", "fault"))
    return frozenset(w for w in _WORD.findall(text.casefold()) if w not in _STOP)
