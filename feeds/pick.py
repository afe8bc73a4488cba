"""Choose the post a question is about, and say which rule chose it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlparse

from sqlite_utils import Database

from feeds import store

Rule = Literal["url-in-question", "explicit", "conversation", "search", "latest"]
_URL = re.compile(r"https?://[^\s<>\"')\]]+", re.IGNORECASE)


class NoPosts(LookupError):
    """There are no posts to answer from; the message says how to add some."""


@dataclass(frozen=True)
class Pick:
    post: store.Post
    rule: Rule


def urls_in(text: str) -> list[str]:
    """Return the http(s) URLs in TEXT, minus trailing punctuation and Slack's <url|label>."""
    found = []
    for match in _URL.finditer(text or ""):
        url = match.group().split("|")[0].rstrip(".,;:!?>")
        found.append(url)
    return found


def pick_post(
    db: Database,
    question: str,
    *,
    explicit: str | int | None = None,
    conversation_post: int | None = None,
) -> Pick:
    """Pick by precedence: a post URL in the question, the caller's explicit post, the
    conversation's post, full-text search of the question (BM25, newer wins ties), the latest post.

    A URL or explicit reference that matches no stored post raises UnknownPost:
    answering from another post would answer the wrong question.
    """
    for url in urls_in(question):
        post = store.find_by_link(db, url)
        if post is not None:
            return Pick(post, "url-in-question")
    if explicit is not None and str(explicit).strip():
        return Pick(store.get_post(db, explicit), "explicit")
    # A link to a page of the blog itself that is not stored is an unknown
    # post; a link elsewhere (a library's docs, say) is just part of the question.
    hosts = store.post_hosts(db)
    unknown = [url for url in urls_in(question) if urlparse(url).netloc.lower() in hosts]
    if unknown:
        raise store.UnknownPost(
            f"The post {unknown[0]} is not stored: add its feed with `askblog feeds add`, "
            "or ask about a stored post."
        )
    if conversation_post is not None:
        try:
            return Pick(store.get_post(db, conversation_post), "conversation")
        except store.UnknownPost:
            pass  # the post was removed since; fall through to search
    hits = store.search_posts(db, question, limit=1)
    if hits:
        return Pick(hits[0], "search")
    latest = store.latest_post(db)
    if latest is None:
        raise NoPosts("No posts are stored yet: add a feed with `askblog feeds add URL`.")
    return Pick(latest, "latest")
