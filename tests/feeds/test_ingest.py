"""Polling feeds over loopback HTTP: conditional GET, full text, updates, and every bad feed."""

from __future__ import annotations

import logging

import pytest

from feeds import store
from feeds.fetch import Fetcher
from feeds.ingest import poll_feed
from feeds.localserver import Route
from tests.feeds.conftest import (
    ARTICLE_PAGE,
    atom_summary_only,
    long_text,
    rss,
    rss_item,
)


def _serve(server, path: str, document: str, **route) -> str:
    server.routes[path] = Route(document.encode(route.pop("encoding", "utf-8")), **route)
    return server.url(path)


def _two_posts() -> str:
    return rss(
        rss_item(
            "Attention", "http://blog.test/attention", guid="g-1", content=long_text("attention")
        ),
        rss_item(
            "Tokenizers", "http://blog.test/tokenizers", guid="g-2", content=long_text("tokens")
        ),
    )


def test_first_poll_stores_full_content(db, feed_server, fetcher):
    url = _serve(feed_server, "/feed.xml", _two_posts())
    store.add_feed(db, url)
    result = poll_feed(db, url, fetcher=fetcher)
    assert (result.status, result.new) == ("ok", 2)
    post = store.get_post(db, "g-1")
    assert post.title == "Attention"
    assert post.link == "http://blog.test/attention"
    assert post.source == "content"
    assert post.published == "2025-01-06T10:00:00+00:00"
    assert "This paragraph is about attention" in post.text
    assert "\n\n" in post.text and "<p>" not in post.text


def test_unchanged_feed_is_not_modified_and_writes_nothing(db, feed_server, fetcher):
    url = _serve(feed_server, "/feed.xml", _two_posts())
    store.add_feed(db, url)
    poll_feed(db, url, fetcher=fetcher)
    changes = db.conn.total_changes

    result = poll_feed(db, url, fetcher=fetcher)

    assert result.status == "not-modified"
    second = feed_server.requests_to("/feed.xml")[-1]
    assert second.headers["If-None-Match"] == feed_server.routes["/feed.xml"].etag
    assert second.headers["If-Modified-Since"] == feed_server.last_modified
    assert db.conn.total_changes == changes


def test_same_body_without_validators_is_recognised_without_writes(db, feed_server, fetcher):
    url = _serve(feed_server, "/feed.xml", _two_posts(), conditional=False)
    store.add_feed(db, url)
    poll_feed(db, url, fetcher=fetcher)
    changes = db.conn.total_changes
    assert poll_feed(db, url, fetcher=fetcher).status == "unchanged"
    assert db.conn.total_changes == changes


def test_summary_only_feed_gets_the_article_from_the_page(db, feed_server, fetcher):
    page = ARTICLE_PAGE.format(
        title="Why long inputs matter",
        body1=long_text("long inputs", 1),
        body2="The encoder reads every token of the post before the decoder writes a word.",
        body3="Transient global attention keeps the cost of long inputs close to linear.",
    )
    feed_server.routes["/posts/long-inputs"] = Route(page.encode(), "text/html; charset=utf-8")
    link = feed_server.url("/posts/long-inputs")
    url = _serve(
        feed_server, "/atom.xml", atom_summary_only([("urn:p1", "Why long inputs matter", link)])
    )
    store.add_feed(db, url)

    result = poll_feed(db, url, fetcher=fetcher)

    assert result.new == 1
    post = store.get_post(db, "urn:p1")
    assert post.source == "page"
    assert "The encoder reads every token of the post" in post.text
    assert "Transient global attention keeps the cost" in post.text
    for noise in ("SCRIPT-TEXT", "NAVIGATION-LINK", "color: red", "FOOTER-TEXT"):
        assert noise not in post.text
    assert "Read the whole post" not in post.text


def test_page_failure_keeps_the_summary_and_is_retried_at_the_next_poll(db, feed_server, fetcher):
    feed_server.routes["/posts/p"] = Route(b"down", "text/plain", status=503)
    link = feed_server.url("/posts/p")
    url = _serve(feed_server, "/atom.xml", atom_summary_only([("urn:p", "Post", link)]))
    store.add_feed(db, url)

    first = poll_feed(db, url, fetcher=fetcher)
    assert first.partial == 1
    assert store.get_post(db, "urn:p").source == "summary"
    assert store.get_feed(db, url).etag is None  # no validators: the next poll re-reads the feed

    page = ARTICLE_PAGE.format(title="Post", body1=long_text("recovery", 2), body2="x", body3="y")
    feed_server.routes["/posts/p"] = Route(page.encode(), "text/html")
    second = poll_feed(db, url, fetcher=fetcher)
    assert (second.status, second.updated) == ("ok", 1)
    post = store.get_post(db, "urn:p")
    assert post.source == "page" and "about recovery" in post.text
    assert store.get_feed(db, url).etag is not None


def test_updated_entry_updates_its_row_in_place(db, feed_server, fetcher):
    url = _serve(feed_server, "/feed.xml", _two_posts())
    store.add_feed(db, url)
    poll_feed(db, url, fetcher=fetcher)
    before = store.get_post(db, "g-1")

    _serve(
        feed_server,
        "/feed.xml",
        rss(
            rss_item(
                "Attention, revised",
                "http://blog.test/attention",
                guid="g-1",
                content=long_text("sparse attention"),
            ),
            rss_item(
                "Tokenizers", "http://blog.test/tokenizers", guid="g-2", content=long_text("tokens")
            ),
        ),
    )
    result = poll_feed(db, url, fetcher=fetcher)

    assert (result.new, result.updated, result.unchanged) == (0, 1, 1)
    after = store.get_post(db, "g-1")
    assert after.id == before.id
    assert after.title == "Attention, revised"
    assert "sparse attention" in after.text
    assert store.count_posts(db) == 2
    assert [p.id for p in store.search_posts(db, "sparse")] == [before.id]


def test_repeated_guid_is_stored_once_and_guidless_entries_are_keyed_by_link(
    db, feed_server, fetcher
):
    url = _serve(
        feed_server,
        "/feed.xml",
        rss(
            rss_item("First copy", "http://blog.test/a", guid="same", content=long_text("a")),
            rss_item("Second copy", "http://blog.test/a2", guid="same", content=long_text("b")),
            rss_item("No guid", "http://blog.test/no-guid#comments", content=long_text("c")),
        ),
    )
    store.add_feed(db, url)
    result = poll_feed(db, url, fetcher=fetcher)
    assert result.new == 2
    assert store.count_posts(db) == 2
    assert store.get_post(db, "same").title == "First copy"
    keyed = store.get_post(db, "http://blog.test/no-guid")
    assert keyed.key == "http://blog.test/no-guid" and keyed.title == "No guid"
    # A second poll of a changed document still does not duplicate anything.
    feed_server.routes["/feed.xml"].body += b"\n"
    poll_feed(db, url, fetcher=fetcher)
    assert store.count_posts(db) == 2


def _stored_posts(db) -> list[tuple]:
    return [(p.key, p.text) for p in store.list_posts(db)]


@pytest.fixture
def seeded(db, feed_server, fetcher):
    """A feed already polled once, so failures can be shown to lose nothing."""
    url = _serve(feed_server, "/feed.xml", _two_posts())
    store.add_feed(db, url)
    poll_feed(db, url, fetcher=fetcher)
    return url


def _one_warning(caplog, *fragments: str) -> None:
    lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(lines) == 1, lines
    assert "\n" not in lines[0]
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def test_malformed_xml_keeps_what_parsed(db, feed_server, fetcher, seeded, caplog):
    before = _stored_posts(db)
    broken = rss(
        rss_item(
            "Attention", "http://blog.test/attention", guid="g-1", content=long_text("attention")
        ),
        rss_item(
            "Tokenizers", "http://blog.test/tokenizers", guid="g-2", content=long_text("tokens")
        ),
        rss_item("Third", "http://blog.test/third", guid="g-3", content=long_text("third")),
    ).replace("</channel></rss>", "<item><title>Broken & unclosed</title>")
    feed_server.routes["/feed.xml"] = Route(broken.encode(), "application/rss+xml")
    with caplog.at_level(logging.WARNING):
        result = poll_feed(db, seeded, fetcher=fetcher)
    _one_warning(caplog, "malformed feed", "kept the")
    assert result.status == "ok" and result.new == 1
    assert set(before) <= set(_stored_posts(db))


def test_legacy_encoding_is_decoded(db, feed_server, fetcher):
    document = rss(
        rss_item(
            "Café con leche",
            "http://blog.test/cafe",
            guid="latin",
            content=long_text("the crème brûlée of Zürich"),
        ),
        encoding="iso-8859-1",
    )
    url = _serve(
        feed_server,
        "/latin.xml",
        document,
        encoding="iso-8859-1",
        content_type="application/rss+xml; charset=iso-8859-1",
    )
    store.add_feed(db, url)
    poll_feed(db, url, fetcher=fetcher)
    post = store.get_post(db, "latin")
    assert post.title == "Café con leche"
    assert "crème brûlée of Zürich" in post.text


@pytest.mark.parametrize(
    "route, fragment",
    [
        (
            Route(b"<html><body><h1>Welcome</h1><p>Our blog</p></body></html>", "text/html"),
            "not an RSS or Atom feed (text/html",
        ),
        (Route(b"oops", "text/plain", status=500), "HTTP 500"),
        (Route(b"slow", "application/rss+xml", delay=3.0), "timed out"),
    ],
    ids=["html-page", "http-500", "timeout"],
)
def test_bad_feed_is_one_log_line_and_loses_nothing(
    route, fragment, db, feed_server, seeded, caplog
):
    before = _stored_posts(db)
    feed = store.get_feed(db, seeded)
    feed_server.routes["/feed.xml"] = route
    with Fetcher(timeout=0.5) as fetcher, caplog.at_level(logging.WARNING):
        result = poll_feed(db, seeded, fetcher=fetcher)
    assert result.status == "error"
    _one_warning(caplog, fragment, "stored posts kept")
    assert _stored_posts(db) == before
    assert store.get_feed(db, seeded) == feed  # validators untouched: retried next poll


def test_redirects_are_followed(db, feed_server, fetcher):
    _serve(feed_server, "/feed.xml", _two_posts())
    feed_server.routes["/old"] = Route(b"", status=301, headers={"Location": "/feed.xml"})
    url = feed_server.url("/old")
    store.add_feed(db, url)
    assert poll_feed(db, url, fetcher=fetcher).new == 2


def test_redirect_to_another_scheme_is_refused(db, feed_server, fetcher, caplog):
    feed_server.routes["/sneaky"] = Route(
        b"", status=302, headers={"Location": "file:///etc/passwd"}
    )
    url = feed_server.url("/sneaky")
    store.add_feed(db, url)
    with caplog.at_level(logging.WARNING):
        result = poll_feed(db, url, fetcher=fetcher)
    assert result.status == "error"
    assert "unsupported" in result.error


def test_oversized_response_is_refused(feed_server, fetcher):
    from feeds.fetch import FetchError

    _serve(feed_server, "/big.xml", "x" * 5000)
    with pytest.raises(FetchError, match="limit"):
        fetcher.get(feed_server.url("/big.xml"), max_bytes=1000)


def test_local_paths_and_file_urls(db, tmp_path, fetcher):
    path = tmp_path / "feed.xml"
    path.write_text(_two_posts())
    store.add_feed(db, str(path))
    assert poll_feed(db, str(path), fetcher=fetcher).new == 2
    assert poll_feed(db, str(path), fetcher=fetcher).status == "not-modified"
    uri = path.as_uri()
    store.add_feed(db, uri)
    assert poll_feed(db, uri, fetcher=fetcher).unchanged == 2
    assert store.count_posts(db) == 2
