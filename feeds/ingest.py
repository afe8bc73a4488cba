"""Poll a feed into the post store: cheap when nothing changed, never losing a stored post."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlite_utils import Database

from feeds import store
from feeds.extract import extract_article
from feeds.fetch import MAX_PAGE_BYTES, Fetcher, FetchError
from feeds.parse import Entry, parse_feed

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"


@dataclass
class PollResult:
    """What one poll of one feed did."""

    feed: str
    status: str = "ok"  # ok | not-modified | unchanged | error
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    partial: int = 0  # summary-only entries whose page could not be fetched this time
    error: str | None = None
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if self.status == "error":
            return f"{self.feed}: error: {self.error}"
        if self.status in ("not-modified", "unchanged"):
            return f"{self.feed}: {self.status}"
        text = f"{self.feed}: {self.new} new, {self.updated} updated, {self.unchanged} unchanged"
        return text + (f", {self.partial} with summary only" if self.partial else "")


def _full_text(entry: Entry, fetcher: Fetcher) -> tuple[str, str]:
    """Return (text, source): the feed's content, else the article page, else the summary."""
    text = entry.full_text
    if text:
        return text, "content"
    if entry.link:
        try:
            page = fetcher.get(entry.link, max_bytes=MAX_PAGE_BYTES, accept=PAGE_ACCEPT)
            article = extract_article(page.body.decode("utf-8", "replace"), url=page.url)
            if article and len(article) > len(entry.summary_text):
                return article, "page"
            log.warning("page %s: no article text found; keeping the feed's summary", entry.link)
        except FetchError as error:
            log.warning("page %s: %s; keeping the summary, will retry", entry.link, error)
    return entry.summary_text, "summary"


def poll_feed(
    db: Database, url: str, *, fetcher: Fetcher, progress: Progress | None = None
) -> PollResult:
    """Fetch one feed and store its new and changed entries.

    A 304, or a body identical to the last complete fetch, costs no parsing
    and no writes. Errors are logged in one line and leave stored posts alone;
    the feed is tried again at the next poll.
    """
    result = PollResult(feed=url)
    feed = store.get_feed(db, url)
    try:
        fetched = fetcher.get(
            url,
            etag=feed.etag if feed else None,
            last_modified=feed.last_modified if feed else None,
        )
    except FetchError as error:
        log.warning("feed %s: %s; stored posts kept, will retry at the next poll", url, error)
        result.status, result.error = "error", str(error)
        return result
    if fetched.not_modified:
        result.status = "not-modified"
        return result
    body_hash = hashlib.sha256(fetched.body).hexdigest()
    if feed and feed.body_hash == body_hash:
        result.status = "unchanged"
        return result

    parsed = parse_feed(fetched.body, url=fetched.url, content_type=fetched.content_type)
    if not parsed.is_feed:
        kind = (fetched.content_type or "unknown type").split(";")[0]
        result.status = "error"
        result.error = f"not an RSS or Atom feed ({kind}: {parsed.problem or 'no entries'})"
        log.warning("feed %s: %s; stored posts kept", url, result.error)
        return result
    problems = []
    if parsed.problem:
        problems.append(
            f"malformed feed ({parsed.problem}); kept the {len(parsed.entries)} entries that parsed"
        )
    if parsed.skipped:
        problems.append(f"skipped {parsed.skipped} entries with neither an id nor a link")
    if problems:
        # One line per feed and poll, however many things were wrong with it.
        warning = "; ".join(problems)
        result.warnings.append(warning)
        log.warning("feed %s: %s", url, warning)

    total = len(parsed.entries)
    for done, entry in enumerate(parsed.entries, 1):
        _store_entry(db, url, entry, fetcher, result)
        if progress:
            progress(done, total)
    if feed is None:
        store.add_feed(db, url)
    if result.partial == 0:
        # Only a complete poll earns the validators: otherwise a 304 would stop
        # the next poll from retrying the pages that failed.
        store.save_feed_state(
            db,
            url,
            title=parsed.title,
            etag=fetched.etag,
            last_modified=fetched.last_modified,
            body_hash=body_hash,
        )
    return result


def _store_entry(
    db: Database, url: str, entry: Entry, fetcher: Fetcher, result: PollResult
) -> None:
    stored = store.entry_hash_of(db, entry.key)
    if stored == entry.fingerprint:
        result.unchanged += 1
        return
    text, source = _full_text(entry, fetcher)
    if not text:
        log.warning("feed %s: entry %s has no text; skipped", url, entry.link or entry.key)
        return
    complete = source != "summary" or not entry.link
    if not complete:
        result.partial += 1
        if stored is not None:
            return  # keep the stored text rather than replace it with a summary
    post = store.Post(
        key=entry.key,
        link=entry.link,
        title=entry.title or entry.link or entry.key,
        text=text,
        feed_url=url,
        author=entry.author,
        published=entry.published,
        updated=entry.updated,
        tags=entry.tags,
        source=source,
        # An incomplete entry keeps no fingerprint, so the next poll retries it.
        entry_hash=entry.fingerprint if complete else "",
    )
    with db.atomic():
        change = store.upsert_post(db, post)
    setattr(result, change, getattr(result, change) + 1)


def poll_all(
    db: Database,
    *,
    fetcher: Fetcher,
    progress: Callable[[str, int, int], None] | None = None,
) -> list[PollResult]:
    """Poll every stored feed once; one feed's failure never stops the others."""
    results = []
    for feed in store.list_feeds(db):
        report = (lambda done, total, u=feed.url: progress(u, done, total)) if progress else None
        try:
            results.append(poll_feed(db, feed.url, fetcher=fetcher, progress=report))
        except Exception as error:  # a bug in one feed's handling must not stop the watcher
            log.exception("feed %s: unexpected error; will retry at the next poll", feed.url)
            results.append(PollResult(feed=feed.url, status="error", error=repr(error)))
    return results
