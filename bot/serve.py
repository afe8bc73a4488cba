"""`askblog serve`: the model, the feed watcher, /healthz and every configured chat adapter."""

from __future__ import annotations

import logging
import signal
import threading

from bot.core import Core
from bot.http import ServiceServer
from bot.settings import Settings
from feeds import store as post_store
from feeds.watch import FeedWatcher
from model.engine import load_engine

log = logging.getLogger(__name__)


class Service:
    """Everything `askblog serve` runs, started in order and stopped in reverse."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.server = ServiceServer(settings.http_host, settings.http_port)
        self.core: Core | None = None
        self.watcher: FeedWatcher | None = None
        self.socket_mode = None
        self.discord = None
        self.ready = False

    def health(self) -> tuple[bool, dict]:
        if not self.ready or self.core is None:
            return False, {"status": "starting"}
        try:
            posts = post_store.count_posts(self.core.db)
        except Exception as error:  # the database went away
            return False, {"status": "database unavailable", "error": str(error)}
        return True, {"status": "ok", "model": self.core.engine.name, "posts": posts}

    def start(self) -> None:
        """Start serving; a model that cannot be loaded raises before any adapter starts."""
        settings = self.settings
        self.server.health = self.health
        self.server.start()
        engine = load_engine(
            settings.model,
            backend=settings.engine,
            threads=settings.threads or None,
            max_input_tokens=settings.max_input_tokens,
            max_new_tokens=settings.max_new_tokens,
        )
        self.core = Core(db_path=settings.db, engine=engine, workers=settings.workers)
        self.watcher = FeedWatcher(
            db_path=settings.db, feeds=settings.feeds, interval_minutes=settings.poll_minutes
        )
        self.watcher.start()
        adapters = []
        if settings.slack_enabled:
            from bot.slack_app import build_slack_app

            app = build_slack_app(settings, self.core)
            if settings.slack_app_token:
                from slack_bolt.adapter.socket_mode import SocketModeHandler

                self.socket_mode = SocketModeHandler(app, settings.slack_app_token)
                self.socket_mode.connect()
                adapters.append("Slack (Socket Mode)")
            if settings.slack_signing_secret:
                self.server.slack_app = app
                adapters.append("Slack (HTTP events)")
        if settings.discord_token:
            from bot.discord_app import DiscordRunner, build_discord_bot

            self.discord = DiscordRunner(
                build_discord_bot(settings, self.core), settings.discord_token
            )
            self.discord.start()
            adapters.append("Discord")
        self.ready = True
        log.info(
            "serving with %s; adapters: %s",
            engine.name,
            ", ".join(adapters) or "none (set Slack or Discord credentials)",
        )

    def stop(self) -> None:
        """Stop taking questions, deliver the answers in flight, then close everything."""
        self.ready = False
        self.server.slack_app = None
        if self.socket_mode is not None:
            self.socket_mode.disconnect()
        if self.core is not None:
            self.core.close(wait=True, timeout=120)
        if self.discord is not None:
            self.discord.stop()
        if self.watcher is not None:
            self.watcher.stop()
        self.server.stop()
        log.info("stopped")


def run(settings: Settings) -> None:
    """Run the service until SIGTERM or SIGINT."""
    service = Service(settings)
    stop = threading.Event()

    def request_stop(signum, frame) -> None:
        log.info("received %s; shutting down", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    try:
        service.start()
    except BaseException:
        service.stop()
        raise
    stop.wait()
    service.stop()
