"""bench/compare.py's targets: each figure against its limit, met or not, at the N they are set at."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from compare import Result, targets, targets_report  # noqa: E402


def result(tool: str, n: int, cold: float, no_change: float, one_edit: float, pss: float) -> Result:
    return Result(tool, n, cold, no_change, one_edit, peak_mb=pss, peak_pss_mb=pss)


HUGO = result("hugo", 10_000, cold=12.0, no_change=10.0, one_edit=12.0, pss=1500)


def test_each_target_is_its_figure_against_its_limit() -> None:
    mine = result("hindsite", 10_000, cold=40.0, no_change=0.4, one_edit=0.9, pss=450)
    n, found = targets([mine, HUGO])
    assert n == 10_000
    assert [(t.name, round(t.figure or 0, 3), t.met) for t in found] == [
        ("one edit, with the cache", 0.9, True),
        ("one edit / Hugo's full build", 0.075, True),
        ("cold / Hugo's cold", 3.333, False),
        ("no change / Hugo's", 0.04, True),
        ("peak PSS / Hugo's", 0.3, True),
    ]


def test_without_the_target_size_the_largest_measured_is_used_and_said() -> None:
    small = [result("hindsite", 1000, 7.0, 0.38, 2.3, 70), result("hugo", 1000, 1.25, 1.28, 1.34, 225)]
    n, found = targets(small)
    assert n == 1000 and [t.met for t in found] == [False, False, False, False, True]
    report = targets_report(small)
    assert "taken at N=1000, as N=10000 was not measured" in report
    assert report.count("not met") == 4


def test_growth_per_document_from_ten_to_fifty_thousand() -> None:
    ten = result("hindsite", 10_000, cold=40.0, no_change=0.4, one_edit=0.9, pss=450)
    fifty = result("hindsite", 50_000, cold=230.0, no_change=2.0, one_edit=3.0, pss=1800)
    _, found = targets([ten, fifty, HUGO])
    growth = {t.name: (round(t.figure or 0, 2), t.met) for t in found[5:]}
    assert growth == {"cold time per document, N=50000 / N=10000": (1.15, False),
                      "peak PSS per document, N=50000 / N=10000": (0.8, True)}


def test_nothing_to_compare_says_so() -> None:
    assert targets_report([result("hindsite", 1000, 7.0, 0.38, 2.3, 110)]).startswith("targets: not measured")
