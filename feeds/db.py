"""Open the one SQLite file (WAL) and bring its schema up to date with named migrations."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlite_utils import Database

log = logging.getLogger(__name__)

Migration = Callable[[Database], None]


class Migrations:
    """An ordered, named list of schema changes; each runs once per database."""

    def __init__(self) -> None:
        self.steps: list[tuple[str, Migration]] = []

    def __call__(self, fn: Migration) -> Migration:
        name = fn.__name__
        if any(existing == name for existing, _ in self.steps):
            raise ValueError(f"two migrations are named {name}")
        self.steps.append((name, fn))
        return fn

    def apply(self, db: Database) -> list[str]:
        """Run the steps this database has not had yet, each in its own transaction."""
        if "_migrations" not in db.table_names():
            db["_migrations"].create({"name": str, "applied_at": str}, pk="name")
        done = {row["name"] for row in db["_migrations"].rows}
        applied = []
        for name, step in self.steps:
            if name in done:
                continue
            with db.atomic():
                step(db)
                db["_migrations"].insert({"name": name, "applied_at": now()})
            log.debug("applied migration %s", name)
            applied.append(name)
        return applied


migration = Migrations()


def now() -> str:
    """The current UTC time as ISO 8601, the format every timestamp column uses."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


@migration
def m001_feeds_and_posts(db: Database) -> None:
    db["feeds"].create(
        {
            "url": str,
            "title": str,
            "etag": str,
            "last_modified": str,
            "body_hash": str,
            "added_at": str,
            "changed_at": str,
        },
        pk="url",
    )
    db["posts"].create(
        {
            "id": int,
            "key": str,
            "feed_url": str,
            "link": str,
            "title": str,
            "author": str,
            "published": str,
            "updated": str,
            "tags": str,
            "text": str,
            "source": str,
            "entry_hash": str,
            "content_hash": str,
            "added_at": str,
            "changed_at": str,
        },
        pk="id",
        not_null={"key", "text"},
    )
    db["posts"].create_index(["key"], unique=True)
    db["posts"].create_index(["link"])
    db["posts"].create_index(["published"])
    db["posts"].enable_fts(["title", "text"], create_triggers=True, tokenize="porter")


def open_db(path: str | Path, *, extra: tuple[Migrations, ...] = ()) -> Database:
    """Open (or create) the database at PATH in WAL mode with every migration applied."""
    path = Path(path)
    if str(path) != ":memory:":
        path.parent.mkdir(parents=True, exist_ok=True)
    db = Database(path)
    db.execute("PRAGMA busy_timeout = 5000")
    db.execute("PRAGMA foreign_keys = ON")
    if str(path) != ":memory:":
        db.enable_wal()
    for migrations in (migration, *extra):
        migrations.apply(db)
    return db
