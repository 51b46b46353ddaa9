"""`hindsite inspect FILE`: how one document was read, and how each of its times was obtained."""

from __future__ import annotations

from pathlib import Path

from conftest import MakeSite, RunCli
from factories import DERIVED_TIMES, END_BEFORE_START, MONTH_LONG


def inspect(tmp_path: Path, make_site: MakeSite, run_cli: RunCli, name: str, text: str) -> list[str]:
    site = make_site(tmp_path, {f"content/{name}": text})
    result = run_cli("inspect", f"content/{name}", cwd=site)
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


def field(lines: list[str], name: str) -> list[str]:
    """A field's line and the evidence lines under it."""
    start = next(n for n, line in enumerate(lines) if line.startswith(f"  {name} "))
    end = next((n for n in range(start + 1, len(lines)) if not lines[n].startswith(" " * 20 + "· ")), len(lines))
    return [line.strip() for line in lines[start:end]]


def test_a_time_worked_out_from_the_timeline_names_its_zone_and_day(tmp_path: Path, make_site: MakeSite,
                                                                    run_cli: RunCli) -> None:
    lines = inspect(tmp_path, make_site, run_cli, "2024-03-07-checkout.md", DERIVED_TIMES)
    assert field(lines, "started_at") == ["started_at        2024-03-07 10:00 UTC-08:00   (timeline, line 17; derived)",
                                          "· zone PST (line 14)", "· day 2024-03-07 (line 17)"]
    assert field(lines, "duration_minutes") == ["duration_minutes  42 min   (timeline, line 19; derived)",
                                                "· from the start on line 17 to the end on line 19"]
    assert field(lines, "date") == ["date              2024-03-07   (front-matter, line 3; stated)"]


def test_a_withheld_time_is_left_out_with_its_reason(tmp_path: Path, make_site: MakeSite, run_cli: RunCli) -> None:
    lines = inspect(tmp_path, make_site, run_cli, "2024-03-05-billing.md", MONTH_LONG)
    assert field(lines, "resolved_at") == [
        "resolved_at       left out   (timeline, line 19; withheld)", "· zone UTC (line 14)", "· day 2024-04-04 (line 19)",
        "· left out: it would make the incident last 43200 minutes (30.0 days)"]
    assert field(lines, "duration_minutes")[-1].startswith("· left out: 43200 minutes (30.0 days) is not between")


def test_a_stated_time_and_the_ones_withheld_for_contradicting_it(tmp_path: Path, make_site: MakeSite,
                                                                   run_cli: RunCli) -> None:
    lines = inspect(tmp_path, make_site, run_cli, "2024-03-06-queue.md", END_BEFORE_START)
    assert field(lines, "resolved_at") == ["resolved_at       2024-03-06 09:00 UTC   (front-matter, line 6; stated)"]
    assert field(lines, "started_at")[0] == "started_at        left out   (timeline, line 17; withheld)"
    assert field(lines, "started_at")[-1] == "· left out: contradicts the end (front-matter, line 6)"
    assert field(lines, "duration_minutes") == ["duration_minutes  —"]


def test_a_timeline_entry_with_a_date_and_no_time_shows_its_date(tmp_path: Path, make_site: MakeSite,
                                                                 run_cli: RunCli) -> None:
    lines = inspect(tmp_path, make_site, run_cli, "2024-03-07-checkout.md", DERIVED_TIMES)
    timeline = lines[lines.index("Timeline (4 events):") + 1:]
    assert timeline[0].split() == ["16", "2024-02-20", "the", "bad", "config", "was", "written"]
    assert timeline[1].split()[:4] == ["17", "2024-03-07", "10:00", "UTC-08:00"]
