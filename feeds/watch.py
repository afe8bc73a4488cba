"""The feed watcher: poll every feed now and then every ASKBLOG_POLL_MINUTES, until stopped."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path

from feeds import store
from feeds.db import open_db
from feeds.fetch import Fetcher
from feeds.ingest import PollResult, poll_all

log = logging.getLogger(__name__)


class FeedWatcher:
    """Polls the stored feeds on a timer in a background thread; a failed poll never stops it."""

    def __init__(
        self,
        *,
        db_path: str | Path,
        feeds: Sequence[str] = (),
        interval_minutes: float = 30.0,
        fetcher: Fetcher | None = None,
    ) -> None:
        self.db_path = db_path
        self.feeds = tuple(feeds)
        self.interval = max(1.0, interval_minutes * 60)
        self.fetcher = fetcher or Fetcher()
        self.polls = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def poll_once(self) -> list[PollResult]:
        """Add the configured feeds, then poll every stored feed once."""
        db = open_db(self.db_path)
        try:
            for url in self.feeds:
                if store.add_feed(db, url):
                    log.info("feed %s added from ASKBLOG_FEEDS", url)
            results = poll_all(db, fetcher=self.fetcher)
        finally:
            db.close()
        for result in results:
            log.info("%s", result.summary())
        self.polls += 1
        return results

    def run(self) -> None:
        """Poll until stop() is called."""
        while not self._stop.is_set():
            try:
                self.poll_once()
            except Exception:  # the database may be locked or gone for a moment
                log.exception("feed poll failed; will try again in %.0f s", self.interval)
            self._stop.wait(self.interval)

    def start(self) -> threading.Thread:
        """Run the watcher in a daemon thread."""
        self._thread = threading.Thread(target=self.run, name="feed-watcher", daemon=True)
        self._thread.start()
        return self._thread

    def stop(self, timeout: float | None = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
