"""The real slack-bolt app, driven by signed Events API requests, replying to a fake Web API."""

from __future__ import annotations

import time

import pytest

from bot import store
from bot.fakeslack import BOT_USER_ID, mention, message, next_ts, reaction
from bot.slack_app import MESSAGE_LIMIT, THINKING, vote_of
from tests.conftest import wait_until

SOCCER = "How do they measure ball possession in soccer videos?"
SOCCER_LINK = "https://github.com/tryolabs/TryoCoQA?post=3"


def _replies(fake, thread_ts):
    return [c for c in fake.of("chat.postMessage") if c.args.get("thread_ts") == thread_ts]


def _final_text(fake, placeholder_ts):
    updates = [c for c in fake.of("chat.update") if c.args.get("ts") == placeholder_ts]
    return updates[-1].args["text"] if updates else None


def _ask(slack, text, **kwargs):
    event = mention(text, **kwargs)
    _, response = slack.send(event)
    assert response.status_code == 200
    slack.fake.wait_for("chat.update", len(slack.fake.of("chat.update")) + 1)
    return event


def test_mention_gets_one_reply_in_its_thread_with_the_answer_and_link(slack, core, db_path):
    event = _ask(slack, SOCCER)
    replies = _replies(slack.fake, event["ts"])
    assert len(replies) == 1
    assert replies[0].args["text"] == THINKING  # progress, shown at once
    text = _final_text(slack.fake, replies[0].ts)
    assert SOCCER_LINK in text and "Automatically measuring soccer ball possession" in text
    db = store.open_database(db_path)
    turns = list(db["turns"].rows)
    assert len(turns) == 1 and turns[0]["asked_by"] == "U0READER" and turns[0]["rule"] == "search"


def test_follow_up_in_the_thread_needs_no_mention_and_carries_history(slack, engine, db_path):
    first = _ask(slack, SOCCER)
    answer = store.history(store.open_database(db_path), 1)[0].answer
    follow = message("And how accurate is it?", thread_ts=first["ts"])
    slack.send(follow)
    slack.fake.wait_for("chat.update", 2)
    assert len(_replies(slack.fake, first["ts"])) == 2
    context, history, question = engine.prompts[-1]
    assert question == "And how accurate is it?"
    assert [(t.question, t.answer) for t in history] == [(SOCCER, answer)]
    assert "ball possession" in context.lower()


def test_threads_never_addressed_bots_and_the_bot_itself_are_ignored(slack):
    unknown_thread = next_ts()
    for event in (
        message("What about this?", thread_ts=unknown_thread),
        message("I am another bot", thread_ts=unknown_thread, bot=True),
        message(f"<@{BOT_USER_ID}> says hi", thread_ts=unknown_thread, user=BOT_USER_ID),
    ):
        assert slack.send(event)[1].status_code == 200
    time.sleep(0.5)
    assert slack.fake.of("chat.postMessage") == []


def test_redelivered_event_is_answered_once(slack):
    event = mention(SOCCER)
    payload, first = slack.send(event)
    assert first.status_code == 200
    assert slack.post(payload, retry=1).status_code == 200
    assert slack.post(payload, retry=2).status_code == 200
    slack.fake.wait_for("chat.update", 1)
    time.sleep(0.5)
    assert len(_replies(slack.fake, event["ts"])) == 1
    assert len(slack.fake.of("chat.update")) == 1


def test_event_seen_before_a_restart_is_not_answered_again(slack_settings, db_path, engine, slack):
    from bot.core import Core
    from bot.http import ServiceServer
    from bot.slack_app import build_slack_app
    from tests.bot.conftest import SlackService

    event = mention(SOCCER)
    payload, _ = slack.send(event)
    slack.fake.wait_for("chat.update", 1)
    restarted_core = Core(db_path=db_path, engine=engine)
    server = ServiceServer("127.0.0.1", 0)
    server.slack_app = build_slack_app(slack_settings, restarted_core)
    server.start()
    try:
        assert SlackService(server, slack.fake).post(payload, retry=3).status_code == 200
        time.sleep(0.5)
    finally:
        server.stop()
        restarted_core.close(wait=False)
    assert len(_replies(slack.fake, event["ts"])) == 1


@pytest.mark.parametrize(
    "kwargs",
    [{"secret": "wrong-secret"}, {"timestamp": int(time.time()) - 600}],
    ids=["bad", "stale"],
)
def test_bad_or_stale_signature_is_401_and_no_reply(slack, kwargs):
    _, response = slack.send(mention(SOCCER), **kwargs)
    assert response.status_code == 401
    time.sleep(0.3)
    assert slack.fake.of("chat.postMessage") == []


def test_votes_latest_wins_and_removal_removes(slack, db_path):
    _ask(slack, SOCCER)
    answer_ts = slack.fake.of("chat.update")[-1].args["ts"]
    db = store.open_database(db_path)
    turn = store.turn_for_message(db, "slack", f"C0BLOG:{answer_ts}")
    assert turn is not None

    slack.send(reaction("+1::skin-tone-3", ts=answer_ts))
    slack.send(reaction("thumbsdown", ts=answer_ts))
    slack.send(reaction("tada", ts=answer_ts))  # not a vote
    slack.send(reaction("thumbsup", ts=next_ts()))  # not on an answer
    wait_until(lambda: store.votes(db, turn) == {"U0READER": -1})
    slack.send(reaction("+1::skin-tone-3", ts=answer_ts, added=False))  # an old reaction
    time.sleep(0.3)
    assert store.votes(db, turn) == {"U0READER": -1}
    slack.send(reaction("thumbsdown", ts=answer_ts, added=False))
    wait_until(lambda: store.votes(db, turn) == {})
    assert db["feedback"].count == 0


def test_engine_failure_is_a_visible_apology(slack, engine):
    engine.error = RuntimeError("onnxruntime exploded")
    _ask(slack, SOCCER)
    text = slack.fake.of("chat.update")[-1].args["text"]
    assert text.startswith(":warning:") and "model failed" in text


def test_unknown_post_link_is_explained_in_the_thread(slack):
    _ask(slack, "What does https://github.com/tryolabs/TryoCoQA?post=99 say?")
    assert "is not stored" in slack.fake.of("chat.update")[-1].args["text"]


def test_empty_mention_asks_for_a_question(slack):
    _ask(slack, "   ")
    assert "question is empty" in slack.fake.of("chat.update")[-1].args["text"]


def test_slow_inference_does_not_delay_the_http_response(slack, engine):
    engine.delay = 4.0
    started = time.monotonic()
    _, response = slack.send(mention(SOCCER))
    assert response.status_code == 200
    assert time.monotonic() - started < 3.0
    assert slack.fake.wait_for("chat.update", 1, timeout=20)


def test_long_answers_are_split(slack, engine):
    engine.text = ("A long sentence about possession. " * 400).strip()
    event = mention(SOCCER)
    slack.send(event)
    slack.fake.wait_for("chat.postMessage", 4)
    time.sleep(0.3)
    parts = [slack.fake.of("chat.update")[-1].args["text"]] + [
        c.args["text"] for c in _replies(slack.fake, event["ts"])[1:]
    ]
    assert len(parts) == 4
    assert all(len(p) <= MESSAGE_LIMIT for p in parts)
    assert SOCCER_LINK in parts[-1]


def test_rate_limited_calls_are_retried_after_retry_after(slack):
    slack.fake.rate_limit["chat.postMessage"] = 1
    event = mention(SOCCER)
    slack.send(event)
    assert slack.fake.wait_for("chat.update", 1, timeout=15)
    assert len(_replies(slack.fake, event["ts"])) == 1


def test_vote_names():
    assert vote_of("+1") == vote_of("thumbsup::skin-tone-6") == 1
    assert vote_of("-1::skin-tone-2") == vote_of("thumbsdown") == -1
    assert vote_of("heart") is None
