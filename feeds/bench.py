"""Ingest benchmark: a generated feed of full-content entries over loopback HTTP."""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from html import escape
from pathlib import Path

from feeds import store
from feeds.db import open_db
from feeds.fetch import Fetcher
from feeds.ingest import poll_feed
from feeds.localserver import LocalServer, Route

_WORDS = """
    model data post answer question reader team feed attention token layer training
    inference latency thread vote export graph encoder decoder block budget context
    history search index store page text summary metric score checkpoint batch
""".split()


def generate_feed(entries: int, *, paragraphs: int = 12, seed: int = 0) -> bytes:
    """Return an RSS 2.0 document with ENTRIES items, each with full content:encoded."""
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    items = []
    for i in range(entries):
        body = "".join(
            "<p>" + " ".join(rng.choice(_WORDS) for _ in range(60)).capitalize() + ".</p>"
            for _ in range(paragraphs)
        )
        date = (start + timedelta(hours=i)).strftime("%a, %d %b %Y %H:%M:%S +0000")
        items.append(
            f"<item><title>Post {i}: {rng.choice(_WORDS)} and {rng.choice(_WORDS)}</title>"
            f"<link>https://blog.example/posts/{i}</link><guid>post-{i}</guid>"
            f"<pubDate>{date}</pubDate><description>Post {i}</description>"
            f"<content:encoded>{escape(body)}</content:encoded></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        "<channel><title>Benchmark blog</title><link>https://blog.example/</link>"
        "<description>generated</description>" + "".join(items) + "</channel></rss>"
    ).encode()


def _timed(fn: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


def measure(entries: int = 1000, *, progress: Callable[[str], None] = print) -> list[dict]:
    """Ingest a fresh feed, then re-poll it unchanged with and without HTTP validators."""
    body = generate_feed(entries)
    rows = []
    with (
        tempfile.TemporaryDirectory() as tmp,
        LocalServer({"/feed.xml": Route(body, "application/rss+xml")}) as server,
        Fetcher() as fetcher,
    ):
        url = server.url("/feed.xml")
        db = open_db(Path(tmp) / "bench.db")
        store.add_feed(db, url)
        progress(f"ingesting {entries} entries ({len(body) / 1e6:.1f} MB) from {url}")
        seconds, result = _timed(lambda: poll_feed(db, url, fetcher=fetcher))
        assert result.new == entries, result
        rows.append(_row("first poll", entries, seconds, result.status))

        seconds, result = _timed(lambda: poll_feed(db, url, fetcher=fetcher))
        rows.append(_row("re-poll, 304 Not Modified", entries, seconds, result.status))

        # A server without validators: the same body again is recognised by its hash.
        server.routes["/feed.xml"].conditional = False
        seconds, result = _timed(lambda: poll_feed(db, url, fetcher=fetcher))
        rows.append(_row("re-poll, same body, no validators", entries, seconds, result.status))

        # One entry edited: every other entry is recognised by its fingerprint.
        server.routes["/feed.xml"].body = body.replace(b"Post 0:", b"Post 0 (edited):", 1)
        seconds, result = _timed(lambda: poll_feed(db, url, fetcher=fetcher))
        assert result.updated == 1 and result.unchanged == entries - 1, result
        rows.append(_row("re-poll, one entry changed", entries, seconds, result.status))
        db.close()
    return rows


def _row(case: str, entries: int, seconds: float, status: str) -> dict:
    return {
        "case": case,
        "entries": entries,
        "seconds": round(seconds, 4),
        "entries_per_s": round(entries / seconds, 1) if seconds else None,
        "status": status,
    }


def table(rows: list[dict]) -> str:
    lines = ["| case | entries | seconds | entries/s | result |", "|---|---:|---:|---:|---|"]
    for r in rows:
        lines.append(
            f"| {r['case']} | {r['entries']} | {r['seconds']:.3f} | {r['entries_per_s']:.0f} | "
            f"{r['status']} |"
        )
    return "\n".join(lines)
