from __future__ import annotations

import pytest

from feeds import store
from feeds.db import Migrations, open_db


def test_schema_is_migrated_once_and_wal_is_on(tmp_path):
    db = open_db(tmp_path / "a.db")
    names = [row["name"] for row in db["_migrations"].rows]
    assert names == ["m001_feeds_and_posts"]
    assert db.journal_mode == "wal"
    db.close()
    again = open_db(tmp_path / "a.db")
    assert [row["name"] for row in again["_migrations"].rows] == names


def test_extra_migrations_apply_in_order(tmp_path):
    extra = Migrations()

    @extra
    def m100_notes(db):
        db["notes"].create({"id": int, "text": str}, pk="id")

    db = open_db(tmp_path / "b.db", extra=(extra,))
    assert "notes" in db.table_names()
    with pytest.raises(ValueError, match="two migrations"):
        extra(m100_notes)


def test_failed_migration_leaves_no_trace(tmp_path):
    broken = Migrations()

    @broken
    def m200_half(db):
        db["half"].create({"id": int}, pk="id")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        open_db(tmp_path / "c.db", extra=(broken,))
    db = open_db(tmp_path / "c.db")
    assert "half" not in db.table_names()
    assert "m200_half" not in {row["name"] for row in db["_migrations"].rows}


def test_upsert_reports_new_updated_unchanged(db):
    post = store.Post(key="k", link="https://b.test/k", title="T", text="one")
    assert store.upsert_post(db, post) == "new"
    changes = db.conn.total_changes
    assert store.upsert_post(db, post) == "unchanged"
    assert db.conn.total_changes == changes
    assert (
        store.upsert_post(db, store.Post(key="k", link=post.link, title="T", text="two"))
        == "updated"
    )
    assert store.get_post(db, "k").text == "two"


@pytest.mark.parametrize("query", ['"', "AND OR NOT (", "c++ && *", "col:umn ^near"])
def test_search_survives_fts_syntax_in_questions(db, query):
    store.upsert_post(db, store.Post(key="k", link="", title="C++ and columns", text="near c"))
    store.search_posts(db, query)


def test_search_query_drops_stopwords_and_quotes_words():
    assert (
        store.search_query("What is the BLEU score of the model?") == '"bleu" OR "score" OR "model"'
    )
    assert store.search_query("what is it?") == ""


def test_get_post_by_link_ignores_a_trailing_slash(db):
    store.upsert_post(db, store.Post(key="g", link="https://b.test/post/", title="T", text="x"))
    assert store.get_post(db, "https://b.test/post").key == "g"


def test_list_posts_filters_by_title_newest_first(db):
    for i, title in enumerate(["Alpha 100%", "Beta", "alpha_two"]):
        store.upsert_post(
            db,
            store.Post(
                key=str(i),
                link="",
                title=title,
                text="x",
                published=f"2025-0{i + 1}-01T00:00:00+00:00",
            ),
        )
    assert [p.title for p in store.list_posts(db, title_prefix="alpha")] == [
        "alpha_two",
        "Alpha 100%",
    ]
    assert [p.title for p in store.list_posts(db, title_prefix="100%")] == ["Alpha 100%"]


def test_removing_a_feed_keeps_its_posts(db):
    store.add_feed(db, "https://b.test/feed")
    store.upsert_post(
        db, store.Post(key="k", link="", title="T", text="x", feed_url="https://b.test/feed")
    )
    assert store.list_feeds(db)[0].posts == 1
    assert store.remove_feed(db, "https://b.test/feed")
    assert not store.remove_feed(db, "https://b.test/feed")
    assert store.count_posts(db) == 1
