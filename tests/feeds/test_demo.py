from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from feeds import store
from feeds.demo import ATTRIBUTION, build_demo_feed
from feeds.ingest import poll_feed

ROOT = Path(__file__).parents[2]
DATASET = ROOT.parent / "shared" / "data" / "tryocoqa_v1.json"
DEMO = ROOT / "examples" / "demo-feed.atom"


@pytest.mark.skipif(not DATASET.exists(), reason="../shared/data is not beside the checkout")
def test_committed_demo_feed_is_what_the_generator_writes():
    generated = build_demo_feed(DATASET, generated=datetime(2026, 11, 28, tzinfo=UTC))
    assert DEMO.read_text(encoding="utf-8") == generated


def test_demo_feed_ingests_five_attributed_posts(db, fetcher):
    assert DEMO.read_text(encoding="utf-8").count(ATTRIBUTION.replace("&", "&amp;")) == 6
    store.add_feed(db, str(DEMO))
    result = poll_feed(db, str(DEMO), fetcher=fetcher)
    assert (result.status, result.new) == ("ok", 5)
    posts = store.list_posts(db)
    assert len(posts) == 5
    assert all(p.source == "content" and len(p.text) > 9000 for p in posts)
    assert posts[0].title == "Becoming an AI organization"
    assert store.search_posts(db, "soccer ball possession")[0].title.startswith(
        "Automatically measuring"
    )
