"""A fake Slack Web API on loopback, and signed Events API requests to send to the bot.

The Slack tests and the Slack benchmark point the real slack_sdk WebClient at
it (SLACK_API_URL) and post signed events into the real Bolt app.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs

from feeds.localserver import ThreadedServer

BOT_USER_ID = "UASKBLOG"
BOT_ID = "BASKBLOG"
TEAM_ID = "T0TEAM"


@dataclass(frozen=True)
class Call:
    """One Web API call the bot made."""

    method: str
    args: dict
    at: float  # time.monotonic() when it arrived
    ts: str  # the ts a chat.postMessage created


class FakeSlack(ThreadedServer):
    """Records chat.postMessage, chat.update and reactions.add; answers auth.test."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.rate_limit: dict[str, int] = {}  # method -> 429s still to send
        self._ts = itertools.count(1)
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        super().__init__(self._handler())

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    def of(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        """Wait until METHOD was called COUNT times; return those calls (maybe fewer on timeout)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while sum(c.method == method for c in self.calls) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._changed.wait(left)
            return [c for c in self.calls if c.method == method]

    def _answer(self, method: str, args: dict) -> tuple[int, dict, dict]:
        with self._changed:
            if self.rate_limit.get(method, 0) > 0:
                self.rate_limit[method] -= 1
                return 429, {"Retry-After": "1"}, {"ok": False, "error": "ratelimited"}
            ts = f"{1700000000 + next(self._ts)}.000100"
            self.calls.append(Call(method, args, time.monotonic(), ts))
            self._changed.notify_all()
        if method == "auth.test":
            return (
                200,
                {},
                {
                    "ok": True,
                    "url": "https://askblog-test.slack.com/",
                    "team": "Test",
                    "user": "askblog",
                    "team_id": TEAM_ID,
                    "user_id": BOT_USER_ID,
                    "bot_id": BOT_ID,
                },
            )
        if method == "chat.postMessage":
            message = {"text": args.get("text", ""), "ts": ts, "bot_id": BOT_ID}
            return (
                200,
                {},
                {"ok": True, "channel": args.get("channel"), "ts": ts, "message": message},
            )
        if method == "chat.update":
            return 200, {}, {"ok": True, "channel": args.get("channel"), "ts": args.get("ts")}
        return 200, {}, {"ok": True}

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode()
                if "json" in (self.headers.get("Content-Type") or ""):
                    args = json.loads(raw or "{}")
                else:
                    args = {k: v[0] for k, v in parse_qs(raw).items()}
                method = self.path.rsplit("/", 1)[-1]
                status, headers, body = fake._answer(method, args)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler


def sign(secret: str, body: str, timestamp: int | None = None) -> dict[str, str]:
    """Return the headers Slack sends with an Events API request."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    base = f"v0:{stamp}:{body}".encode()
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": f"v0={digest}",
    }


_event_ids = itertools.count(1)
_message_ts = itertools.count(1)


def next_ts() -> str:
    return f"{1600000000 + next(_message_ts)}.000200"


def event_callback(event: dict, *, event_id: str | None = None) -> dict:
    """Wrap EVENT in the Events API envelope."""
    return {
        "token": "verification-token-unused",
        "team_id": TEAM_ID,
        "api_app_id": "A0ASKBLOG",
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{next(_event_ids):08d}",
        "event_time": int(time.time()),
        "authorizations": [
            {
                "team_id": TEAM_ID,
                "user_id": BOT_USER_ID,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
    }


def mention(
    text: str,
    *,
    user: str = "U0READER",
    channel: str = "C0BLOG",
    ts: str | None = None,
    thread_ts: str | None = None,
) -> dict:
    """An app_mention event: '<@bot> TEXT' posted by USER."""
    event = {
        "type": "app_mention",
        "user": user,
        "text": f"<@{BOT_USER_ID}> {text}",
        "ts": ts or next_ts(),
        "channel": channel,
        "event_ts": ts or next_ts(),
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def message(
    text: str, *, thread_ts: str, user: str = "U0READER", channel: str = "C0BLOG", bot: bool = False
) -> dict:
    """A message event in a thread."""
    ts = next_ts()
    event = {
        "type": "message",
        "user": user,
        "text": text,
        "ts": ts,
        "channel": channel,
        "event_ts": ts,
        "thread_ts": thread_ts,
        "channel_type": "channel",
    }
    if bot:
        event["bot_id"] = "BOTHER"
        event["subtype"] = "bot_message"
    return event


def reaction(
    name: str, *, ts: str, added: bool = True, user: str = "U0READER", channel: str = "C0BLOG"
) -> dict:
    """A reaction_added / reaction_removed event on the message at TS."""
    return {
        "type": "reaction_added" if added else "reaction_removed",
        "user": user,
        "reaction": name,
        "item": {"type": "message", "channel": channel, "ts": ts},
        "item_user": BOT_USER_ID,
        "event_ts": next_ts(),
    }
