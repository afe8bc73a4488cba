from __future__ import annotations

import time

from feeds import store
from feeds.db import open_db
from feeds.localserver import Route
from feeds.watch import FeedWatcher
from tests.feeds.conftest import long_text, rss, rss_item


def test_watcher_adds_configured_feeds_and_survives_a_broken_one(tmp_path, feed_server, caplog):
    feed_server.routes["/good.xml"] = Route(
        rss(
            rss_item("Good", "http://blog.test/good", guid="good", content=long_text("good"))
        ).encode()
    )
    feed_server.routes["/broken.xml"] = Route(b"server error", "text/plain", status=500)
    good, broken = feed_server.url("/good.xml"), feed_server.url("/broken.xml")
    watcher = FeedWatcher(db_path=tmp_path / "w.db", feeds=[broken, good], interval_minutes=0)

    results = watcher.poll_once()

    assert [r.status for r in results] == ["error", "ok"]
    db = open_db(tmp_path / "w.db")
    assert {f.url for f in store.list_feeds(db)} == {good, broken}
    assert store.get_post(db, "good").title == "Good"


def test_watcher_loop_polls_repeatedly_until_stopped(tmp_path, feed_server):
    feed_server.routes["/f.xml"] = Route(
        rss(rss_item("P", "http://blog.test/p", guid="p", content=long_text("p"))).encode()
    )
    watcher = FeedWatcher(db_path=tmp_path / "w.db", feeds=[feed_server.url("/f.xml")])
    watcher.interval = 0.05  # the setting's floor is a minute; the loop is what is tested
    thread = watcher.start()
    deadline = time.monotonic() + 10
    while watcher.polls < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    watcher.stop()
    assert watcher.polls >= 3
    assert not thread.is_alive()
    conditional = [r for r in feed_server.requests_to("/f.xml") if "If-None-Match" in r.headers]
    assert conditional, "re-polls are conditional"


def test_watcher_keeps_going_when_a_poll_raises(tmp_path, monkeypatch):
    watcher = FeedWatcher(db_path=tmp_path / "w.db")
    watcher.interval = 0.01
    calls = []

    def flaky():
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database is locked")
        if len(calls) >= 3:
            watcher._stop.set()
        return []

    monkeypatch.setattr(watcher, "poll_once", flaky)
    watcher.run()
    assert len(calls) == 3
