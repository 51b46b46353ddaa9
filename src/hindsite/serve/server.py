"""The development server: the built site over HTTP on 127.0.0.1, with live reload.

Standard library only. Pages are served from the folder the builder writes;
the reload script is added to HTML as it is sent, so the files on disk stay
exactly what `hindsite build` writes. A request during a rebuild waits for it.
Browsers learn about rebuilds through server-sent events, which carry the
problems the overlay shows and a sentence saying what the site on screen is.
"""

from __future__ import annotations

import enum
import ipaddress
import json
import mimetypes
import sys
import threading
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..render import urls

EVENTS_PATH = "/__hindsite__/events"
_LOCAL_NAMES = {"localhost", "127.0.0.1", "::1", "[::1]"}


class Shown(enum.Enum):
    """What the site on screen is, next to the files on disk: the overlay's first sentence says it."""

    CURRENT = "current"  # built from the files as they are; a document with errors is published as far as it was read
    LAST_GOOD = "last-good"  # the last rebuild stopped before writing: each page is as it was last built
    # The same, after the pages of the documents saved were written ahead of the rebuild: those show them as saved.
    EDITED_AHEAD = "edited-ahead"
    NOTHING = "nothing"  # no build has finished yet: there is no site to show

    @property
    def headline(self) -> str:
        return _HEADLINES[self]


_HEADLINES = {
    Shown.CURRENT: "hindsite found errors in these files. The site is built from them as far as they could be read.",
    Shown.LAST_GOOD: "hindsite could not rebuild the site. Each page shows its last good version until this is fixed.",
    Shown.EDITED_AHEAD: "hindsite could not rebuild the site. The page of each file you saved shows it as saved; "
                        "every other page shows its last good version until this is fixed.",
    Shown.NOTHING: "hindsite could not build the site, so there is nothing to show yet. Fix this and the page reloads.",
}


@dataclass
class SiteState:
    """What the server shows: the site folder, its build generation, the problems of the last build and what
    the site on screen is."""

    folder: Path
    generation: int = 0
    problems: list[dict[str, object]] = field(default_factory=list)
    shown: Shown = Shown.CURRENT
    building: bool = False
    changed: threading.Condition = field(default_factory=threading.Condition)

    def begin_build(self) -> None:
        with self.changed:
            self.building = True

    def end_build(self, problems: list[dict[str, object]], shown: Shown = Shown.CURRENT) -> None:
        with self.changed:
            self.building = False
            self.generation += 1
            self.problems = problems
            self.shown = shown
            self.changed.notify_all()

    def wait_until_built(self) -> int:
        with self.changed:
            self.changed.wait_for(lambda: not self.building)
            return self.generation


def reload_script(generation: int) -> str:
    """The script injected into every HTML page the server sends."""
    return _RELOAD_SCRIPT.replace("__GENERATION__", str(generation)).replace("__EVENTS__", EVENTS_PATH)


class DevServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, host: str, port: int, state: SiteState) -> None:
        self.state = state
        self.allowed_hosts = _LOCAL_NAMES | {host.lower(), f"[{host.lower()}]"}
        self.stopping = threading.Event()
        super().__init__((host, port), _Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        name = host.decode() if isinstance(host, bytes) else host
        shown = f"[{name}]" if ":" in name else name
        return f"http://{shown}:{port}/"

    def shutdown(self) -> None:
        self.stopping.set()
        with self.state.changed:
            self.state.changed.notify_all()
        super().shutdown()


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def safe_relative_path(raw_path: str) -> str | None:
    """The site-relative file a request path names, or None when it must be refused.

    Refuses `..` (also percent-encoded), backslashes, NUL and anything that is
    not a plain relative path once decoded.
    """
    path = raw_path.split("?", 1)[0].split("#", 1)[0]  # not urlsplit: "//etc" would become a host
    if "\\" in path or "\0" in path or "%00" in path.lower():
        return None
    decoded = unquote(path)
    if "\\" in decoded or "\0" in decoded or not decoded.startswith("/"):
        return None
    parts = [p for p in decoded.split("/") if p]
    if any(p in (".", "..") for p in parts):
        return None
    return "/".join(parts)


class _Handler(BaseHTTPRequestHandler):
    server: DevServer
    server_version = "hindsite"
    sys_version = ""

    def do_GET(self) -> None:  # noqa: N802 — the stdlib's name
        self._respond(head=False)

    def do_HEAD(self) -> None:  # noqa: N802
        self._respond(head=True)

    def log_message(self, format: str, *args: object) -> None:  # quiet, except for errors
        pass

    def _respond(self, *, head: bool) -> None:
        try:
            if not self._host_is_local():
                self._plain(HTTPStatus.FORBIDDEN, "This server answers only to localhost.", head)
                return
            if urlsplit(self.path).path == EVENTS_PATH:
                self._events()
                return
            relative = safe_relative_path(self.path)
            if relative is None:
                self._plain(HTTPStatus.BAD_REQUEST, "Bad path.", head)
                return
            self._file(relative, head)
        except (BrokenPipeError, ConnectionResetError):
            pass
        except Exception as exc:  # noqa: BLE001 — never a traceback in a response
            print(f"hindsite serve: error answering {self.path!r}: {type(exc).__name__}: {exc}", file=sys.stderr)
            try:
                self._plain(HTTPStatus.INTERNAL_SERVER_ERROR, "Internal error; see the terminal.", head)
            except OSError:
                pass

    def _host_is_local(self) -> bool:
        host = self.headers.get("Host")
        if host is None:
            return True  # HTTP/1.0 clients send none; DNS rebinding needs one
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        return name.lower() in self.server.allowed_hosts

    def _file(self, relative: str, head: bool) -> None:
        state = self.server.state
        generation = state.wait_until_built()
        root = state.folder.resolve()
        target = (root / relative) if relative else root
        if target.is_dir():
            target = target / "index.html"
        try:
            resolved = target.resolve(strict=True)
        except (FileNotFoundError, OSError):
            resolved = None
        if resolved is None or not resolved.is_file() or not resolved.is_relative_to(root):
            self._not_found(root, generation, head)
            return
        self._send_file(resolved, HTTPStatus.OK, generation, head, attachment=resolved.is_relative_to(root / urls.FILES_DIR))

    def _not_found(self, root: Path, generation: int, head: bool) -> None:
        page = root / "404.html"
        if page.is_file():
            self._send_file(page, HTTPStatus.NOT_FOUND, generation, head)
        elif self.server.state.shown is Shown.NOTHING:
            self._no_site_yet(generation, head)
        else:
            self._plain(HTTPStatus.NOT_FOUND, "Not found.", head)

    def _no_site_yet(self, generation: int, head: bool) -> None:
        """A page that carries the overlay and reloads once a build succeeds: no build has finished to show one."""
        data = _inject(_NO_SITE_PAGE, reload_script(generation).encode("utf-8"))
        self.send_response(HTTPStatus.SERVICE_UNAVAILABLE)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if not head:
            self.wfile.write(data)

    def _send_file(self, path: Path, status: HTTPStatus, generation: int, head: bool, *, attachment: bool = False) -> None:
        """Send a file of the site; attachments from the content folder are sandboxed, so a script in one cannot run."""
        data = path.read_bytes()
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if kind == "text/html" and not attachment:
            data = _inject(data, reload_script(generation).encode("utf-8"))
        if kind.startswith("text/") or kind in ("application/javascript", "application/json", "image/svg+xml"):
            kind += "; charset=utf-8"
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        if attachment:
            self.send_header("Content-Security-Policy", "sandbox")
        self.end_headers()
        if not head:
            self.wfile.write(data)

    def _plain(self, status: HTTPStatus, message: str, head: bool) -> None:
        body = (message + "\n").encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _events(self) -> None:
        """Server-sent events: the current build, then one message per rebuild."""
        state = self.server.state
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(b"retry: 500\n\n")
        seen = -1
        while not self.server.stopping.is_set():
            with state.changed:
                state.changed.wait_for(lambda: state.generation != seen or self.server.stopping.is_set(), timeout=15)
                generation, problems, shown = state.generation, list(state.problems), state.shown
            if generation == seen:
                self.wfile.write(b": still here\n\n")  # keeps proxies and the browser from timing out
            else:
                seen = generation
                message = {"generation": generation, "problems": problems, "summary": shown.headline}
                self.wfile.write(f"event: build\ndata: {json.dumps(message)}\n\n".encode("utf-8"))
            self.wfile.flush()


def _inject(html: bytes, script: bytes) -> bytes:
    at = html.rfind(b"</body>")
    return html + script if at == -1 else html[:at] + script + html[at:]


_NO_SITE_PAGE = (b'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>hindsite: no site yet</title></head>'
                 b"<body><p>hindsite has not built this site yet.</p></body></html>\n")

_RELOAD_SCRIPT = """<script>
(function () {
  "use strict";
  var shown = __GENERATION__;
  function overlay(problems, summary) {
    var box = document.getElementById("hindsite-problems");
    if (!problems.length) { if (box) { box.remove(); } return; }
    if (!box) {
      box = document.createElement("div");
      box.id = "hindsite-problems";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;z-index:2147483647;" +
        "background:#2b0b0b;color:#ffe3e3;font:14px/1.45 ui-monospace,Menlo,Consolas,monospace;padding:1rem 1.25rem;" +
        "border-top:4px solid #ff6b6b;white-space:pre-wrap";
      document.body.appendChild(box);
    }
    box.textContent = summary + "\\n\\n" + problems.map(function (p) {
      var where = p.path ? p.path + (p.line ? ":" + p.line : "") + ": " : "";
      return where + p.level + ": " + p.code + ": " + p.message;
    }).join("\\n");
  }
  var source = new EventSource("__EVENTS__");
  source.addEventListener("build", function (event) {
    var build = JSON.parse(event.data);
    // Reload once: a newer build arriving while the page reloads must not cancel the load under way;
    // the reloaded page asks for builds again and catches up from its own generation.
    if (build.generation !== shown) { source.close(); window.location.reload(); return; }
    overlay(build.problems, build.summary);
  });
})();
</script>
"""
