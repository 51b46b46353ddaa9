"""The search index patched a few pages at a time, from the files a build wrote, is the index made afresh, byte for
byte; and a patch reads and writes only the shards of the words whose postings changed."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import pytest

from hindsite.core.model import Incident, Origin, Section
from hindsite.render.search import SearchPatch, search_files, search_patch, shard_key
from hindsite.render.views import IncidentPage, incident_page

#: Words that share their first two letters (and so their shards) with others, and some that do not.
COMMON = ["disk", "dns", "database", "deploy", "retry", "replica", "request", "resolver", "quorum", "quota", "queue",
          "été", "étage", "東京", "東北", "ab12", "502s", "latency", "lag"]
#: Words only edits bring: their shards appear, and go when the last page holding them drops them.
RARE = ["kiwi", "yak", "yeti", "ολυμπος", "zz9", "ñandú"]
SEVERITIES = [None, "sev1", "sev2", "SEV3"]
SERVICES = ["api", "db-main", "queue", "edge-dns", "kiwi-cache"]


def text_of(rng: random.Random, pool: list[str], most: int) -> str:
    return " ".join(rng.choice(pool) for _ in range(rng.randint(0, most)))


def section(rng: random.Random, pool: list[str]) -> Section:
    body = text_of(rng, pool, 8)
    return Section("other", text_of(rng, pool, 2).title(), 1, body, f"<p>{body}</p>")


def incident(number: int, rng: random.Random) -> Incident:
    summary = text_of(rng, COMMON, 4)
    return Incident(
        id=f"i{number}", source=f"i{number}.md", content_path=f"i{number}.md", title=text_of(rng, COMMON, 3) or "Untitled",
        date=None, severity=rng.choice(SEVERITIES), services=tuple(rng.sample(SERVICES, rng.randint(0, 2))), tags=(),
        responders=(), status=None, started_at=None, detected_at=None, resolved_at=None, duration_minutes=None,
        summary=summary, sections=tuple(section(rng, COMMON) for _ in range(rng.randint(0, 3))), timeline=(),
        action_items=(), diagnostics=(), origins=(Origin("summary", "front-matter", 2),) if rng.random() < 0.3 else (),
    )


def page_of(written: Incident) -> IncidentPage:
    return incident_page(written, previous=None, next=None, related=(), source_url="", rewrite=lambda h: h)


def with_words_added(written: Incident, rng: random.Random) -> Incident:
    if not written.sections:
        return replace(written, sections=(section(rng, COMMON + RARE),))
    n = rng.randrange(len(written.sections))
    chosen = written.sections[n]
    body = f"{chosen.text} {text_of(rng, COMMON + RARE, 3)}".strip()
    return replace(written, sections=_replaced(written.sections, n, replace(chosen, text=body, html=f"<p>{body}</p>")))


def with_words_removed(written: Incident, rng: random.Random) -> Incident:
    if not written.sections:
        return written
    n = rng.randrange(len(written.sections))
    chosen = written.sections[n]
    body = " ".join(word for word in chosen.text.split() if rng.random() < 0.5)
    return replace(written, sections=_replaced(written.sections, n, replace(chosen, text=body, html=f"<p>{body}</p>")))


def with_new_title(written: Incident, rng: random.Random) -> Incident:
    return replace(written, title=text_of(rng, COMMON + RARE, 3) or "Untitled")


def with_new_heading(written: Incident, rng: random.Random) -> Incident:
    if not written.sections:
        return written
    n = rng.randrange(len(written.sections))
    heading = text_of(rng, COMMON + RARE, 2).title()
    return replace(written, sections=_replaced(written.sections, n, replace(written.sections[n], heading=heading)))


def with_new_severity(written: Incident, rng: random.Random) -> Incident:
    return replace(written, severity=rng.choice(SEVERITIES))


def with_new_services(written: Incident, rng: random.Random) -> Incident:
    return replace(written, services=tuple(rng.sample(SERVICES, rng.randint(0, 3))))


def with_a_section_more_or_less(written: Incident, rng: random.Random) -> Incident:
    """Every later section's places move: their words' postings all change."""
    sections = list(written.sections)
    if sections and rng.random() < 0.5:
        del sections[rng.randrange(len(sections))]
    else:
        sections.insert(rng.randint(0, len(sections)), section(rng, COMMON + RARE))
    return replace(written, sections=tuple(sections))


def with_new_summary(written: Incident, rng: random.Random) -> Incident:
    return replace(written, summary=text_of(rng, COMMON + RARE, 4))


def _replaced(sections: tuple[Section, ...], n: int, new: Section) -> tuple[Section, ...]:
    return (*sections[:n], new, *sections[n + 1 :])


EDITS = [with_words_added, with_words_removed, with_new_title, with_new_heading, with_new_severity, with_new_services,
         with_a_section_more_or_less, with_new_summary]


def files_in(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): p.read_text(encoding="utf-8") for p in sorted(site.rglob("*")) if p.is_file()}


def written(site: Path, files: dict[str, str]) -> None:
    for path, text in files.items():
        (site / path).parent.mkdir(parents=True, exist_ok=True)
        (site / path).write_text(text, encoding="utf-8")


def applied(site: Path, done: SearchPatch) -> None:
    written(site, done.files)
    for path in done.removed:
        (site / path).unlink()


#: (seed, fewest pages, most pages): small archives, and two whose page numbers run to three digits (a common
#: word's postings are then searched for one page's entries among many).
ARCHIVES = [*((seed, 1, 12) for seed in range(8)), (8, 120, 150), (9, 120, 150)]


@pytest.mark.parametrize(("seed", "fewest", "most"), ARCHIVES)
def test_a_patched_index_is_the_fresh_one(seed: int, fewest: int, most: int, tmp_path: Path) -> None:
    rng = random.Random(seed)
    incidents = [incident(n, rng) for n in range(rng.randint(fewest, most))]
    written(tmp_path, dict(search_files(page_of(i) for i in incidents)))
    for _ in range(40):
        changed = sorted(rng.sample(range(len(incidents)), rng.randint(1, min(3, len(incidents)))))
        before = {number: page_of(incidents[number]) for number in changed}
        for number in changed:
            for edit in rng.sample(EDITS, rng.randint(1, 2)):
                incidents[number] = edit(incidents[number], rng)
        applied(tmp_path, search_patch(tmp_path, before, {number: page_of(incidents[number]) for number in changed}))
        assert files_in(tmp_path) == dict(search_files(page_of(i) for i in incidents))


def test_an_edit_writes_only_the_shards_of_the_words_it_changes(tmp_path: Path) -> None:
    plain = replace(incident(0, random.Random(1)), severity=None, services=(), origins=(), title="disk quorum",
                    sections=(Section("other", "Cause", 1, "retry", "<p>retry</p>"),))
    other = replace(plain, id="i1", source="i1.md", content_path="i1.md", title="dns quorum")
    written(tmp_path, dict(search_files([page_of(plain), page_of(other)])))

    def edit(before: Incident, after: Incident) -> tuple[list[str], tuple[str, ...]]:
        done = search_patch(tmp_path, {0: page_of(before)}, {0: page_of(after)})
        applied(tmp_path, done)
        return sorted(done.files), done.removed

    longer = replace(plain, title="disk quorum latency")
    assert edit(plain, longer) == (["search/index.js", "search/r-0.js", "search/t-6c61.js"], ())  # a new shard
    assert edit(longer, plain) == (["search/index.js", "search/r-0.js"], ("search/t-6c61.js",))  # and gone again
    retried = replace(plain, sections=(Section("other", "Cause", 1, "retry retry", "<p>retry retry</p>"),))
    assert edit(plain, retried) == (["search/r-0.js", "search/t-7265.js"], ())  # a count: the same shards
    assert shard_key("retry") == "7265" and shard_key("latency") == "6c61"
