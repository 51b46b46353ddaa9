"""related.py: incidents that share services, tags and rare root-cause words."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import pickle
import random
import subprocess
import sys
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hindsite.collect import related
from hindsite.collect.archive import collect
from hindsite.collect.related import RelatedIndex, _best, related_incidents
from hindsite.core.markup import render_markdown
from hindsite.core.model import Incident, Section


def incident(id: str, root_cause: str = "", day: int = 1, **fields: Any) -> Incident:
    sections = (Section("root_cause", "Root cause", 5, root_cause, render_markdown(root_cause)),) if root_cause else ()
    values: dict[str, Any] = dict(
        id=id, source=f"content/{id}.md", content_path=f"{id}.md", title=id, date=dt.date(2024, 1, day),
        severity=None, services=(), tags=(), responders=(), status=None, started_at=None, detected_at=None,
        resolved_at=None, duration_minutes=None, summary="", sections=sections, timeline=(), action_items=(),
        diagnostics=(),
    )
    values.update(fields)
    return Incident(**values)


# Unrelated incidents with root causes of their own words, so shared words are rare in the archive.
FILLERS = [
    incident(f"filler-{n}", f"{word} misconfiguration in {word}d", day=10 + n, services=(f"svc-{n}",))
    for n, word in enumerate(["kafka", "redis", "nginx", "ldap", "vault", "grafana", "consul", "haproxy"])
]


def ids(incidents: tuple[Incident, ...]) -> list[str]:
    return [i.id for i in incidents]


def test_shared_service_and_rare_words_rank_above_a_shared_tag() -> None:
    target = incident("target", "Connection pool exhaustion in pgbouncer after a deploy",
                      services=("payments",), tags=("database",))
    close = incident("close", "The pgbouncer connection pool was exhausted by retries", day=2,
                     services=("payments",))
    tag_only = incident("tag-only", "A certificate expired on the edge proxy", day=3, tags=("database",))
    related = related_incidents(collect([target, close, tag_only, *FILLERS]))
    assert ids(related["target"])[:2] == ["close", "tag-only"]
    assert ids(related["close"])[0] == "target"


def test_rare_root_cause_words_alone_make_incidents_related() -> None:
    first = incident("first", "Thundering herd on memcached after cache flush", services=("search",))
    second = incident("second", "Memcached thundering herd when the cache flush ran", day=2, services=("checkout",))
    related = related_incidents(collect([first, second, *FILLERS]))
    assert ids(related["first"]) == ["second"]
    assert ids(related["second"]) == ["first"]


def test_common_words_do_not_relate_incidents() -> None:
    """Stop words ("because", "service", "outage"…) never count."""
    a = incident("a", "The service outage happened because of the team", services=("one",))
    b = incident("b", "The service outage happened because of the team", day=2, services=("two",))
    assert related_incidents(collect([a, b]))["a"] == ()


def test_never_lists_the_incident_itself() -> None:
    incidents = [incident(f"i{n}", "pgbouncer pool exhaustion", day=n + 1, services=("api",), tags=("db",))
                 for n in range(6)]
    related = related_incidents(collect([*incidents, *FILLERS]))
    for inc in incidents:
        assert inc.id not in ids(related[inc.id])
        assert len(related[inc.id]) == 5
    assert all(filler.id not in ids(related[filler.id]) for filler in FILLERS)


def test_at_most_limit() -> None:
    incidents = [incident(f"i{n:02d}", day=n + 1, tags=("db",)) for n in range(12)]
    archive = collect(incidents)
    assert all(len(found) == 5 for found in related_incidents(archive).values())
    assert all(len(found) == 3 for found in related_incidents(archive, limit=3).values())
    assert all(found == () for found in related_incidents(archive, limit=0).values())


def test_every_incident_has_an_entry_and_unrelated_ones_have_none() -> None:
    lonely = incident("lonely", "A cosmic ray flipped a bit", services=("mainframe",))
    related = related_incidents(collect([lonely, *FILLERS]))
    assert set(related) == {"lonely", *(f.id for f in FILLERS)}
    assert related["lonely"] == ()


def test_service_names_match_whatever_their_case() -> None:
    a = incident("a", services=("Payments API",))
    b = incident("b", day=2, services=("payments-api",))
    related = related_incidents(collect([a, b]))
    assert ids(related["a"]) == ["b"]


def test_more_shared_groups_rank_higher_and_ties_break_by_id() -> None:
    target = incident("target", services=("api",), tags=("db", "deploy"))
    both_tags = incident("both-tags", day=2, tags=("db", "deploy"))
    one_tag_b = incident("one-tag-b", day=3, tags=("db",))
    one_tag_a = incident("one-tag-a", day=4, tags=("deploy",))
    related = related_incidents(collect([target, both_tags, one_tag_b, one_tag_a]))
    assert ids(related["target"]) == ["both-tags", "one-tag-a", "one-tag-b"]


@given(st.dictionaries(st.text("abcde", min_size=1, max_size=3), st.sampled_from([1.0, 2.0, 3.0, 3.5, 5.0, 0.25]), max_size=40),
       st.integers(0, 8))
def test_the_best_are_the_head_of_all_of_them_sorted(scores: dict[str, float], limit: int) -> None:
    everything = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    assert _best(scores, limit) == tuple(key for key, _ in everything[:limit])


_RELATED_OF_CORPUS = """
import sys
from pathlib import Path
from hindsite.collect.archive import collect
from hindsite.core.config import SiteConfig
from hindsite.normalise import normalise
from hindsite.read.files import discover, read_document
from hindsite.collect.related import related_incidents
folder = Path(sys.argv[1])
files, _ = discover(folder)
archive = collect(normalise(read_document(f), SiteConfig(root=folder)) for f in files
                  if f.is_markdown and f.rel.name != "README.md")
for incident_id, related in sorted(related_incidents(archive).items()):
    print(incident_id, *(other.id for other in related))
"""


def test_the_same_archive_gives_the_same_choices_whatever_the_string_hashes() -> None:
    """Scores add up floating-point weights; in a set's order, which each process's string hashes change,
    near ties came out one way or the other from one build to the next (the real corpus has some)."""
    corpus = Path(__file__).resolve().parents[3] / "shared" / "corpus"
    if not corpus.is_dir():
        pytest.skip("../shared is missing; CI provides it")
    runs = [subprocess.run([sys.executable, "-c", _RELATED_OF_CORPUS, str(corpus)], capture_output=True, text=True,
                           check=True, env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout for seed in range(4)]
    assert runs[0].count("\n") > 100
    assert all(run == runs[0] for run in runs)


# An index kept up to date through edits, renames, deletions and additions chooses as a fresh one does.

SERVICES = ("api", "db", "queue", "Cache", "cache", "edge")  # "Cache" and "cache" are one service, counted twice
TAGS = ("deploy", "config", "network", "dns")
# Some words in many root causes, some in few: rarities on both sides of what counts, and moving with each change.
VOCABULARY = [f"zebra{n}" for n in range(24)]


def random_incident(rng: random.Random, incident_id: str) -> Incident:
    words = rng.choices(VOCABULARY, weights=[1 + n * n for n in range(len(VOCABULARY))], k=rng.randint(0, 6))
    day = None if rng.random() < 0.1 else dt.date(2024, 1, rng.randint(1, 9))  # few days: many ties broken by id
    started = rng.choice([None, dt.datetime(2024, 1, 1, rng.randint(0, 23), tzinfo=dt.timezone.utc)])
    return incident(incident_id, " ".join(words), date=day, started_at=started,
                    services=tuple(rng.sample(SERVICES, rng.randint(0, 3))), tags=tuple(rng.sample(TAGS, rng.randint(0, 2))))


def changes(rng: random.Random, current: dict[str, Incident], fresh_ids: Iterator[str]) -> tuple[list[Incident], list[str]]:
    """One to three random edits, renames, deletions and additions to `current` (in place), as `update` takes them."""
    changed: dict[str, Incident] = {}
    removed: list[str] = []
    for _ in range(rng.randint(1, 3)):
        kind = rng.choice(["edit", "edit", "rename", "delete", "add"]) if len(current) > 3 else "add"
        if kind == "add":
            new = random_incident(rng, next(fresh_ids))
        else:
            old = current.pop(rng.choice(sorted(current)))
            changed.pop(old.id, None)
            removed.append(old.id)
            if kind == "delete":
                continue
            new = replace(old, id=next(fresh_ids)) if kind == "rename" else random_incident(rng, old.id)
        current[new.id] = changed[new.id] = new
    return list(changed.values()), removed


def chosen_ids(incidents: Iterable[Incident], limit: int) -> dict[str, tuple[str, ...]]:
    return {key: tuple(ids(found)) for key, found in related_incidents(collect(incidents), limit).items()}


@pytest.mark.parametrize(("seed", "per_group", "limit"), [
    (1, 6, 5), (2, 4, 3), (3, 200, 5), (4, 6, 1), (5, 3, 5), (6, 10, 2), (7, 5, 0), (8, 8, 4),
])
def test_an_updated_index_chooses_as_a_fresh_one_after_random_changes(
    seed: int, per_group: int, limit: int, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(related, "_PER_GROUP", per_group)  # a few newest per group, so changes move them
    rng = random.Random(seed)
    fresh_ids = (f"inc-{n:03d}" for n in itertools.count())
    current = {incident.id: incident for incident in (random_incident(rng, next(fresh_ids)) for _ in range(40))}
    index = RelatedIndex.build(current.values(), limit)
    for step in range(40):
        before = dict(index.chosen)
        changed, removed = changes(rng, current, fresh_ids)
        index, differ = index.update(changed, removed)
        expected = chosen_ids(current.values(), limit)
        assert dict(index.chosen) == expected, f"step {step}"
        assert differ == {key for key, found in expected.items() if before.get(key) != found}, f"step {step}"
        if step % 10 == 9:
            index = pickle.loads(pickle.dumps(index))  # as the build cache keeps it


def test_a_refreshed_index_takes_an_incident_at_the_same_version_as_unchanged() -> None:
    rng = random.Random(11)
    incidents = [random_incident(rng, f"inc-{n:02d}") for n in range(30)]
    index = RelatedIndex.build(incidents, versions={i.id: "v1" for i in incidents})
    edited = replace(incidents[3], services=("queue", "edge"), tags=("dns",))
    stale = [edited if i is incidents[3] else i for i in incidents[1:]]  # one edited at a new version, one gone
    refreshed, _ = index.refreshed(stale, {i.id: "v2" if i is edited else "v1" for i in stale})
    assert dict(refreshed.chosen) == chosen_ids(stale, 5)
    unchanged, differ = refreshed.refreshed(stale, {i.id: "v2" if i is edited else "v1" for i in stale})
    assert differ == frozenset() and unchanged.chosen == refreshed.chosen
    unversioned, _ = index.refreshed(stale, {})  # nothing is known to be unchanged: every incident is read again
    assert dict(unversioned.chosen) == chosen_ids(stale, 5)


def test_an_update_that_changes_most_incidents_chooses_as_a_fresh_index() -> None:
    rng = random.Random(12)
    incidents = {f"inc-{n:02d}": random_incident(rng, f"inc-{n:02d}") for n in range(30)}
    index = RelatedIndex.build(incidents.values())
    before = index.chosen
    edited = {key: random_incident(rng, key) for key in list(incidents)[:25]}
    incidents |= edited
    updated, differ = index.update(edited.values(), ["inc-29"])
    del incidents["inc-29"]
    expected = chosen_ids(incidents.values(), 5)
    assert updated.chosen == expected
    assert differ == {key for key, found in expected.items() if before.get(key) != found}
