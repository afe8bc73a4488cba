"""Posts and feeds in SQLite: upsert by a stable key, look up, list and search (FTS5, BM25)."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from typing import Literal
from urllib.parse import urlparse

from sqlite_utils import Database

from feeds.db import now

Change = Literal["new", "updated", "unchanged"]

# Words that carry no topic; left out of search queries so that BM25 ranks
# on the words that say what the question is about.
_STOPWORDS = frozenset(
    """a about above after again all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers him his how i if in into is it its
    itself just me more most my no nor not now of off on once only or other our out over
    own same she should so some such than that the their them then there these they this
    those through to too under until up very was we were what when where which while who
    whom why will with would you your post blog article tell say said says""".split()
)
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Post:
    """One blog post as stored."""

    key: str
    link: str
    title: str
    text: str
    feed_url: str = ""
    author: str = ""
    published: str | None = None
    updated: str | None = None
    tags: tuple[str, ...] = ()
    source: str = "content"  # content | page | summary
    entry_hash: str = ""
    id: int | None = None
    added_at: str | None = None
    changed_at: str | None = None

    @property
    def content_hash(self) -> str:
        payload = json.dumps(
            [self.title, self.link, self.author, self.published, self.updated, self.tags, self.text]
        )
        return hashlib.sha256(payload.encode()).hexdigest()

    def to_json(self) -> dict:
        data = asdict(self)
        data["tags"] = list(self.tags)
        return data

    @classmethod
    def from_row(cls, row: dict) -> Post:
        names = cls.__dataclass_fields__
        values = {k: v for k, v in row.items() if k in names}
        values["tags"] = tuple(json.loads(row.get("tags") or "[]"))
        for name in ("author", "feed_url", "entry_hash", "link", "title"):
            values[name] = values.get(name) or ""
        return cls(**values)


@dataclass(frozen=True)
class Feed:
    """A feed the watcher polls, with the validators of its last complete fetch."""

    url: str
    title: str = ""
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    added_at: str | None = None
    changed_at: str | None = None
    posts: int = field(default=0, compare=False)


class UnknownPost(LookupError):
    """No stored post matches what was asked for; the message is for the asker."""


# --- posts -----------------------------------------------------------------


def upsert_post(db: Database, post: Post) -> Change:
    """Insert a post, or update its row in place when its content changed."""
    record = {
        "key": post.key,
        "feed_url": post.feed_url,
        "link": post.link,
        "title": post.title,
        "author": post.author,
        "published": post.published,
        "updated": post.updated,
        "tags": json.dumps(list(post.tags)),
        "text": post.text,
        "source": post.source,
        "entry_hash": post.entry_hash,
        "content_hash": post.content_hash,
    }
    existing = next(db["posts"].rows_where("key = ?", [post.key], limit=1), None)
    stamp = now()
    if existing is None:
        db["posts"].insert({**record, "added_at": stamp, "changed_at": stamp})
        return "new"
    if existing["content_hash"] == record["content_hash"]:
        if existing["entry_hash"] != record["entry_hash"]:
            db["posts"].update(existing["id"], {"entry_hash": record["entry_hash"]})
        return "unchanged"
    db["posts"].update(existing["id"], {**record, "changed_at": stamp})
    return "updated"


def entry_hash_of(db: Database, key: str) -> str | None:
    """Return the feed-entry fingerprint stored with a post, if the post exists."""
    row = next(db["posts"].rows_where("key = ?", [key], select="entry_hash", limit=1), None)
    return row["entry_hash"] if row else None


def get_post(db: Database, ref: str | int) -> Post:
    """Find a post by id, key or link; raise UnknownPost with a clear message if none."""
    text = str(ref).strip()
    row = None
    if text.isdigit():
        row = next(db["posts"].rows_where("id = ?", [int(text)], limit=1), None)
    if row is None and text:
        candidates = {text, text.rstrip("/"), text.rstrip("/") + "/"}
        marks = ", ".join("?" for _ in candidates)
        row = next(
            db["posts"].rows_where(
                f"key in ({marks}) or link in ({marks})", [*candidates, *candidates], limit=1
            ),
            None,
        )
    if row is None:
        raise UnknownPost(
            f"No stored post has the id or link '{text}': see `askblog posts list` "
            "or `askblog posts search`."
        )
    return Post.from_row(row)


def find_by_link(db: Database, link: str) -> Post | None:
    """Return the post whose link or key is LINK (ignoring a trailing slash), if any."""
    try:
        return get_post(db, link)
    except UnknownPost:
        return None


_ORDER_NEWEST = "coalesce(published, updated, added_at) desc, id desc"


def list_posts(db: Database, *, limit: int | None = None, title_prefix: str = "") -> list[Post]:
    """Return posts newest first, optionally only those whose title contains TITLE_PREFIX."""
    where, args = None, []
    if title_prefix:
        where, args = "title like ? escape '\\'", [f"%{_escape_like(title_prefix)}%"]
    rows = db["posts"].rows_where(where, args, order_by=_ORDER_NEWEST, limit=limit)
    return [Post.from_row(row) for row in rows]


def latest_post(db: Database) -> Post | None:
    """Return the newest post, or None when there are none."""
    posts = list_posts(db, limit=1)
    return posts[0] if posts else None


def search_query(text: str) -> str:
    """Turn free text into an FTS5 query: any of its topic words, each quoted."""
    words = [w for w in (m.group().lower() for m in _WORD.finditer(text)) if w not in _STOPWORDS]
    unique = list(dict.fromkeys(w for w in words if len(w) > 1 or w.isdigit()))
    return " OR ".join(f'"{w}"' for w in unique)


def search_posts(db: Database, text: str, *, limit: int = 10) -> list[Post]:
    """Rank posts by BM25 of the text's topic words over title and text; newer wins ties."""
    query = search_query(text)
    if not query:
        return []
    sql = f"""
        select posts.* from posts
        join posts_fts on posts_fts.rowid = posts.id
        where posts_fts match ?
        order by round(bm25(posts_fts, 2.0, 1.0), 6), {_ORDER_NEWEST}
        limit ?
    """
    return [Post.from_row(row) for row in db.query(sql, [query, limit])]


def post_hosts(db: Database) -> set[str]:
    """Return the host names the stored posts live on."""
    rows = db.query("select distinct link from posts where link like 'http%'")
    return {urlparse(row["link"]).netloc.lower() for row in rows}


def count_posts(db: Database) -> int:
    return db["posts"].count


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# --- feeds -----------------------------------------------------------------


def add_feed(db: Database, url: str) -> bool:
    """Remember a feed; return False if it was already there."""
    if get_feed(db, url) is not None:
        return False
    db["feeds"].insert({"url": url, "added_at": now()})
    return True


def get_feed(db: Database, url: str) -> Feed | None:
    row = next(db["feeds"].rows_where("url = ?", [url], limit=1), None)
    return Feed(**row) if row else None


def list_feeds(db: Database) -> list[Feed]:
    """Return every feed with the number of posts it brought."""
    rows = db.query(
        """select feeds.*, (select count(*) from posts where posts.feed_url = feeds.url) as posts
           from feeds order by added_at, url"""
    )
    return [Feed(**row) for row in rows]


def remove_feed(db: Database, url: str) -> bool:
    """Stop polling a feed; its posts stay. Return False if it was not there."""
    if get_feed(db, url) is None:
        return False
    db["feeds"].delete(url)
    return True


def save_feed_state(
    db: Database,
    url: str,
    *,
    title: str,
    etag: str | None,
    last_modified: str | None,
    body_hash: str,
) -> None:
    """Store the validators of a complete fetch, so the next poll can be conditional."""
    db["feeds"].update(
        url,
        {
            "title": title,
            "etag": etag,
            "last_modified": last_modified,
            "body_hash": body_hash,
            "changed_at": now(),
        },
    )
