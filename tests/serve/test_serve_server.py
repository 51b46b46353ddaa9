"""`hindsite serve`: the development server — request paths, Host checks, files, reload script and events.

The server under test is a real `DevServer` on 127.0.0.1 and a free port, serving a
temporary folder; requests are sent raw so that nothing on the client side
normalises the path or the Host header first.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.client import HTTPConnection
from pathlib import Path
from typing import Any

import pytest

from hindsite.serve.server import (
    EVENTS_PATH,
    DevServer,
    Shown,
    SiteState,
    is_loopback,
    reload_script,
    safe_relative_path,
)

TIMEOUT = 10  # seconds; generous bound on every network wait

# --- safe_relative_path ------------------------------------------------------------------

SAFE_PATHS: dict[str, tuple[str, str | None]] = {
    "root": ("/", ""),
    "index": ("/index.html", "index.html"),
    "nested": ("/tags/x.html", "tags/x.html"),
    "folder-with-slash": ("/docs/", "docs"),
    "percent-encoded-space": ("/a%20b.html", "a b.html"),
    "encoded-unicode": ("/caf%C3%A9.html", "café.html"),
    "query-dropped": ("/index.html?x=1", "index.html"),
    "query-with-dots-dropped": ("/tags/x.html?next=../../etc/passwd", "tags/x.html"),
    "fragment-dropped": ("/stats.html#top", "stats.html"),
    "empty-segments-collapse": ("/a//b.html", "a/b.html"),
    "double-slash-start-stays-inside": ("//etc/passwd", "etc/passwd"),
    "dotdot-in-the-middle": ("/a/../b", None),
    "dotdot-leading": ("/../etc/passwd", None),
    "single-dot": ("/./index.html", None),
    "encoded-dotdot": ("/%2e%2e/etc/passwd", None),
    "encoded-dotdot-and-slash-upper-case": ("/%2E%2E%2Fetc", None),
    "encoded-dotdot-mixed-case": ("/%2e%2E/x", None),
    "encoded-backslashes": ("/..%5c..%5cwin.ini", None),
    "encoded-nul": ("/a%00.html", None),
    "encoded-nul-upper": ("/a%00%2Ehtml", None),
    "raw-backslash": ("/a\\b", None),
    "no-leading-slash": ("index.html", None),
    "empty": ("", None),
    "asterisk": ("*", None),
}


@pytest.mark.parametrize(("raw", "expected"), list(SAFE_PATHS.values()), ids=list(SAFE_PATHS))
def test_safe_relative_path(raw: str, expected: str | None) -> None:
    assert safe_relative_path(raw) == expected


# --- is_loopback ---------------------------------------------------------------------------

LOOPBACK: dict[str, tuple[str, bool]] = {
    "ipv4-loopback": ("127.0.0.1", True),
    "ipv4-loopback-net": ("127.0.0.2", True),
    "ipv6-loopback": ("::1", True),
    "ipv6-loopback-bracketed": ("[::1]", True),
    "localhost": ("localhost", True),
    "localhost-upper": ("LocalHost", True),
    "all-ipv4": ("0.0.0.0", False),
    "all-ipv6": ("::", False),
    "private-lan": ("192.168.1.20", False),
    "public": ("8.8.8.8", False),
    "name": ("example.com", False),
    "localhost-lookalike": ("localhost.evil.example", False),
    "empty": ("", False),
}


@pytest.mark.parametrize(("host", "expected"), list(LOOPBACK.values()), ids=list(LOOPBACK))
def test_is_loopback(host: str, expected: bool) -> None:
    assert is_loopback(host) is expected


# --- a real server --------------------------------------------------------------------------

INDEX = b"<!doctype html>\n<html><head><title>Home</title></head>\n<body>\n<h1>Home page</h1>\n</body>\n</html>\n"
NOT_FOUND = b"<!doctype html>\n<html><body><h1>Custom not-found page</h1></body></html>\n"
TAG = b"<!doctype html>\n<html><body><p>tag x</p></body></html>\n"
DOCS = b"<!doctype html>\n<html><body><p>docs index</p></body></html>\n"
CSS = b"body { color: #123456; } /* </body> */\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00</body>\xff\xfe binary"
JSON = b'{"html": "</body>"}\n'
SECRET = b"TOP-SECRET-OUTSIDE-THE-SITE\n"


ATTACHED_PAGE = b"<html><body><script>document.title = 'ran'</script></body></html>"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    files = {
        "index.html": INDEX,
        "404.html": NOT_FOUND,
        "tags/x.html": TAG,
        "docs/index.html": DOCS,
        "static/style.css": CSS,
        "files/graph.png": PNG,
        "files/export.html": ATTACHED_PAGE,
        "incidents.json": JSON,
        "listing/secret-name-7c1.txt": b"not to be listed\n",
    }
    for rel, data in files.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_bytes(data)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_bytes(SECRET)
    (outside / "index.html").write_bytes(b"<html><body>" + SECRET + b"</body></html>")
    (site / "link.txt").symlink_to(outside / "secret.txt")
    (site / "linkdir").symlink_to(outside, target_is_directory=True)
    return site


@pytest.fixture
def server(folder: Path) -> Iterator[DevServer]:
    dev = DevServer("127.0.0.1", 0, SiteState(folder))
    thread = threading.Thread(target=dev.serve_forever, kwargs={"poll_interval": 0.05}, name="test-dev-server",
                              daemon=True)
    thread.start()
    try:
        yield dev
    finally:
        dev.shutdown()
        dev.server_close()
        thread.join(TIMEOUT)
        assert not thread.is_alive()


def port_of(server: DevServer) -> int:
    return int(server.server_address[1])


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes


def request(server: DevServer, path: str, *, method: str = "GET", host: str | None = "default") -> Reply:
    """Send `path` exactly as given, with our own Host header (None: no Host header at all)."""
    conn = HTTPConnection("127.0.0.1", port_of(server), timeout=TIMEOUT)
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        if host is not None:
            conn.putheader("Host", f"127.0.0.1:{port_of(server)}" if host == "default" else host)
        conn.endheaders()
        response = conn.getresponse()
        try:
            body = response.read()
            return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, body)
        finally:
            response.close()
    finally:
        conn.close()


def raw_exchange(server: DevServer, data: bytes) -> bytes:
    """Send raw bytes, read until the server closes the connection."""
    with socket.create_connection(("127.0.0.1", port_of(server)), timeout=TIMEOUT) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def served_html(server: DevServer, on_disk: bytes) -> bytes:
    """What the server must send for an HTML file: the file with the reload script just before </body>."""
    script = reload_script(server.state.generation).encode("utf-8")
    at = on_disk.rfind(b"</body>")
    return on_disk[:at] + script + on_disk[at:]


HOSTS: dict[str, tuple[str, int]] = {
    "localhost-with-port": ("localhost:{port}", 200),
    "localhost-without-port": ("localhost", 200),
    "ipv4-with-port": ("127.0.0.1:{port}", 200),
    "ipv6-with-port": ("[::1]:{port}", 200),
    "ipv6-without-port": ("[::1]", 200),
    "upper-case-localhost": ("LOCALHOST:{port}", 200),
    "foreign-name": ("evil.example", 403),
    "foreign-name-with-port": ("evil.example:{port}", 403),
    "dns-rebinding-lookalike": ("127.0.0.1.nip.io", 403),
    "dns-rebinding-lookalike-with-port": ("127.0.0.1.nip.io:{port}", 403),
    "localhost-subdomain": ("localhost.evil.example:{port}", 403),
    "lan-address": ("192.168.1.20:{port}", 403),
    "empty-host": ("", 403),
}


@pytest.mark.parametrize(("host", "status"), list(HOSTS.values()), ids=list(HOSTS))
def test_host_header_decides_who_is_answered(server: DevServer, host: str, status: int) -> None:
    reply = request(server, "/index.html", host=host.format(port=port_of(server)))
    assert reply.status == status
    if status == 403:
        assert b"Home page" not in reply.body


def test_foreign_host_cannot_read_the_event_stream(server: DevServer) -> None:
    reply = request(server, EVENTS_PATH, host=f"evil.example:{port_of(server)}")
    assert reply.status == 403
    assert b"event:" not in reply.body


def test_http_1_0_request_without_host_is_answered(server: DevServer) -> None:
    response = raw_exchange(server, b"GET /index.html HTTP/1.0\r\n\r\n")
    head, _, body = response.partition(b"\r\n\r\n")
    assert head.split(b"\r\n")[0].split(b" ")[1] == b"200"
    assert b"Home page" in body


def test_raw_parent_path_is_refused(server: DevServer) -> None:
    reply = request(server, "/../../etc/passwd")
    assert reply.status == 400
    assert b"root:" not in reply.body


@pytest.mark.parametrize(
    "path", ["/%2e%2e/%2e%2e/etc/passwd", "/%2E%2E%2Fetc%2Fpasswd", "/..%5c..%5cwin.ini", "/a%00.html", "/a\\b",
             "/tags/../../secret"],
)
def test_encoded_escapes_are_refused(server: DevServer, path: str) -> None:
    assert request(server, path).status == 400


@pytest.mark.parametrize("path", ["/link.txt", "/linkdir/secret.txt", "/linkdir/", "/linkdir/index.html"])
def test_symlinks_leading_out_of_the_site_are_not_followed(server: DevServer, path: str) -> None:
    reply = request(server, path)
    assert reply.status == 404
    assert SECRET.strip() not in reply.body


@pytest.mark.parametrize("path", ["/listing", "/listing/"])
def test_folder_without_index_is_not_found_and_not_listed(server: DevServer, path: str) -> None:
    reply = request(server, path)
    assert reply.status == 404
    assert b"secret-name-7c1" not in reply.body
    assert reply.body == served_html(server, NOT_FOUND)


@pytest.mark.parametrize(("path", "page"), [("/", INDEX), ("/docs", DOCS), ("/docs/", DOCS)], ids=["root", "docs", "docs-slash"])
def test_folder_with_index_serves_it(server: DevServer, path: str, page: bytes) -> None:
    reply = request(server, path)
    assert reply.status == 200
    assert reply.body == served_html(server, page)


@pytest.mark.parametrize("path", ["/nothing-here.html", "/tags/y.html", "/incidents/", "/x.png"])
def test_unknown_path_gets_the_sites_404_page(server: DevServer, path: str) -> None:
    reply = request(server, path)
    assert reply.status == 404
    assert reply.headers["content-type"].startswith("text/html")
    assert reply.body == served_html(server, NOT_FOUND)
    assert b"Custom not-found page" in reply.body


def test_unknown_path_without_a_404_page_is_plain_not_found(server: DevServer, folder: Path) -> None:
    (folder / "404.html").unlink()
    reply = request(server, "/nothing-here.html")
    assert reply.status == 404
    assert b"<script" not in reply.body


@pytest.mark.parametrize(("path", "rel"), [("/index.html", "index.html"), ("/tags/x.html", "tags/x.html")])
def test_html_gets_the_reload_script_just_before_body_end(server: DevServer, folder: Path, path: str, rel: str) -> None:
    on_disk = (folder / rel).read_bytes()
    reply = request(server, path)
    assert reply.status == 200
    script = reload_script(server.state.generation).encode("utf-8")
    assert reply.body.count(script) == 1
    assert reply.body.index(script) + len(script) == reply.body.rindex(b"</body>")
    assert reply.body.replace(script, b"", 1) == on_disk
    assert b"EventSource" in reply.body
    assert (folder / rel).read_bytes() == on_disk  # the file itself is never changed
    assert b"EventSource" not in on_disk
    assert int(reply.headers["content-length"]) == len(reply.body)
    assert reply.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    ("path", "data", "kind"),
    [("/static/style.css", CSS, "text/css"), ("/files/graph.png", PNG, "image/png"),
     ("/incidents.json", JSON, "application/json")],
    ids=["css", "png", "json"],
)
def test_other_files_are_sent_byte_for_byte(server: DevServer, path: str, data: bytes, kind: str) -> None:
    reply = request(server, path)
    assert reply.status == 200
    assert reply.body == data
    assert reply.headers["content-type"].split(";")[0] == kind
    assert int(reply.headers["content-length"]) == len(data)


def test_attachments_are_sandboxed_and_sent_as_they_are(server: DevServer) -> None:
    reply = request(server, "/files/export.html")
    assert reply.status == 200
    assert reply.headers["content-security-policy"] == "sandbox"  # its script cannot run as the site
    assert reply.body == ATTACHED_PAGE  # no reload script either: it is not a page of the site


def test_pages_of_the_site_are_not_sandboxed(server: DevServer) -> None:
    assert "content-security-policy" not in request(server, "/index.html").headers


@pytest.mark.parametrize("path", ["/index.html", "/static/style.css", "/nothing-here.html"])
def test_head_has_headers_but_no_body(server: DevServer, path: str) -> None:
    got = request(server, path)
    response = raw_exchange(server, f"HEAD {path} HTTP/1.0\r\nHost: localhost:{port_of(server)}\r\n\r\n".encode())
    head, separator, rest = response.partition(b"\r\n\r\n")
    assert separator and rest == b""
    lines = head.decode("latin-1").split("\r\n")
    assert lines[0].split(" ")[1] == str(got.status)
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    assert int(headers["content-length"]) == len(got.body)


# --- events ---------------------------------------------------------------------------------------


@dataclass
class EventStream:
    """A raw connection to the events endpoint, read one server-sent event at a time."""

    sock: socket.socket
    buffer: bytes = b""
    headers: bytes = b""
    comments: list[bytes] = field(default_factory=list)

    def _fill(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise AssertionError(f"the event stream closed; unread: {self.buffer!r}")
        self.buffer += chunk

    def read_headers(self) -> bytes:
        while b"\r\n\r\n" not in self.buffer:
            self._fill()
        self.headers, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        return self.headers

    def next_event(self) -> tuple[str, dict[str, Any]]:
        while True:
            while b"\n\n" not in self.buffer:
                self._fill()
            block, _, self.buffer = self.buffer.partition(b"\n\n")
            fields = dict(line.split(": ", 1) for line in block.decode("utf-8").split("\n") if not line.startswith(":"))
            if "event" in fields:
                return fields["event"], json.loads(fields["data"])
            self.comments.append(block)  # `retry:` or a keep-alive comment


@pytest.fixture
def events(server: DevServer) -> Iterator[EventStream]:
    sock = socket.create_connection(("127.0.0.1", port_of(server)), timeout=TIMEOUT)
    try:
        sock.sendall(f"GET {EVENTS_PATH} HTTP/1.1\r\nHost: localhost:{port_of(server)}\r\n\r\n".encode())
        yield EventStream(sock)
    finally:
        sock.close()


def test_events_announce_the_current_build_first(server: DevServer, events: EventStream) -> None:
    headers = events.read_headers().decode("latin-1")
    assert headers.split("\r\n")[0].split(" ")[1] == "200"
    assert "content-type: text/event-stream" in headers.lower()
    name, data = events.next_event()
    assert name == "build"
    assert data == {"generation": server.state.generation, "problems": [], "summary": Shown.CURRENT.headline}


def test_events_announce_every_rebuild_with_its_problems(server: DevServer, events: EventStream) -> None:
    events.read_headers()
    _, first = events.next_event()
    problem = {"path": "content/a.md", "code": "bad-front-matter", "level": "error", "line": 3, "message": "x <b>"}
    server.state.begin_build()
    server.state.end_build([problem])
    name, second = events.next_event()
    assert name == "build"
    assert second == {"generation": first["generation"] + 1, "problems": [problem], "summary": Shown.CURRENT.headline}
    server.state.begin_build()
    server.state.end_build([])
    _, third = events.next_event()
    assert third == {"generation": first["generation"] + 2, "problems": [], "summary": Shown.CURRENT.headline}


@pytest.mark.parametrize("shown", list(Shown))
def test_events_say_what_the_site_on_screen_is(server: DevServer, events: EventStream, shown: Shown) -> None:
    events.read_headers()
    events.next_event()
    server.state.begin_build()
    server.state.end_build([{"path": "", "code": "internal-error", "level": "error", "line": None, "message": "x"}], shown)
    _, data = events.next_event()
    assert data["summary"] == shown.headline


def test_the_headlines_promise_a_last_good_site_only_when_there_is_one() -> None:
    assert "last good version" in Shown.LAST_GOOD.headline
    assert "as saved" in Shown.EDITED_AHEAD.headline and "every other page shows its last good version" in \
        Shown.EDITED_AHEAD.headline
    assert "last good" not in Shown.CURRENT.headline and "last good" not in Shown.NOTHING.headline
    assert "nothing to show" in Shown.NOTHING.headline


def test_with_no_site_built_yet_a_missing_page_still_carries_the_overlay(server: DevServer, folder: Path) -> None:
    """When even the first build failed, the browser gets a page with the reload script, so the overlay says why
    and the page reloads by itself once a build succeeds."""
    (folder / "404.html").unlink()
    (folder / "index.html").unlink()
    server.state.begin_build()
    server.state.end_build([{"path": "", "code": "template", "level": "error", "line": None, "message": "x"}],
                           Shown.NOTHING)
    reply = request(server, "/index.html")
    assert reply.status == 503
    assert reply.headers["content-type"] == "text/html; charset=utf-8"
    assert reload_script(server.state.generation).encode() in reply.body
    assert b"has not built this site yet" in reply.body


def test_reload_script_carries_the_generation_it_was_served_with(server: DevServer) -> None:
    server.state.begin_build()
    server.state.end_build([])
    reply = request(server, "/index.html")
    assert reload_script(server.state.generation).encode() in reply.body
    assert f"var shown = {server.state.generation};".encode() in reply.body


# --- a request during a rebuild waits for it ---------------------------------------------------


def test_request_during_a_build_waits_until_it_ends(server: DevServer, folder: Path) -> None:
    state = server.state
    state.begin_build()
    done = threading.Event()
    replies: list[Reply] = []
    failures: list[BaseException] = []

    def fetch() -> None:
        try:
            replies.append(request(server, "/index.html"))
        except BaseException as exc:  # noqa: BLE001 — reported by the test below
            failures.append(exc)
        finally:
            done.set()

    client = threading.Thread(target=fetch, name="test-waiting-client", daemon=True)
    try:
        client.start()
        assert not done.wait(0.5), "answered while a build was still running"
        (folder / "index.html").write_bytes(INDEX.replace(b"Home page", b"Rebuilt home page"))
    finally:
        state.end_build([])
    assert done.wait(TIMEOUT), "still waiting after the build ended"
    client.join(TIMEOUT)
    assert failures == []
    assert replies[0].status == 200
    assert b"Rebuilt home page" in replies[0].body  # the page of the finished build, not the one before it
    assert reload_script(state.generation).encode() in replies[0].body
