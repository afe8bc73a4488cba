"""A loopback HTTP server for feeds and pages, with ETag/Last-Modified support.

The feed tests and the ingest benchmark serve their documents from it, so
both exercise the real fetcher over real HTTP without leaving the machine.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    """What one path answers."""

    body: bytes = b""
    content_type: str = "application/atom+xml; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering
    conditional: bool = True  # send ETag/Last-Modified and honour them with 304

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body).hexdigest()[:16] + '"'


class ThreadedServer:
    """An http.server in a background thread; the base of the loopback servers and fakes."""

    def __init__(
        self, handler: type[BaseHTTPRequestHandler], host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self._server = ThreadingHTTPServer((host, port), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


@dataclass(frozen=True)
class Request:
    path: str
    headers: dict[str, str]


class LocalServer(ThreadedServer):
    """Serve ROUTES on 127.0.0.1 on a free port, in a background thread."""

    def __init__(self, routes: dict[str, Route] | None = None) -> None:
        self.routes: dict[str, Route] = dict(routes or {})
        self.requests: list[Request] = []
        self.last_modified = formatdate(time.time() - 3600, usegmt=True)
        super().__init__(self._handler())

    def url(self, path: str) -> str:
        return self.base_url + path

    def requests_to(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path == path]

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append(Request(self.path, dict(self.headers.items())))
                route = server.routes.get(self.path)
                if route is None:
                    self._send(404, b"not found", "text/plain", {})
                    return
                if route.delay:
                    time.sleep(route.delay)
                headers = dict(route.headers)
                if route.conditional and route.status == 200:
                    headers.setdefault("ETag", route.etag)
                    headers.setdefault("Last-Modified", server.last_modified)
                    if self.headers.get("If-None-Match") == headers["ETag"] or (
                        "If-None-Match" not in self.headers
                        and self.headers.get("If-Modified-Since") == headers["Last-Modified"]
                    ):
                        self._send(304, b"", None, headers)
                        return
                self._send(route.status, route.body, route.content_type, headers)

            def _send(self, status, body, content_type, headers) -> None:
                try:
                    self.send_response(status)
                    if content_type:
                        self.send_header("Content-Type", content_type)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    if status != 304:
                        self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    if status != 304:
                        self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test); nothing to do

            def log_message(self, format: str, *args: object) -> None:
                pass  # keep test and benchmark output clean

        return Handler
