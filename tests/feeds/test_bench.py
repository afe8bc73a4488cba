from feeds.bench import generate_feed, measure, table
from feeds.parse import parse_feed


def test_generated_feed_has_full_content_entries():
    parsed = parse_feed(generate_feed(5), url="http://bench.test/feed.xml")
    assert len(parsed.entries) == 5
    assert all(e.full_text for e in parsed.entries)


def test_measure_reports_every_case():
    rows = measure(20, progress=lambda _: None)
    assert [r["status"] for r in rows] == ["ok", "not-modified", "unchanged", "ok"]
    assert "| first poll | 20 |" in table(rows)
