"""The real discord.py client against a fake Discord REST API and gateway on loopback."""

from __future__ import annotations

import time

import pytest

from bot import store
from bot.discord_app import MESSAGE_LIMIT, DiscordRunner, build_discord_bot, vote_of
from bot.fakediscord import BOT_USER, CHANNEL_ID, GUILD_ID, FakeDiscord, user
from bot.settings import Settings
from tests.conftest import wait_until

SOCCER = "How do they measure ball possession in soccer?"
SOCCER_LINK = "https://github.com/tryolabs/TryoCoQA?post=3"


@pytest.fixture
def fake():
    with FakeDiscord() as server:
        yield server


def _start(fake, core, db_path, *, guild: str = GUILD_ID) -> DiscordRunner:
    settings = Settings(
        db=db_path,
        discord_token="fake-token",
        discord_guild_id=guild,
        discord_api_url=fake.api_url,
        discord_gateway_url=fake.gateway_url,
    )
    runner = DiscordRunner(build_discord_bot(settings, core), settings.discord_token)
    runner.start()
    assert fake.wait_for("PUT", "/applications", 1), "the bot never synced its commands"
    return runner


@pytest.fixture
def discord_bot(fake, core, db_path):
    runner = _start(fake, core, db_path)
    yield runner
    runner.stop()


def _ask(fake, question: str, **kwargs) -> tuple[dict, float]:
    sent = time.monotonic()
    return fake.interaction(question, **kwargs), sent


def _followups(fake, interaction: dict):
    return fake.of("POST", f"/webhooks/{interaction['application_id']}/{interaction['token']}")


def test_logs_in_syncs_askblog_to_the_guild_and_answers_once(fake, discord_bot):
    synced = fake.of("PUT", f"/applications/900000000000000002/guilds/{GUILD_ID}/commands")
    assert [c["name"] for c in synced[0].body] == ["askblog"]
    options = {o["name"]: o for o in synced[0].body[0]["options"]}
    assert options["question"]["required"] and options["post"]["autocomplete"]

    interaction, sent = _ask(fake, SOCCER)
    deferred = fake.wait_for("POST", f"/interactions/{interaction['id']}", 1)
    assert deferred[0].body["type"] == 5
    assert deferred[0].at - sent < 3.0
    fake.wait_for("POST", "/channels", 1)
    followups = _followups(fake, interaction)
    assert len(followups) == 1
    assert SOCCER_LINK in followups[0].body["content"]
    assert "Automatically measuring soccer ball possession" in followups[0].body["content"]


def test_a_second_user_is_deferred_while_a_slow_answer_runs(fake, discord_bot, engine):
    engine.delay = 4.0
    first, _ = _ask(fake, SOCCER)
    fake.wait_for("POST", f"/interactions/{first['id']}", 1)
    second, sent = _ask(fake, "What is price optimization?", user_id="900000000000000031")
    deferred = fake.wait_for("POST", f"/interactions/{second['id']}", 1)
    assert deferred and deferred[0].at - sent < 3.0
    assert _followups(fake, first) == []  # the first answer is still being computed
    fake.wait_for("POST", "/webhooks", 2, timeout=30)
    assert len(_followups(fake, first)) == len(_followups(fake, second)) == 1


def test_conversation_continues_in_a_thread_with_history(fake, discord_bot, engine, db_path):
    interaction, _ = _ask(fake, SOCCER)
    created = fake.wait_for("POST", "/channels", 1)[0]
    assert created.path.endswith("/threads") and created.body["name"] == SOCCER
    thread = created.result
    fake.dispatch("THREAD_CREATE", {**thread, "newly_created": True})
    answer = _followups(fake, interaction)[0].result

    fake.message("Does this one need a mention?", channel_id=thread["id"])  # ignored
    fake.message(
        "I am a bot",
        channel_id=thread["id"],
        mentions_bot=True,
        author=user("900000000000000099", "otherbot", bot=True),
    )  # ignored
    fake.message("And how accurate is it?", channel_id=thread["id"], reply_to=answer)
    replies = fake.wait_for("POST", f"/channels/{thread['id']}/messages", 1)
    time.sleep(0.3)
    assert len(fake.of("POST", f"/channels/{thread['id']}/messages")) == 1
    assert SOCCER_LINK in replies[0].body["content"]
    _, history, question = engine.prompts[-1]
    assert question == "And how accurate is it?"
    assert [t.question for t in history] == [SOCCER]
    db = store.open_database(db_path)
    assert db["conversations"].count == 1
    assert next(db["conversations"].rows)["thread"] == thread["id"]

    fake.message(f"<@{BOT_USER['id']}> and the cost?", channel_id=thread["id"], mentions_bot=True)
    fake.wait_for("POST", f"/channels/{thread['id']}/messages", 2)
    assert [t.question for t in engine.prompts[-1][1]] == [SOCCER, "And how accurate is it?"]


def test_reactions_become_votes(fake, discord_bot, db_path):
    interaction, _ = _ask(fake, SOCCER)
    fake.wait_for("POST", "/channels", 1)
    answer_id = _followups(fake, interaction)[0].result["id"]
    db = store.open_database(db_path)
    turn = store.turn_for_message(db, "discord", answer_id)

    fake.reaction("👍🏽", message_id=answer_id, channel_id=CHANNEL_ID)
    fake.reaction("👎", message_id=answer_id, channel_id=CHANNEL_ID)
    fake.reaction("🎉", message_id=answer_id, channel_id=CHANNEL_ID)
    fake.reaction("👍", message_id="12345", channel_id=CHANNEL_ID)
    wait_until(lambda: store.votes(db, turn) == {"900000000000000030": -1})
    fake.reaction("👎", message_id=answer_id, channel_id=CHANNEL_ID, added=False)
    wait_until(lambda: store.votes(db, turn) == {})


def test_autocomplete_lists_matching_posts_newest_first(fake, discord_bot):
    fake.autocomplete("")
    choices = fake.wait_for("POST", "/interactions", 1)[0].body
    assert choices["type"] == 8
    titles = [c["name"] for c in choices["data"]["choices"]]
    assert titles[0] == "Becoming an AI organization" and len(titles) == 5
    fake.autocomplete("soccer")
    narrowed = fake.wait_for("POST", "/interactions", 2)[-1].body["data"]["choices"]
    assert narrowed == [
        {
            "name": "Automatically measuring soccer ball possession with AI and video analytics",
            "value": "4",
        }
    ]


def test_explicit_post_option_is_used(fake, discord_bot):
    interaction, _ = _ask(fake, "What is this about?", post="1")
    fake.wait_for("POST", "/webhooks", 1)
    assert "TryoCoQA?post=0" in _followups(fake, interaction)[0].body["content"]


def test_failures_reach_only_the_asker(fake, discord_bot, engine):
    engine.error = RuntimeError("onnxruntime exploded")
    _ask(fake, SOCCER)
    sent = fake.wait_for("POST", "/webhooks", 1)
    assert fake.of("DELETE", "/webhooks")  # the public "thinking…" message goes away
    assert sent[0].body["flags"] & 64  # ephemeral
    assert "model failed" in sent[0].body["content"]
    assert fake.of("POST", "/channels") == []


def test_long_answers_are_split(fake, discord_bot, engine):
    engine.text = ("A long sentence about possession. " * 200).strip()
    interaction, _ = _ask(fake, SOCCER)
    fake.wait_for("POST", "/channels", 1)
    parts = [c.body["content"] for c in _followups(fake, interaction)]
    assert len(parts) == 4
    assert all(len(p) <= MESSAGE_LIMIT for p in parts)


def test_without_a_guild_commands_sync_globally(fake, core, db_path):
    runner = _start(fake, core, db_path, guild="")
    try:
        assert fake.of("PUT", "/applications/900000000000000002/commands")
    finally:
        runner.stop()


def test_vote_emoji():
    assert vote_of("👍") == vote_of("👍🏿") == vote_of("👍️") == 1
    assert vote_of("👎🏻") == -1
    assert vote_of("❤️") is None


def test_thumbs_down_offers_the_voter_a_correction_form(fake, discord_bot, db_path):
    interaction, _ = _ask(fake, SOCCER)
    fake.wait_for("POST", "/channels", 1)
    answer = _followups(fake, interaction)[0].result
    fake.reaction("👎", message_id=answer["id"], channel_id=CHANNEL_ID)
    path = f"/channels/{CHANNEL_ID}/messages"
    wait_until(lambda: any(c.path == path for c in fake.of("POST", path)), timeout=10)
    offer = next(c for c in fake.of("POST", path) if c.path == path)
    button = offer.body["components"][0]["components"][0]
    assert button["custom_id"] == f"askblog:correct:{answer['id']}:900000000000000030"
    message = {**offer.result, "components": offer.body["components"]}

    stranger = fake.click(button["custom_id"], message=message, user_id="900000000000000077")
    refused = fake.wait_for("POST", f"/interactions/{stranger['id']}", 1)[0].body
    assert (
        refused["data"]["flags"] & 64 and "Only the person who voted" in refused["data"]["content"]
    )

    click = fake.click(button["custom_id"], message=message)
    modal = fake.wait_for("POST", f"/interactions/{click['id']}", 1)[0].body
    assert modal["type"] == 9
    text_input = modal["data"]["components"][0]["components"][0]["custom_id"]
    submitted = fake.submit_modal(
        modal["data"]["custom_id"], {text_input: "They track the ball with a detector."}
    )
    thanks = fake.wait_for("POST", f"/interactions/{submitted['id']}", 1)[0].body
    assert "saved" in thanks["data"]["content"]
    db = store.open_database(db_path)
    assert [r["text"] for r in db["corrections"].rows] == ["They track the ball with a detector."]
