"""The core without any platform: asking, history, votes, shutdown."""

from __future__ import annotations

import threading
import time

import pytest

from bot import store
from bot.core import AskError, Core
from bot.store import ConversationKey

THREAD = ConversationKey("test", "C1", "T1")


def test_ask_stores_the_turn_and_follows_the_conversations_post(core, engine, db_path):
    first = core.ask(THREAD, "How do they measure ball possession in soccer?", user="u1")
    assert first.rule == "search" and first.post.title.startswith("Automatically measuring")
    assert first.citation.endswith("<https://github.com/tryolabs/TryoCoQA?post=3>")
    second = core.ask(THREAD, "What about pricing demand curves?", user="u1")
    assert (second.rule, second.post.id) == ("conversation", first.post.id)
    assert [(t.question, t.answer) for t in engine.prompts[-1][1]] == [
        ("How do they measure ball possession in soccer?", first.text)
    ]
    db = store.open_database(db_path)
    assert db["conversations"].count == 1
    assert [r["rule"] for r in db["turns"].rows] == ["search", "conversation"]


def test_only_the_last_two_turns_reach_the_prompt(core, engine):
    for i in range(4):
        core.ask(THREAD, f"Question {i} about soccer possession?")
    history = engine.prompts[-1][1]
    assert [t.question for t in history] == [
        "Question 1 about soccer possession?",
        "Question 2 about soccer possession?",
    ]


def test_explicit_post_switches_the_conversation(core):
    core.ask(THREAD, "How do they measure ball possession in soccer?")
    answer = core.ask(THREAD, "And here?", post_hint="1")
    assert (answer.rule, answer.post.id) == ("explicit", 1)
    assert core.ask(THREAD, "More?").post.id == 1


def test_bad_questions_are_ask_errors_with_a_kind(core, engine):
    with pytest.raises(AskError) as empty:
        core.ask(THREAD, "  ")
    assert empty.value.kind == "bad-question"
    with pytest.raises(AskError) as unknown:
        core.ask(THREAD, "Why?", post_hint="999")
    assert unknown.value.kind == "unknown-post"
    engine.error = ValueError("boom")
    with pytest.raises(AskError) as failed:
        core.ask(THREAD, "soccer?")
    assert failed.value.kind == "model-error"
    assert not core.follows(THREAD)  # nothing was stored for failed questions


def test_empty_generation_still_says_something(core, engine):
    engine.text = ""
    assert core.ask(THREAD, "soccer?").text == "The post does not seem to say."


def test_feedback_latest_vote_wins_and_removal_removes(core):
    answer = core.ask(THREAD, "soccer?")
    core.attach_message(answer.turn_id, "test", "m1")
    core.attach_message(answer.turn_id, "test", "m2")
    assert core.record_feedback("test", "m1", "u1", 1).vote == 1
    assert core.record_feedback("test", "m2", "u1", -1).vote == -1
    assert core.record_feedback("test", "m1", "u2", 1).vote == 1
    assert core.record_feedback("test", "m1", "u1", 1, removed=True).vote == -1
    assert core.record_feedback("test", "m1", "u1", -1, removed=True).vote is None
    assert store.votes(core.db, answer.turn_id) == {"u2": 1}
    assert core.record_feedback("test", "not-an-answer", "u1", 1) is None


def test_events_are_claimed_once(core):
    assert core.claim_event("slack", "Ev1")
    assert not core.claim_event("slack", "Ev1")
    assert core.claim_event("discord", "Ev1")


def test_inference_is_bounded_to_the_worker_pool(db_path, engine):
    engine.delay = 0.3
    active, peak, lock = [0], [0], threading.Lock()
    generate = engine.generate

    def counting(ids, **kwargs):
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        try:
            return generate(ids, **kwargs)
        finally:
            with lock:
                active[0] -= 1

    engine.generate = counting
    core = Core(db_path=db_path, engine=engine, workers=1)
    threads = [
        threading.Thread(target=core.ask, args=(ConversationKey("t", "c", str(i)), "soccer?"))
        for i in range(3)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert peak[0] == 1
    core.close()


def test_close_delivers_answers_in_flight_and_refuses_new_ones(core, engine):
    engine.delay = 1.0
    delivered = []

    def answer_and_deliver():
        with core.answering():
            delivered.append(core.ask(THREAD, "soccer?").text)

    thread = threading.Thread(target=answer_and_deliver)
    thread.start()
    time.sleep(0.2)
    core.close(wait=True, timeout=30)
    thread.join()
    assert len(delivered) == 1
    with pytest.raises(AskError) as refused:
        core.ask(THREAD, "again?")
    assert refused.value.kind == "shutting-down"
