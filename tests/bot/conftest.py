"""Fixtures for the bot tests: a core over the demo posts, a fake Slack, the HTTP service."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from bot.core import Core
from bot.fakeslack import FakeSlack, event_callback, sign
from bot.http import ServiceServer
from bot.settings import Settings
from bot.store import open_database
from feeds.fetch import Fetcher
from feeds.ingest import poll_feed
from feeds.store import add_feed

DEMO = Path(__file__).parents[2] / "examples" / "demo-feed.atom"
SECRET = "test-signing-secret"


class ScriptedEngine:
    """The real tiny engine, with generation that can be slowed, broken or replaced."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.tokenizer = engine.tokenizer
        self.name = engine.name
        self.delay = 0.0
        self.error: Exception | None = None
        self.text: str | None = None
        self.prompts: list[tuple] = []
        self._lock = threading.Lock()

    def prepare(self, context, history, question):
        with self._lock:
            self.prompts.append((context, list(history), question))
        return self.engine.prepare(context, history, question)

    def generate(self, input_ids, **kwargs):
        if self.delay:
            time.sleep(self.delay)
        if self.error is not None:
            raise self.error
        result = self.engine.generate(input_ids, max_new_tokens=8)
        return replace(result, text=self.text) if self.text is not None else result


@pytest.fixture
def db_path(tmp_path) -> Path:
    path = tmp_path / "bot.db"
    db = open_database(path)
    add_feed(db, str(DEMO))
    with Fetcher() as fetcher:
        poll_feed(db, str(DEMO), fetcher=fetcher)
    db.close()
    return path


@pytest.fixture
def engine(onnx_engine) -> ScriptedEngine:
    return ScriptedEngine(onnx_engine)


@pytest.fixture
def core(db_path, engine):
    c = Core(db_path=db_path, engine=engine, workers=1)
    yield c
    c.close(wait=False)


@pytest.fixture
def slack_server():
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def slack_settings(slack_server, db_path) -> Settings:
    return Settings(
        db=db_path,
        slack_bot_token="xoxb-test-token",
        slack_signing_secret=SECRET,
        slack_api_url=slack_server.api_url,
    )


class SlackService:
    """The real Bolt app behind the service's HTTP server, and a way to post signed events."""

    def __init__(self, server: ServiceServer, fake: FakeSlack) -> None:
        self.server = server
        self.fake = fake
        self.url = f"http://127.0.0.1:{server.port}/slack/events"

    def post(
        self,
        payload: dict,
        *,
        retry: int | None = None,
        secret: str = SECRET,
        timestamp: int | None = None,
    ) -> httpx.Response:
        body = json.dumps(payload)
        headers = sign(secret, body, timestamp)
        if retry is not None:
            headers["X-Slack-Retry-Num"] = str(retry)
            headers["X-Slack-Retry-Reason"] = "http_timeout"
        return httpx.post(self.url, content=body, headers=headers, timeout=10)

    def interact(self, payload: dict) -> httpx.Response:
        """Post an interactivity payload (button click, modal submission) as Slack does."""
        from urllib.parse import urlencode

        body = urlencode({"payload": json.dumps(payload)})
        headers = sign(SECRET, body)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        return httpx.post(self.url, content=body, headers=headers, timeout=10)

    def send(self, event: dict, **kwargs) -> tuple[dict, httpx.Response]:
        payload = event_callback(event)
        return payload, self.post(payload, **kwargs)


@pytest.fixture
def slack(slack_settings, core, slack_server):
    from bot.slack_app import build_slack_app

    server = ServiceServer("127.0.0.1", 0)
    server.slack_app = build_slack_app(slack_settings, core)
    server.start()
    yield SlackService(server, slack_server)
    server.stop()
