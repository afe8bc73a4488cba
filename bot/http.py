"""The service's HTTP endpoint: Slack's Events API at POST /slack/events, and GET /healthz."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler

from slack_bolt import App, BoltRequest

from feeds.localserver import ThreadedServer

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024  # Slack events are a few KB; refuse anything absurd


class ServiceServer(ThreadedServer):
    """A threaded HTTP server; Slack and the health check are attached when ready."""

    def __init__(self, host: str, port: int) -> None:
        self.slack_app: App | None = None
        self.health: Callable[[], tuple[bool, dict]] = lambda: (False, {"status": "starting"})
        super().__init__(self._handler(), host, port)

    def start(self) -> None:
        super().start()
        log.info("listening on port %d: GET /healthz, POST /slack/events", self.port)

    def _handler(self):
        service = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                if self.path.split("?")[0] != "/healthz":
                    self._reply(404, {"error": "not found"})
                    return
                ok, details = service.health()
                self._reply(200 if ok else 503, details)

            def do_POST(self) -> None:
                if self.path.split("?")[0] != "/slack/events":
                    self._reply(404, {"error": "not found"})
                    return
                if service.slack_app is None:
                    self._reply(503, {"error": "Slack is not configured or not ready"})
                    return
                length = int(self.headers.get("Content-Length") or 0)
                if length > MAX_BODY:
                    self._reply(413, {"error": "request too large"})
                    return
                body = self.rfile.read(length).decode("utf-8", "replace")
                query = self.path.split("?", 1)[1] if "?" in self.path else ""
                headers = {k.lower(): [v] for k, v in self.headers.items()}
                response = service.slack_app.dispatch(
                    BoltRequest(body=body, query=query, headers=headers)
                )
                self.send_response(response.status)
                data = (response.body or "").encode()
                for name, values in response.headers.items():
                    if name.lower() != "content-length":
                        for value in values:
                            self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _reply(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:
                log.debug("http: " + format, *args)

        return Handler
