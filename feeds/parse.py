"""Parse RSS and Atom with feedparser into entries the store understands."""

from __future__ import annotations

import calendar
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urldefrag, urljoin

import feedparser

from feeds.extract import html_to_text

# A feed's content shorter than this is treated as a teaser: the page is
# fetched for the whole article.
MIN_FULL_CONTENT_CHARS = 400


@dataclass(frozen=True)
class Entry:
    """One feed entry, before its full text is known."""

    key: str
    link: str
    title: str
    author: str
    published: str | None
    updated: str | None
    tags: tuple[str, ...]
    content_html: str
    summary_html: str

    @property
    def fingerprint(self) -> str:
        """A hash of everything the feed says about the entry; equal means nothing to do."""
        payload = json.dumps(
            [
                self.key,
                self.link,
                self.title,
                self.author,
                self.published,
                self.updated,
                self.tags,
                self.content_html,
                self.summary_html,
            ]
        )
        return hashlib.sha256(payload.encode()).hexdigest()

    @property
    def full_text(self) -> str | None:
        """The entry's own text when the feed carries the whole post, else None."""
        text = html_to_text(self.content_html)
        return text if len(text) >= MIN_FULL_CONTENT_CHARS else None

    @property
    def summary_text(self) -> str:
        return html_to_text(self.content_html) or html_to_text(self.summary_html)


@dataclass(frozen=True)
class ParsedFeed:
    """What feedparser made of a document."""

    title: str
    entries: list[Entry]
    version: str
    problem: str | None  # why feedparser flagged the document (bozo), if it did
    skipped: int  # entries with neither an id nor a link

    @property
    def is_feed(self) -> bool:
        return bool(self.version) or bool(self.entries)


def _date(entry, name: str) -> str | None:
    parsed = entry.get(f"{name}_parsed")
    if not parsed:
        return None
    return datetime.fromtimestamp(calendar.timegm(parsed), UTC).isoformat()


def _content(entry) -> str:
    # content:encoded and Atom <content> both land here; prefer HTML, then the longest.
    values = entry.get("content") or []
    if not values:
        return ""
    best = max(values, key=lambda c: ("html" in (c.get("type") or ""), len(c.get("value") or "")))
    return best.get("value") or ""


def canonical_link(link: str, base: str) -> str:
    """Resolve a link against the feed URL and drop its fragment."""
    return urldefrag(urljoin(base, link.strip()))[0] if link else ""


def parse_feed(body: bytes, *, url: str, content_type: str | None = None) -> ParsedFeed:
    """Parse a feed document; keep what parses even when feedparser flags it as malformed."""
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    parsed = feedparser.parse(body, response_headers=headers, sanitize_html=True)
    problem = None
    error = parsed.get("bozo_exception")
    if parsed.get("bozo") and not isinstance(error, feedparser.NonXMLContentType):
        problem = f"{type(error).__name__}: {error}".splitlines()[0] if error else "malformed"
    entries, skipped, seen = [], 0, set()
    for item in parsed.entries:
        link = canonical_link(item.get("link") or "", url)
        key = (item.get("id") or "").strip() or link
        if not key:
            skipped += 1
            continue
        if key in seen:  # a repeated guid within one document: keep the first
            continue
        seen.add(key)
        entries.append(
            Entry(
                key=key,
                link=link or (key if key.startswith(("http://", "https://")) else ""),
                title=html_to_text(item.get("title") or "").replace("\n", " "),
                author=item.get("author") or "",
                published=_date(item, "published") or _date(item, "created"),
                updated=_date(item, "updated"),
                tags=tuple(t.get("term") for t in item.get("tags") or [] if t.get("term")),
                content_html=_content(item),
                summary_html=item.get("summary") or "",
            )
        )
    return ParsedFeed(
        title=html_to_text(parsed.feed.get("title") or ""),
        entries=entries,
        version=parsed.get("version") or "",
        problem=problem,
        skipped=skipped,
    )
