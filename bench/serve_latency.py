#!/usr/bin/env python3
"""Save-to-reload latency of `hindsite serve`: from an editor's save to the browser's reload message.

For the example archive and for a generated archive (5,000 documents by
default), it starts the preview server as `hindsite serve` does (real
watchdog watcher, real HTTP server on 127.0.0.1), listens to the reload
events as a browser would, saves one document several times with an atomic
rename, and prints the time from each save, and from the watcher's hand-over, to the reload event,
and the time the whole rebuild took.

    bench/serve_latency.py [--count 5000] [--edits 5]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

from hindsite.core.config import load_config  # noqa: E402
from hindsite.serve import Preview, ServeOptions  # noqa: E402


class Listener(threading.Thread):
    """Reads the server's events like a browser's EventSource and timestamps each build message."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        host, port = url.split("//")[1].rstrip("/").rsplit(":", 1)
        self.connection = http.client.HTTPConnection(host, int(port), timeout=600)
        self.events: list[tuple[float, int]] = []
        self.arrived = threading.Condition()

    def run(self) -> None:
        self.connection.request("GET", "/__hindsite__/events")
        response = self.connection.getresponse()
        for raw in response:
            line = raw.decode("utf-8").strip()
            if line.startswith("data: "):
                generation = json.loads(line[6:])["generation"]
                with self.arrived:
                    self.events.append((time.perf_counter(), generation))
                    self.arrived.notify_all()

    def wait_for_more_than(self, count: int, timeout: float) -> tuple[float, int]:
        with self.arrived:
            if not self.arrived.wait_for(lambda: len(self.events) > count, timeout=timeout):
                raise TimeoutError("no reload event arrived")
            return self.events[count]


@dataclass
class Figures:
    first_build: float
    save_to_reload: list[float]  # from the rename to the reload event reaching the client
    batch_to_reload: list[float]  # from the watcher handing the batch over (after its quiet period) to the event
    whole_rebuild: list[float]  # from the batch to the end of the rebuild of everything else


def measure(site: Path, document: Path, edits: int) -> Figures:
    config_path = site / "site.toml"
    started = time.perf_counter()
    preview = Preview(config_path, load_config(config_path), ServeOptions(port=0), say=lambda line: None)
    figures = Figures(time.perf_counter() - started, [], [], [])
    handed_over: list[float] = []
    real_handle = preview.handle

    def handle(paths: set[Path]) -> None:
        handed_over.append(time.perf_counter())
        real_handle(paths)
        figures.whole_rebuild.append(time.perf_counter() - handed_over[-1])

    preview.handle = handle  # type: ignore[method-assign]
    preview.start()
    listener = Listener(preview.url)
    listener.start()
    listener.wait_for_more_than(0, timeout=60)
    try:
        for n in range(edits):
            text = document.read_text(encoding="utf-8") + f"\nEdited for the latency benchmark, round {n}.\n"
            temporary = document.with_name(f".{document.name}.tmp{n}")
            temporary.write_text(text, encoding="utf-8")
            seen, rebuilt = len(listener.events), len(figures.whole_rebuild)
            saved = time.perf_counter()
            os.replace(temporary, document)
            arrived, _ = listener.wait_for_more_than(seen, timeout=600)
            figures.save_to_reload.append(arrived - saved)
            figures.batch_to_reload.append(arrived - handed_over[-1])
            while len(figures.whole_rebuild) == rebuilt:  # the next save finds the server idle, as a writer's would
                time.sleep(0.01)
            time.sleep(0.3)
    finally:
        preview.stop()
    return figures


def report(name: str, figures: Figures) -> None:
    def median_ms(values: list[float]) -> str:
        return f"{statistics.median(values) * 1000:6.0f} ms"

    print(f"{name:34} first build {figures.first_build:6.1f} s   save → reload {median_ms(figures.save_to_reload)}   "
          f"batch → reload {median_ms(figures.batch_to_reload)} (max {max(figures.batch_to_reload) * 1000:.0f} ms)   "
          f"whole rebuild {median_ms(figures.whole_rebuild)}   ({len(figures.save_to_reload)} saves, medians)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=5000, help="documents in the generated archive")
    parser.add_argument("--edits", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        example = Path(tmp) / "example"
        shutil.copytree(HERE.parent / "content", example / "content")
        shutil.copy(HERE.parent / "site.toml", example / "site.toml")
        target = sorted((example / "content").glob("*.md"))[0]
        report("example archive", measure(example, target, args.edits))

        generated = Path(tmp) / "generated"
        generate(generated / "content", args.count)
        (generated / "site.toml").write_text('title = "Generated archive"\n', encoding="utf-8")
        target = sorted((generated / "content").rglob("*.md"))[args.count // 2]
        report(f"generated archive ({args.count} documents)", measure(generated, target, args.edits))
    print("\nsave → reload: from the atomic rename of the saved file to the reload event reaching the client, including")
    print("the watcher's quiet period (serve/watcher.py QUIET) that merges an editor's save steps. batch → reload: from")
    print("the watcher handing the change over. whole rebuild: until every list, index and data file is up to date too.")


if __name__ == "__main__":
    main()
