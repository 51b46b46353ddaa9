"""Two builds of the same content give the same bytes, whatever the machine around them."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def copy_in_reverse_order(source: Path, target: Path) -> None:
    """Copy `source` creating files in the reverse of sorted order, so directory order differs."""
    for path in sorted(source.rglob("*"), reverse=True):
        if path.is_file():
            destination = target / path.relative_to(source)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, destination)


def build(site: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in ("SOURCE_DATE_EPOCH", "TZ", "LC_ALL", "PYTHONHASHSEED")}
    return subprocess.run([sys.executable, "-m", "hindsite", "build", "-q"], cwd=site, env={**environment, **env},
                          capture_output=True, text=True, timeout=300)


def digests(output: Path) -> dict[str, str]:
    return {p.relative_to(output).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(output.rglob("*")) if p.is_file()}


def test_same_content_elsewhere_with_another_zone_locale_hash_seed_and_file_order_gives_the_same_bytes(tmp_path: Path) -> None:
    first, second = tmp_path / "one" / "site", tmp_path / "two" / "deeper" / "site"
    for site in (first, second):
        site.mkdir(parents=True)
        shutil.copyfile(REPO / "site.toml", site / "site.toml")
    shutil.copytree(REPO / "content", first / "content")
    copy_in_reverse_order(REPO / "content", second / "content")
    assert build(first, TZ="Asia/Tokyo", LC_ALL="C", PYTHONHASHSEED="1").returncode == 0
    assert build(second, TZ="America/Los_Angeles", LC_ALL="C.UTF-8", PYTHONHASHSEED="4242").returncode == 0
    one, two = digests(first / "_site"), digests(second / "_site")
    assert len(one) > 30
    assert one == two


@pytest.mark.parametrize("epoch", ["0", "1700000000"])
def test_source_date_epoch_is_every_written_file_s_time(tmp_path: Path, epoch: str) -> None:
    site = tmp_path / "site"
    (site / "content").mkdir(parents=True)
    (site / "content" / "a.md").write_text("# Disk full\n\nThe disk filled.\n", encoding="utf-8")
    (site / "content" / "graph.png").write_bytes(b"\x89PNG\r\n")
    assert build(site, SOURCE_DATE_EPOCH=epoch).returncode == 0
    output = site / "_site"
    times = {int(p.stat().st_mtime) for p in [output, *output.rglob("*")]}
    assert times == {int(epoch)}


@pytest.mark.parametrize("epoch", [
    "yesterday",
    "99999999999999999999",  # past any file system's clock
    "\u0661\u0667\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660",  # 1700000000 in Arabic-Indic digits, which str.isdigit takes
    "\u00b2",  # a superscript two: a digit to str.isdigit, not to int()
    "253402300800",  # the first second of the year 10000
])
def test_a_malformed_source_date_epoch_is_refused(tmp_path: Path, epoch: str) -> None:
    site = tmp_path / "site"
    (site / "content").mkdir(parents=True)
    (site / "content" / "a.md").write_text("# Disk full\n\nThe disk filled.\n", encoding="utf-8")
    result = build(site, SOURCE_DATE_EPOCH=epoch)
    assert result.returncode == 2 and "SOURCE_DATE_EPOCH must be a whole number" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (site / "_site").exists()

