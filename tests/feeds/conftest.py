"""Fixtures for the feed tests: a loopback feed server, a database, a fetcher, feed builders."""

from __future__ import annotations

from html import escape

import pytest

from feeds.db import open_db
from feeds.fetch import Fetcher
from feeds.localserver import LocalServer


@pytest.fixture
def feed_server():
    with LocalServer() as server:
        yield server


@pytest.fixture
def db(tmp_path):
    database = open_db(tmp_path / "askblog.db")
    yield database
    database.close()


@pytest.fixture
def fetcher():
    with Fetcher(timeout=2.0) as f:
        yield f


def long_text(topic: str, paragraphs: int = 4) -> str:
    """Paragraphs long enough to count as a full post (over the teaser threshold)."""
    sentence = f"This paragraph is about {topic} and explains it in some detail for readers."
    return "\n\n".join(" ".join([sentence] * 3) for _ in range(paragraphs))


def rss(*items: str, encoding: str = "utf-8") -> str:
    return (
        f'<?xml version="1.0" encoding="{encoding}"?>'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        "<channel><title>Test blog</title><link>http://blog.test/</link>"
        "<description>posts</description>" + "".join(items) + "</channel></rss>"
    )


def rss_item(
    title: str,
    link: str | None,
    *,
    guid: str | None = None,
    content: str | None = None,
    summary: str = "A short summary.",
    date: str = "Mon, 06 Jan 2025 10:00:00 +0000",
) -> str:
    parts = [f"<title>{escape(title)}</title>", f"<pubDate>{date}</pubDate>"]
    if link:
        parts.append(f"<link>{escape(link)}</link>")
    if guid:
        parts.append(f'<guid isPermaLink="false">{escape(guid)}</guid>')
    parts.append(f"<description>{escape(summary)}</description>")
    if content is not None:
        html = "".join(f"<p>{escape(p)}</p>" for p in content.split("\n\n"))
        parts.append(f"<content:encoded>{escape(html)}</content:encoded>")
    return "<item>" + "".join(parts) + "</item>"


def atom_summary_only(entries: list[tuple[str, str, str]]) -> str:
    """An Atom feed whose entries (id, title, link) carry only a one-line summary."""
    body = "".join(
        f"<entry><id>{escape(i)}</id><title>{escape(t)}</title>"
        f'<link href="{escape(link)}"/><updated>2025-02-01T10:00:00Z</updated>'
        "<summary>Read the whole post on the blog.</summary></entry>"
        for i, t, link in entries
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        "<id>urn:test</id><title>Summaries</title><updated>2025-02-01T10:00:00Z</updated>"
        + body
        + "</feed>"
    )


ARTICLE_PAGE = """<!doctype html>
<html><head><title>{title}</title><style>body {{ color: red }}</style>
<script>var tracking = "SCRIPT-TEXT";</script></head>
<body>
<nav><a href="/">Home</a> <a href="/about">NAVIGATION-LINK</a></nav>
<header><h1>The blog</h1></header>
<main><article>
<h1>{title}</h1>
<p>{body1}</p>
<p>{body2}</p>
<p>{body3}</p>
</article></main>
<footer>FOOTER-TEXT Copyright the blog. All rights reserved.</footer>
</body></html>"""
