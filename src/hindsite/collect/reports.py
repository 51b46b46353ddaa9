"""Periodic reliability reports: a quarter's or a year's incidents, summed up against the period before.

Pure functions over an `Archive` returning frozen values; the site renders
them as `reports/` pages and `hindsite report` prints one. Every rule (which
incidents are in a period, what a theme is, which incidents are notable) is
documented in docs/reports.md; change both together.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass

from ..core.formats import format_duration
from ..core.model import Incident
from .archive import Archive
from .stats import TIME_TO_RESOLVE, LeftOut, measured, spread

NOTABLE_LIMIT = 5  # notable incidents shown per report
SUMMARY_LIMIT = 160  # characters of a one-line summary, ellipsis included
TERM_LIMIT = 8  # root-cause terms shown per report, besides shared tags
THEME_SECTIONS = ("root_cause", "trigger", "fault")  # where root-cause terms are looked for
PERIOD_EXAMPLES = "2024-Q1 for a quarter or 2024 for a whole year"


class PeriodError(ValueError):
    """A period written in a form hindsite does not read; the message says what to write instead."""


THEME_NAMES = 10  # incidents a theme names; a theme of hundreds would bury the report under their titles


@dataclass(frozen=True, slots=True)
class Period:
    """A calendar quarter (`quarter` 1–4) or a whole calendar year (`quarter` None)."""

    year: int
    quarter: int | None = None

    @property
    def label(self) -> str:
        """"2024-Q1" or "2024": how reports and the command line name the period."""
        return f"{self.year}-Q{self.quarter}" if self.quarter else str(self.year)

    @property
    def slug(self) -> str:
        return self.label.lower()

    @property
    def kind(self) -> str:
        return "quarter" if self.quarter else "year"

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, 3 * (self.quarter - 1) + 1 if self.quarter else 1, 1)

    @property
    def last_day(self) -> dt.date:
        if self.quarter is None or self.quarter == 4:
            return dt.date(self.year, 12, 31)
        return dt.date(self.year, 3 * self.quarter + 1, 1) - dt.timedelta(days=1)

    @property
    def previous(self) -> Period:
        """The quarter before a quarter (2024-Q1 → 2023-Q4), the year before a year."""
        if self.quarter is None:
            return Period(self.year - 1)
        return Period(self.year, self.quarter - 1) if self.quarter > 1 else Period(self.year - 1, 4)

    @property
    def following(self) -> Period:
        """The quarter after a quarter (2024-Q4 → 2025-Q1), the year after a year."""
        if self.quarter is None:
            return Period(self.year + 1)
        return Period(self.year, self.quarter + 1) if self.quarter < 4 else Period(self.year + 1, 1)

    @property
    def quarters(self) -> tuple[Period, ...]:
        """A year's four quarters, first to last; a quarter is its own only quarter."""
        return (self,) if self.quarter else tuple(Period(self.year, q) for q in (1, 2, 3, 4))

    def contains(self, day: dt.date | None) -> bool:
        """Whether an incident on `day` belongs to the period; an undated incident belongs to none."""
        return day is not None and self.first_day <= day <= self.last_day


_YEAR = r"(?P<year>[1-9]\d{3})"
_QUARTER = r"[qQ](?P<quarter>\d)"
_PERIOD_FORMS = tuple(
    re.compile(form, re.ASCII) for form in (_YEAR, rf"{_YEAR}[\s_/-]*{_QUARTER}", rf"{_QUARTER}[\s_/-]*{_YEAR}")
)


def parse_period(text: str) -> Period:
    """"2024-Q1", "2024q1", "2024 Q1", "Q1 2024" → that quarter; "2024" → that year.

    Raises `PeriodError`, whose message names the accepted forms, for anything else.
    """
    written = text.strip()
    for form in _PERIOD_FORMS:
        match = form.fullmatch(written)
        if match is None:
            continue
        quarter = match.groupdict().get("quarter")
        if quarter is not None and not 1 <= int(quarter) <= 4:
            raise PeriodError(
                f"{text!r} names quarter {quarter}, but a year has quarters Q1 to Q4; write e.g. {PERIOD_EXAMPLES}")
        return Period(int(match["year"]), int(quarter) if quarter else None)
    raise PeriodError(f"{text!r} is not a period; write a quarter or a year, e.g. {PERIOD_EXAMPLES}")


@dataclass(frozen=True, slots=True)
class Change:
    """A count in this period and in the previous one."""

    current: int
    previous: int

    @property
    def change(self) -> int:
        return self.current - self.previous

    @property
    def change_text(self) -> str:
        """"+2", "−1" or "±0"."""
        return f"+{self.change}" if self.change > 0 else f"−{-self.change}" if self.change < 0 else "±0"


@dataclass(frozen=True, slots=True)
class SeverityCount:
    """Incidents of one severity in this period and the previous one; `level` None means none was stated."""

    level: str | None
    count: Change


@dataclass(frozen=True, slots=True)
class ImpactTime:
    """Impact time from `duration_minutes`: the sum and nearest-rank median of the known durations."""

    total_minutes: int
    median_minutes: int | None
    known: int  # incidents with a known duration
    left_out: LeftOut  # incidents without one: no times given, or times withheld as implausible

    @property
    def unknown(self) -> int:
        return self.left_out.total


@dataclass(frozen=True, slots=True)
class ActionItemCounts:
    """The action items of the period's incidents, by their status as the documents state it today."""

    open: int
    done: int
    dropped: int  # closed without being done ("won't do")
    not_stated: int

    @property
    def total(self) -> int:
        return self.open + self.done + self.dropped + self.not_stated


@dataclass(frozen=True, slots=True)
class Theme:
    """Something at least two of the period's incidents share: a tag, or a root-cause term or phrase."""

    name: str
    kind: str  # "tag" or "term"
    incidents: tuple[Incident, ...]  # newest first

    @property
    def named(self) -> tuple[Incident, ...]:
        """The incidents a report names: the newest THEME_NAMES. The rest are counted, and listed under "All incidents"."""
        return self.incidents[:THEME_NAMES]

    @property
    def more(self) -> int:
        """How many of its incidents a report counts without naming them."""
        return len(self.incidents) - len(self.named)


@dataclass(frozen=True, slots=True)
class Notable:
    """An incident worth reading first, with the first sentence of its summary as plain text."""

    incident: Incident
    summary: str  # "" when the document has no summary


@dataclass(frozen=True, slots=True)
class PeriodReport:
    period: Period
    incidents: tuple[Incident, ...]  # the period's incidents, newest first
    count: Change  # incidents, against the previous period
    by_severity: tuple[SeverityCount, ...]  # scale order, then other levels, then "not stated"; only rows with a count
    impact: ImpactTime
    by_service: tuple[tuple[str, int], ...]  # service → incidents, most first
    without_service: int  # incidents naming no service
    themes: tuple[Theme, ...]  # shared tags, then the root-cause terms that set the period apart
    action_items: ActionItemCounts
    notable: tuple[Notable, ...]
    by_quarter: tuple[tuple[Period, int], ...] = ()  # a year's four quarters → incidents; empty for a quarter

    @property
    def previous(self) -> Period:
        return self.period.previous


@dataclass(frozen=True, slots=True)
class YearReports:
    """A year's report with the reports of its four quarters (first to last, empty ones included)."""

    year: PeriodReport
    quarters: tuple[PeriodReport, ...]


def period_report(archive: Archive, period: Period, levels: Sequence[str]) -> PeriodReport:
    """The report of one period, which may have no incidents; `levels` is the severity scale, most severe first."""
    return _report(period, _within(archive.incidents, period), _within(archive.incidents, period.previous), levels,
                   ArchiveTerms.of(archive.incidents))


def archive_reports(archive: Archive, levels: Sequence[str]) -> tuple[YearReports, ...]:
    """A report for every year with incidents and for each of its quarters, latest year first.

    Incidents are sorted into quarters in one pass, and each incident's root-cause
    terms are found once, however many reports it appears in.
    """
    quarters: dict[Period, list[Incident]] = {}
    for incident in archive.incidents:
        if incident.date is not None:
            quarters.setdefault(Period(incident.date.year, (incident.date.month - 1) // 3 + 1), []).append(incident)
    terms = ArchiveTerms.of(archive.incidents)

    def of(period: Period) -> list[Incident]:
        return [i for q in reversed(period.quarters) for i in quarters.get(q, ())]  # newest first

    years = sorted({p.year for p in quarters}, reverse=True)
    return tuple(
        YearReports(
            year=_report(Period(year), of(Period(year)), of(Period(year - 1)), levels, terms),
            quarters=tuple(_report(q, of(q), of(q.previous), levels, terms) for q in Period(year).quarters),
        )
        for year in years
    )


def undated(archive: Archive) -> int:
    """How many incidents have no date, and so are in no period."""
    return sum(i.date is None for i in archive.incidents)


def _within(incidents: Iterable[Incident], period: Period) -> list[Incident]:
    return [i for i in incidents if period.contains(i.date)]


def _report(
    period: Period, incidents: Sequence[Incident], before: Sequence[Incident], levels: Sequence[str],
    terms: ArchiveTerms,
) -> PeriodReport:
    services = Counter(name for i in incidents for name in i.services)
    return PeriodReport(
        period=period,
        incidents=tuple(incidents),
        count=Change(len(incidents), len(before)),
        by_severity=severity_mix(incidents, before, levels),
        impact=impact_time(incidents),
        by_service=tuple(sorted(services.items(), key=lambda kv: (-kv[1], kv[0].casefold(), kv[0]))),
        without_service=sum(not i.services for i in incidents),
        themes=themes(incidents, terms),
        action_items=action_item_counts(incidents),
        notable=notable_incidents(incidents, levels),
        by_quarter=_by_quarter(period, incidents),
    )


def _by_quarter(period: Period, incidents: Sequence[Incident]) -> tuple[tuple[Period, int], ...]:
    if period.quarter is not None:
        return ()
    return tuple((quarter, sum(quarter.contains(i.date) for i in incidents)) for quarter in period.quarters)


# --- the figures ------------------------------------------------------------------------------------------------


def severity_mix(
    incidents: Sequence[Incident], before: Sequence[Incident], levels: Sequence[str]
) -> tuple[SeverityCount, ...]:
    """One row per severity either period has: the scale's levels in order, other levels by name, then none stated."""
    now, then = Counter(i.severity for i in incidents), Counter(i.severity for i in before)
    others = sorted({level for level in (*now, *then) if level is not None and level not in levels})
    order: list[str | None] = [*levels, *others, None]
    return tuple(SeverityCount(level, Change(now[level], then[level])) for level in order if now[level] or then[level])


def impact_time(incidents: Sequence[Incident]) -> ImpactTime:
    known, left_out = measured(incidents, TIME_TO_RESOLVE)
    return ImpactTime(sum(known), spread(known).median, len(known), left_out)


def action_item_counts(incidents: Iterable[Incident]) -> ActionItemCounts:
    statuses = Counter(item.status for incident in incidents for item in incident.action_items)
    return ActionItemCounts(open=statuses["open"], done=statuses["done"], dropped=statuses["dropped"],
                            not_stated=sum(n for status, n in statuses.items() if status not in ("open", "done", "dropped")))


def notable_incidents(incidents: Sequence[Incident], levels: Sequence[str]) -> tuple[Notable, ...]:
    """Up to NOTABLE_LIMIT incidents: most severe first, then longest, then earliest, then by id."""
    def rank(incident: Incident) -> tuple[int, int, dt.date, str]:
        severity = levels.index(incident.severity) if incident.severity in levels else len(levels)
        duration = -incident.duration_minutes if incident.duration_minutes is not None else 1
        return (severity, duration, incident.date or dt.date.max, incident.id)

    chosen = sorted(incidents, key=rank)[:NOTABLE_LIMIT]
    return tuple(Notable(i, one_line(i.summary)) for i in chosen)


#: A sentence ends at ".", "!" or "?" (and any closing quotes or bracket) before a space and a capital or digit.
_FIRST_SENTENCE = re.compile(r".+?[.!?][\"'”’)]*(?=\s+[\"'“‘(]?[A-Z0-9])")


def one_line(summary: str, limit: int = SUMMARY_LIMIT) -> str:
    """The first sentence of a summary as plain text, cut at a word to at most `limit` characters with "…"."""
    from ..core.markup import inline_text  # markdown-it loads here: a build with nothing to do needs no summary
    text = inline_text(summary)
    first = _FIRST_SENTENCE.match(text)
    sentence = first.group() if first else text
    if len(sentence) <= limit:
        return sentence
    cut = sentence[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:–—-") + "…"


# --- themes -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Terms:
    """An incident's root-cause words and two-word phrases: folded key → the spelling written."""

    words: Mapping[str, str]
    phrases: Mapping[str, str]


#: Words that say nothing about a cause: English function words, common verbs, adjectives and
#: numbers, nouns any account of anything uses (change, check, default, limit, value…), and words every postmortem uses. Also dropped: words under three letters, and words of
#: five letters or more ending in "ed" (not "eed") or "ly", which are nearly always verbs and adverbs.
STOP_WORDS = frozenset("""
a about above across after afterwards again against all almost alone along already also although always am among
an and another any anyone anything anyway anywhere are around as at away back be became because become becomes
been before behind being below beside besides between beyond both but by can cannot could did do does doing done
down during each either else elsewhere enough etc even ever every everyone everything everywhere except few for
from further had has have having he hence her here hers herself him himself his how however i if in indeed instead
into is it its itself just last later least less let like many may me meanwhile might mine more moreover most much
must my myself neither never nevertheless next no none nor not nothing now nowhere of off often on once one only
onto or other others otherwise our ours ourselves out over own per perhaps please quite rather really same several
she should since so some somehow something sometime sometimes somewhere still such than that the their theirs them
themselves then there thereby therefore these they this those though through throughout thus to together too
toward towards under unless until up upon us very via was we well were what whatever when whenever where whereas
wherever whether which while who whoever whole whom whose why will with within without would yet you your yours
zero two three four five six seven eight nine ten first second third half once twice
able actual available big certain clear different early earlier easy full good great high large late long low
main new normal old possible real right short simple single small sure true usual worse worst better best
inside outside
came come comes coming did get gets getting give given gives go goes going gone got keep keeps kept know knew known
look looks make makes made making put puts ran run runs said say says saw see seen seem seems take takes taking
took tell told think thought use uses using want way ways went thing things lot part kind
present absent change check default limit value set number case state level point result side end start step
work place order fact reason example instance area group type list amount total rest top line item field name
cause causes causing root trigger triggers fault faults incident incidents outage outages issue issues problem
problems impact time times minute minutes hour hours day days week weeks month months year years team teams
people nobody someone customer customers user users service services
""".split())
_WORD = re.compile(r"[^\W\d_](?:[\w'’-]*[^\W_])?")
_CLAUSE = re.compile(r"[.!?;:,()\[\]{}\"“”`]+")


@dataclass(frozen=True, slots=True)
class ArchiveTerms:
    """The background a period's terms are weighed against: how many of the archive's incidents use each root-cause
    word and phrase. Each incident's terms are found once (`of`), however many reports it appears in."""

    incidents: int
    words: Mapping[str, int]
    phrases: Mapping[str, int]
    found: dict[str, _Terms]  # incident id → its terms

    @classmethod
    def of(cls, incidents: Sequence[Incident]) -> ArchiveTerms:
        found = {i.id: _terms_of(i) for i in incidents}
        words, phrases = Counter[str](), Counter[str]()
        for terms in found.values():
            words.update(terms.words.keys())
            phrases.update(terms.phrases.keys())
        return cls(len(found), words, phrases, found)

    def terms_of(self, incident: Incident) -> _Terms:
        if incident.id not in self.found:
            self.found[incident.id] = _terms_of(incident)
        return self.found[incident.id]


#: How unlikely a term's count in a period must be, were the period's incidents drawn at random from the archive,
#: for the term to be a theme.
THEME_SIGNIFICANCE = 0.05


def themes(incidents: Sequence[Incident], archive: ArchiveTerms | None = None) -> tuple[Theme, ...]:
    """Tags shared by at least two of `incidents`, then the root-cause terms and phrases that set them apart from
    the `archive` they belong to (docs/reports.md). Without an archive, `incidents` are the whole of it, and no term
    sets them apart from it.
    """
    background = archive if archive is not None else ArchiveTerms.of(incidents)
    found = {i.id: background.terms_of(i) for i in incidents}
    tags = _shared_tags(incidents)
    said = {_fold(key.replace(" ", "-")) for key in tags}  # a term that is a shared tag adds nothing
    chosen = _best_terms(_distinct_terms(incidents, found, background, said), incidents, found)
    return (
        *(Theme(_tag_name(key, members), "tag", members) for key, members in tags.items()),
        *(Theme(_spelling(key, members, found), "term", members) for key, members in chosen),
    )


def _shared_tags(incidents: Sequence[Incident]) -> dict[str, tuple[Incident, ...]]:
    """The tags (by `_tag_key`) at least two of `incidents` carry, each with those incidents in their order; the
    most carried first, then alphabetical."""
    carrying: dict[str, list[Incident]] = {}
    for incident in incidents:
        for key in {_tag_key(t) for t in incident.tags}:
            carrying.setdefault(key, []).append(incident)
    shared = sorted((key for key, members in carrying.items() if len(members) >= 2),
                    key=lambda key: (-len(carrying[key]), key))
    return {key: tuple(carrying[key]) for key in shared}


def _distinct_terms(
    incidents: Sequence[Incident], found: Mapping[str, _Terms], background: ArchiveTerms, said: Set[str]
) -> list[tuple[str, int, bool]]:
    """The terms at least two of `incidents` use, but not `said`, whose chance against the `background` is at most
    THEME_SIGNIFICANCE, as (key, incidents using it, whether it is a word), least likely first."""
    phrases, words = Counter[str](), Counter[str]()
    for incident in incidents:
        phrases.update(found[incident.id].phrases.keys())
        words.update(found[incident.id].words.keys())

    def chance(used: int, using: int) -> float:  # past THEME_SIGNIFICANCE, the exact chance is never needed
        return _chance(used, len(incidents), using, background.incidents, beyond=THEME_SIGNIFICANCE)

    candidates = [(chance(n, background.phrases.get(key, 0)), key, n, False)
                  for key, n in phrases.items() if n >= 2 and key.replace(" ", "-") not in said]
    candidates += [(chance(n, background.words.get(key, 0)), key, n, True)
                   for key, n in words.items() if n >= 2 and key not in said]
    distinct = sorted((c for c in candidates if c[0] <= THEME_SIGNIFICANCE), key=lambda c: (c[0], -c[2], c[3], c[1]))
    return [(key, n, is_word) for _, key, n, is_word in distinct]


@functools.lru_cache(maxsize=1 << 16)  # a period's terms share a few counts: most chances are asked again and again
def _chance(used: int, drawn: int, using: int, total: int, *, beyond: float = 1.0) -> float:
    """The chance that `drawn` incidents picked at random from an archive of `total`, of which `using` use a term,
    include `used` or more that use it: the upper tail of the hypergeometric distribution (Fisher's exact test).

    Small when the period uses the term far more than the archive does; 1 when the period is the whole archive.
    The sum stops once it passes `beyond`: a caller that only asks whether the chance is at most `beyond` gets a
    number above it then, not the exact chance, and the exact chance whenever it is at most `beyond`.
    """
    total, using = max(total, drawn), max(using, used)  # the period's incidents are part of the archive
    if used * total <= drawn * using:
        return 1.0  # no more than its share: not worth the sum
    log_factorial = _log_factorials(total)
    # log C(n, k), written out rather than called: this line runs hundreds of thousands of times in a large archive.
    # The order of the operations is kept, so each term is the same float as lgamma gave it directly.
    all_draws = log_factorial[total] - log_factorial[drawn] - log_factorial[total - drawn]
    tail, k = 0.0, used
    while k <= min(using, drawn):
        term = math.exp(
            (log_factorial[using] - log_factorial[k] - log_factorial[using - k])
            + (log_factorial[total - using] - log_factorial[drawn - k] - log_factorial[total - using - drawn + k])
            - all_draws
        )
        tail += term
        if term < tail * 1e-12:
            break  # past the mode each term is smaller than the last: the rest cannot count
        if tail > beyond:
            break  # the terms left can only add to it
        k += 1
    return min(tail, 1.0)


@functools.lru_cache(maxsize=4)  # one archive's size for every report of a build
def _log_factorials(n: int) -> tuple[float, ...]:
    """log k! for k from 0 to n, each from lgamma: a running sum of logs would round differently, and move a theme."""
    return tuple(math.lgamma(k + 1) for k in range(n + 1))


def _best_terms(
    ranked: Iterable[tuple[str, int, bool]], incidents: Sequence[Incident], found: Mapping[str, _Terms]
) -> list[tuple[str, tuple[Incident, ...]]]:
    """The first TERM_LIMIT of the `ranked` terms, each with its incidents.

    A word is skipped when a phrase already chosen contains it and has all of its incidents.
    """
    chosen: list[tuple[str, tuple[Incident, ...]]] = []
    for key, _, is_word in ranked:
        if len(chosen) == TERM_LIMIT:
            break
        members = tuple(i for i in incidents if key in (found[i.id].words if is_word else found[i.id].phrases))
        ids = {i.id for i in members}
        if is_word and any(key in phrase.split(" ") and ids <= {i.id for i in shown} for phrase, shown in chosen):
            continue
        chosen.append((key, members))
    return chosen


def _tag_key(tag: str) -> str:
    """Tags compare ignoring case and spacing."""
    return " ".join(tag.casefold().split())


def _tag_name(key: str, incidents: Sequence[Incident]) -> str:
    """The tag as the first of `incidents` carrying it (the newest) writes it."""
    return next(t for i in incidents for t in i.tags if _tag_key(t) == key)


def _spelling(key: str, members: Sequence[Incident], found: Mapping[str, _Terms]) -> str:
    """The most common written form of a term among its incidents; ties go to the shortest, then alphabetical."""
    forms = Counter((found[i.id].phrases if " " in key else found[i.id].words)[key] for i in members)
    return min(forms, key=lambda form: (-forms[form], len(form), form))


def _terms_of(incident: Incident) -> _Terms:
    """The significant words of the incident's root-cause, trigger and fault sections, and adjacent pairs of them."""
    from ..core.markup import text_of  # markdown-it loads here: a build with nothing to do needs no terms
    text = " ".join(text_of(s.html) for s in incident.every_section() if s.key in THEME_SECTIONS and s.filled)
    words: dict[str, str] = {}
    phrases: dict[str, str] = {}
    # Case folding maps each character alone and never makes or unmakes a clause mark: folding the text once
    # splits it into the same clauses as folding each clause.
    for clause in _CLAUSE.split(text.casefold()):
        before: tuple[str, str] | None = None  # the previous word, when it is significant
        for written in _WORD.findall(clause):
            term = _term(written)
            if term is not None:
                words.setdefault(*term)
                if before is not None and before[0] != term[0]:  # "disk disk" is a slip, not a phrase
                    phrases.setdefault(f"{before[0]} {term[0]}", f"{before[1]} {term[1]}")
            before = term
    return _Terms(words, phrases)


@functools.lru_cache(maxsize=1 << 16)  # an archive's vocabulary is small; its words recur thousands of times
def _term(word: str) -> tuple[str, str] | None:
    """A significant word as (the key it is compared by, as written); None for a word that says nothing."""
    return (_fold(word), word) if _significant(word) else None


def _significant(word: str) -> bool:
    if len(word) < 3 or word in STOP_WORDS or _fold(word) in STOP_WORDS:
        return False
    if len(word) >= 5 and (word.endswith("ly") or (word.endswith("ed") and not word.endswith("eed"))):
        return False
    return True


@functools.lru_cache(maxsize=1 << 16)
def _fold(word: str) -> str:
    """A plural to its singular, for comparing: drop a final "s" from words of 4+ letters (not -ss, -us, -is)."""
    if len(word) >= 4 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


# --- Markdown -----------------------------------------------------------------------------------------------------


def to_markdown(report: PeriodReport) -> str:
    """The report as a Markdown document, for pasting into a wiki or a review."""
    period, previous = report.period.label, report.previous.label
    count = report.count
    lines = [
        f"# Reliability report {period}",
        "",
        f"{report.period.first_day.isoformat()} to {report.period.last_day.isoformat()}, "
        f"compared with the previous {report.period.kind} ({previous}).",
        "",
        "## Incidents",
        "",
        f"{_incidents(count.current)} in {period}; {count.previous} in {previous} ({count.change_text}).",
    ]
    if not report.incidents:
        lines += ["", f"No incidents are dated in {period}."]
    else:
        lines += _severity_table(report)
        lines += ["", "## Impact time", "", _impact_sentence(report.impact)]
        lines += ["", "## Incidents per service", ""] + [f"- {_md(name)}: {n}" for name, n in report.by_service]
        lines += [f"- no service named: {report.without_service}"] if report.without_service else []
        lines += ["", "## Recurring themes", ""]
        lines += [_theme_line(t) for t in report.themes] or [
            "No tag is shared by two incidents, and no root-cause term sets them apart from the archive."]
        lines += ["", "## Action items", "", _action_items_sentence(report.action_items)]
        lines += ["", "## Notable incidents", ""] + [_notable_line(n) for n in report.notable]
        lines += ["", "## All incidents", ""] + _incident_table(report.incidents)
    return "\n".join(lines) + "\n"


def _severity_table(report: PeriodReport) -> list[str]:
    period, previous = report.period.label, report.previous.label
    lines = ["", f"| Severity | {period} | {previous} | Change |", "|---|--:|--:|--:|"]
    lines += [f"| {_md(row.level.upper()) if row.level else 'not stated'} | {row.count.current} "
              f"| {row.count.previous} | {row.count.change_text} |" for row in report.by_severity]
    if report.by_quarter:
        lines += ["", "| Quarter | Incidents |", "|---|--:|"] + [f"| {q.label} | {n} |" for q, n in report.by_quarter]
    return lines


def _incident_table(incidents: Sequence[Incident]) -> list[str]:
    lines = ["| Date | Incident | Severity | Services | Duration |", "|---|---|---|---|--:|"]
    for i in incidents:
        facts = [i.date.isoformat() if i.date else "", _md(i.title), _md((i.severity or "—").upper()),
                 _md(", ".join(i.services)) or "—", format_duration(i.duration_minutes) or "—"]
        lines.append("| " + " | ".join(facts) + " |")
    return lines


def _action_items_sentence(items: ActionItemCounts) -> str:
    return (f"{items.total} action item{'s' if items.total != 1 else ''} from these incidents: "
            f"{items.open} open, {items.done} done, {items.not_stated} with no status stated.")


def _incidents(count: int) -> str:
    return f"{count} incident{'s' if count != 1 else ''}"


def _impact_sentence(impact: ImpactTime) -> str:
    if not impact.known:
        return f"No incident has a known duration ({impact.left_out.note})."
    text = (f"Total {format_duration(impact.total_minutes)}, median {format_duration(impact.median_minutes)}, "
            f"over {_incidents(impact.known)} with a known duration")
    return text + (f"; {impact.left_out.note}." if impact.left_out.total else ".")


def _theme_line(theme: Theme) -> str:
    name = f"#{_md(theme.name)} (tag)" if theme.kind == "tag" else f"“{_md(theme.name)}” (root cause)"
    more = f"; and {theme.more} more" if theme.more else ""
    return f"- {name}, {_incidents(len(theme.incidents))}: " + "; ".join(_md(i.title) for i in theme.named) + more


def _notable_line(notable: Notable) -> str:
    incident = notable.incident
    facts = [incident.date.isoformat() if incident.date else "", (incident.severity or "").upper(),
             format_duration(incident.duration_minutes)]
    line = f"- **{_md(incident.title)}** ({', '.join(f for f in facts if f)})"
    return line + (f": {_md(notable.summary)}" if notable.summary else "")


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~])")


def _md(text: str) -> str:
    """Text as Markdown that shows exactly it: special characters escaped, on one line."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))
