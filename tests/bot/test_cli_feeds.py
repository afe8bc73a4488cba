"""`askblog feeds`, `askblog posts` and `askblog ask` over stored posts, through click's runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.settings import Settings
from feeds.localserver import Route
from tests.feeds.conftest import long_text, rss, rss_item

DEMO = Path(__file__).parents[2] / "examples" / "demo-feed.atom"


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(db=tmp_path / "cli.db", threads=1)


def run(settings: Settings, *args: str):
    return CliRunner().invoke(main, list(args), obj=settings)


def test_add_polls_the_feed_and_lists_it(settings):
    result = run(settings, "feeds", "add", str(DEMO))
    assert result.exit_code == 0, result.output
    assert "5 new" in result.output
    listed = json.loads(run(settings, "feeds", "list", "--json").output)
    assert listed[0]["url"] == str(DEMO.resolve()) and listed[0]["posts"] == 5
    again = run(settings, "feeds", "add", str(DEMO))
    assert "already added" in again.output and "not-modified" in again.output


def test_posts_list_show_search(settings):
    run(settings, "feeds", "add", str(DEMO))
    listed = json.loads(run(settings, "posts", "list", "--json").output)
    assert len(listed) == 5 and "text" not in listed[0] and listed[0]["chars"] > 9000
    shown = run(settings, "posts", "show", str(listed[0]["id"]))
    assert shown.output.startswith("# Becoming an AI organization")
    full = json.loads(run(settings, "posts", "show", listed[0]["link"], "--json").output)
    assert len(full["text"]) == listed[0]["chars"]
    found = json.loads(
        run(settings, "posts", "search", "price optimization demand", "--json").output
    )
    assert found[0]["title"] == "Price optimization for e-commerce: a case study"
    plain = run(settings, "posts", "search", "zzzzqqq")
    assert plain.output.strip() == "No post matches."


def test_unknown_post_is_one_line(settings):
    result = run(settings, "posts", "show", "42")
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: No stored post has the id or link '42': see `askblog posts list` or "
        "`askblog posts search`."
    ]


def test_bad_feed_reference_is_refused(settings, tmp_path):
    for ref in (str(tmp_path / "missing.xml"), "ftp://example.test/feed", "not a url"):
        result = run(settings, "feeds", "add", ref)
        assert result.exit_code == 1
        assert result.output.startswith("Error: ")
    assert json.loads(run(settings, "feeds", "list", "--json").output) == []


def test_unreadable_feed_is_added_reported_and_kept(settings):
    from feeds.localserver import LocalServer

    with LocalServer({"/f": Route(b"nope", "text/plain", status=500)}) as server:
        result = run(settings, "feeds", "add", server.url("/f"))
    assert result.exit_code == 1
    assert "could not be read (HTTP 500" in result.output
    assert "askblog feeds remove" in result.output


def test_poll_reports_each_feed_and_fails_when_one_does(settings):
    from feeds.localserver import LocalServer

    good = rss(rss_item("P", "http://blog.test/p", guid="p", content=long_text("p")))
    with LocalServer({"/good": Route(good.encode()), "/bad": Route(b"", status=500)}) as server:
        run(settings, "feeds", "add", "--no-poll", server.url("/good"))
        run(settings, "feeds", "add", "--no-poll", server.url("/bad"))
        result = run(settings, "feeds", "poll")
    assert result.exit_code == 1
    assert "/good: 1 new" in result.output
    assert "/bad: error: HTTP 500" in result.output
    assert "1 of 2 feeds could not be read" in result.output


def test_poll_adds_feeds_from_settings(tmp_path):
    settings = Settings(db=tmp_path / "s.db", feeds=(str(DEMO),))
    result = run(settings, "feeds", "poll")
    assert result.exit_code == 0, result.output
    assert "5 new" in result.output


def test_remove_keeps_posts(settings):
    run(settings, "feeds", "add", str(DEMO))
    result = run(settings, "feeds", "remove", str(DEMO))
    assert result.exit_code == 0 and "its posts are kept" in result.output
    assert len(json.loads(run(settings, "posts", "list", "--json").output)) == 5
    assert run(settings, "feeds", "remove", str(DEMO)).exit_code == 1


def test_ask_answers_from_the_picked_post_and_cites_it(settings, tiny_onnx_dir):
    run(settings, "feeds", "add", str(DEMO))
    question = "How do they measure ball possession in soccer?"
    result = run(settings, "ask", question, "--model", str(tiny_onnx_dir))
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert lines[-1] == (
        "Source: Automatically measuring soccer ball possession with AI and video analytics "
        "<https://github.com/tryolabs/TryoCoQA?post=3>"
    )
    from feeds import store
    from feeds.db import open_db
    from model.engine import load_engine

    post = store.search_posts(open_db(settings.db), question)[0]
    engine = load_engine(str(tiny_onnx_dir), threads=1, max_input_tokens=settings.max_input_tokens)
    assert result.stdout.startswith(engine.answer(post.text, [], question).text)


def test_ask_with_an_unknown_post_is_one_line(settings, tiny_onnx_dir):
    run(settings, "feeds", "add", str(DEMO))
    result = run(settings, "ask", "Why?", "--post", "77", "--model", str(tiny_onnx_dir))
    assert result.exit_code == 1
    assert result.output.strip().startswith("Error: No stored post has the id or link '77'")


def test_ask_without_posts_says_how_to_add_them(settings, tiny_onnx_dir):
    result = run(settings, "ask", "Why?", "--model", str(tiny_onnx_dir))
    assert result.exit_code == 1
    assert "No posts are stored yet: add a feed with `askblog feeds add URL`." in result.output


def test_make_demo_writes_an_atom_feed(tmp_path):
    dataset = Path(__file__).parents[3] / "shared" / "data" / "tryocoqa_v1.json"
    if not dataset.exists():
        pytest.skip("../shared/data is not beside the checkout")
    out = tmp_path / "demo.atom"
    result = CliRunner().invoke(
        main, ["feeds", "make-demo", str(dataset), str(out)], obj=Settings()
    )
    assert result.exit_code == 0, result.output
    assert out.read_text().count("<entry>") == 5
