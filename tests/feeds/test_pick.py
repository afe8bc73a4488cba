"""Which post a question is about: each rule, in order of precedence."""

from __future__ import annotations

import pytest

from feeds import store
from feeds.pick import NoPosts, pick_post, urls_in


def _post(db, key: str, title: str, text: str, published: str) -> store.Post:
    store.upsert_post(
        db,
        store.Post(
            key=key, link=f"https://blog.test/{key}", title=title, text=text, published=published
        ),
    )
    return store.get_post(db, key)


@pytest.fixture
def posts(db):
    return {
        "soccer": _post(
            db,
            "soccer",
            "Measuring ball possession",
            "We track the ball and the players in soccer videos.",
            "2025-01-01T00:00:00+00:00",
        ),
        "pricing": _post(
            db,
            "pricing",
            "Price optimization",
            "Demand curves tell us how price changes sales.",
            "2025-02-01T00:00:00+00:00",
        ),
        "latest": _post(
            db,
            "latest",
            "Becoming an AI organization",
            "Culture and teams matter more than models.",
            "2025-03-01T00:00:00+00:00",
        ),
    }


def test_url_in_the_question_wins_over_everything(db, posts):
    pick = pick_post(
        db,
        "What does <https://blog.test/pricing|this post> say about ball possession?",
        explicit=posts["latest"].id,
        conversation_post=posts["soccer"].id,
    )
    assert (pick.post.key, pick.rule) == ("pricing", "url-in-question")


def test_explicit_post_beats_the_conversation_and_search(db, posts):
    pick = pick_post(
        db,
        "ball possession?",
        explicit="https://blog.test/pricing",
        conversation_post=posts["soccer"].id,
    )
    assert (pick.post.key, pick.rule) == ("pricing", "explicit")
    assert pick_post(db, "anything", explicit=str(posts["soccer"].id)).post.key == "soccer"


def test_conversation_post_beats_search(db, posts):
    pick = pick_post(db, "How is the ball tracked?", conversation_post=posts["pricing"].id)
    assert (pick.post.key, pick.rule) == ("pricing", "conversation")


def test_search_ranks_by_bm25(db, posts):
    pick = pick_post(db, "How do they track the ball in soccer videos?")
    assert (pick.post.key, pick.rule) == ("soccer", "search")


def test_search_ties_go_to_the_newer_post(db, posts):
    older = _post(db, "old-twin", "Twin", "Identical words here.", "2024-01-01T00:00:00+00:00")
    newer = _post(db, "new-twin", "Twin", "Identical words here.", "2025-06-01T00:00:00+00:00")
    pick = pick_post(db, "identical words")
    assert pick.rule == "search"
    assert pick.post.id == newer.id != older.id


def test_latest_post_when_nothing_matches(db, posts):
    pick = pick_post(db, "What is the meaning of zymurgy?")
    assert (pick.post.key, pick.rule) == ("latest", "latest")


def test_question_of_only_stopwords_falls_back_to_latest(db, posts):
    assert pick_post(db, "What is it about?").rule == "latest"


def test_unknown_explicit_post_is_a_clear_error(db, posts):
    with pytest.raises(store.UnknownPost, match="No stored post has the id or link '999'"):
        pick_post(db, "question", explicit=999)


def test_unknown_link_to_the_blog_is_a_clear_error(db, posts):
    with pytest.raises(store.UnknownPost, match=r"https://blog\.test/missing is not stored"):
        pick_post(db, "What does https://blog.test/missing say?")


def test_links_elsewhere_are_part_of_the_question(db, posts):
    pick = pick_post(db, "Does the soccer post use https://docs.python.org/3/ for the ball?")
    assert pick.post.key == "soccer"


def test_removed_conversation_post_falls_back_to_search(db, posts):
    assert pick_post(db, "demand curves", conversation_post=12345).post.key == "pricing"


def test_no_posts_at_all(db):
    with pytest.raises(NoPosts, match="askblog feeds add"):
        pick_post(db, "anything?")


def test_urls_in_strips_punctuation_and_slack_labels():
    assert urls_in("see <https://a.test/x|x>, and https://b.test/y.") == [
        "https://a.test/x",
        "https://b.test/y",
    ]
