"""The Slack adapter: @mentions and thread follow-ups become answers; 👍/👎 become votes.

A thin layer on slack-bolt: each event becomes one call into bot.core and its
result one reply in the thread. Bolt acknowledges events before the listener
runs (process_before_response=False), so a slow answer never delays Slack's
HTTP request.
"""

from __future__ import annotations

import logging
import re
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.core import AskError, Core
from bot.settings import Settings
from bot.store import ConversationKey
from bot.text import split_message

log = logging.getLogger(__name__)

PLATFORM = "slack"
# Slack truncates a message's text past 40,000 characters and advises staying
# under 4,000; a split at 3,900 leaves room for the citation line.
MESSAGE_LIMIT = 3900
THINKING = ":hourglass_flowing_sand: Reading the post…"
CORRECT_ACTION = "askblog_correct"
CORRECTION_VIEW = "askblog_correction"
CORRECTION_BLOCK = "correction"
CORRECTION_INPUT = "answer"
VOTES = {"thumbsup": 1, "+1": 1, "thumbsdown": -1, "-1": -1}
_MENTION = re.compile(r"<@[A-Z0-9]+>")
# Message subtypes that are still a person writing in the thread.
_HUMAN_SUBTYPES = (None, "thread_broadcast", "file_share")


def vote_of(reaction: str) -> int | None:
    """Map a reaction name (any skin tone) to +1 / -1, or None when it is not a vote."""
    return VOTES.get(reaction.split("::", 1)[0])


def message_id(channel: str, ts: str) -> str:
    return f"{channel}:{ts}"


def build_slack_app(settings: Settings, core: Core) -> App:
    """Build the Bolt app for SETTINGS (HTTP events when a signing secret is set)."""
    client = WebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url or WebClient.BASE_URL,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=3)],
    )
    app = App(
        client=client,
        signing_secret=settings.slack_signing_secret or None,
        token_verification_enabled=True,
        process_before_response=False,
        # Listeners wait on the (bounded) inference pool; enough of them that
        # every question gets its progress message at once while others queue.
        listener_executor=ThreadPoolExecutor(max_workers=64, thread_name_prefix="slack"),
        # Socket Mode apps carry no signing secret; Bolt must not demand one.
        request_verification_enabled=bool(settings.slack_signing_secret),
    )
    register(app, core)
    return app


def register(app: App, core: Core) -> None:
    """Attach the listeners to APP."""

    @app.event("app_mention")
    def on_mention(body: dict, event: dict, client: WebClient, context) -> None:
        if event.get("bot_id") or not core.claim_event(PLATFORM, body["event_id"]):
            return
        thread = event.get("thread_ts") or event["ts"]
        question = _MENTION.sub("", event.get("text") or "").strip()
        _answer(core, client, event["channel"], thread, question, event.get("user"))

    @app.event("message")
    def on_message(body: dict, event: dict, client: WebClient, context) -> None:
        thread = event.get("thread_ts")
        if (
            not thread
            or event.get("bot_id")
            or event.get("subtype") not in _HUMAN_SUBTYPES
            or event.get("user") == context.bot_user_id
            # A mention in the thread also arrives as app_mention; answer it once.
            or (context.bot_user_id and f"<@{context.bot_user_id}>" in (event.get("text") or ""))
        ):
            return
        key = ConversationKey(PLATFORM, event["channel"], thread)
        if not core.follows(key) or not core.claim_event(PLATFORM, body["event_id"]):
            return
        _answer(core, client, event["channel"], thread, event.get("text") or "", event.get("user"))

    def on_reaction(event: dict, context, client: WebClient, removed: bool) -> None:
        vote = vote_of(event.get("reaction") or "")
        item = event.get("item") or {}
        if (
            vote is None
            or item.get("type") != "message"
            or event.get("user") == context.bot_user_id
        ):
            return
        result = core.record_feedback(
            PLATFORM, message_id(item["channel"], item["ts"]), event["user"], vote, removed=removed
        )
        if result is not None:
            log.info("vote on turn %s by %s: %s", result.turn_id, event["user"], result.vote)
            if vote < 0 and not removed:
                _offer_correction(
                    client, item["channel"], event["user"], message_id(item["channel"], item["ts"])
                )

    @app.event("reaction_added")
    def on_reaction_added(event: dict, context, client: WebClient) -> None:
        on_reaction(event, context, client, removed=False)

    @app.event("reaction_removed")
    def on_reaction_removed(event: dict, context, client: WebClient) -> None:
        on_reaction(event, context, client, removed=True)

    @app.action(CORRECT_ACTION)
    def on_correct(ack, body: dict, client: WebClient) -> None:
        ack()
        answer = body["actions"][0]["value"]
        client.views_open(trigger_id=body["trigger_id"], view=_correction_modal(answer))

    @app.view(CORRECTION_VIEW)
    def on_correction(ack, body: dict, view: dict) -> None:
        value = view["state"]["values"][CORRECTION_BLOCK][CORRECTION_INPUT].get("value") or ""
        try:
            turn = core.record_correction(
                PLATFORM, view["private_metadata"], body["user"]["id"], value
            )
        except AskError as error:
            ack(response_action="errors", errors={CORRECTION_BLOCK: error.message})
            return
        if turn is None:
            ack(response_action="errors", errors={CORRECTION_BLOCK: "That answer is gone."})
            return
        ack()


def _offer_correction(client: WebClient, channel: str, user: str, answer: str) -> None:
    """Show the 👎 voter (only) a button to give the right answer."""
    try:
        client.chat_postEphemeral(
            channel=channel,
            user=user,
            text="Thanks for the vote. Do you know the right answer?",
            blocks=[
                {
                    "type": "section",
                    "text": {
                        "type": "mrkdwn",
                        "text": "Thanks for the vote. If you know the right answer, "
                        "it will teach the next model.",
                    },
                },
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "button",
                            "action_id": CORRECT_ACTION,
                            "value": answer,
                            "text": {"type": "plain_text", "text": "Give the right answer"},
                        }
                    ],
                },
            ],
        )
    except Exception:
        log.exception("slack: could not offer a correction to %s", user)


def _correction_modal(answer: str) -> dict:
    return {
        "type": "modal",
        "callback_id": CORRECTION_VIEW,
        "private_metadata": answer,
        "title": {"type": "plain_text", "text": "Correct the answer"},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {
                "type": "input",
                "block_id": CORRECTION_BLOCK,
                "label": {"type": "plain_text", "text": "The right answer, as the post gives it"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": CORRECTION_INPUT,
                    "multiline": True,
                    "max_length": 2000,
                },
            }
        ],
    }


def _answer(
    core: Core, client: WebClient, channel: str, thread: str, question: str, user: str | None
) -> None:
    """Show progress at once, then replace it with the answer, or with what went wrong."""
    with core.answering():
        _answer_in_thread(core, client, channel, thread, question, user)


def _answer_in_thread(
    core: Core, client: WebClient, channel: str, thread: str, question: str, user: str | None
) -> None:
    placeholder = None
    try:
        placeholder = client.chat_postMessage(channel=channel, thread_ts=thread, text=THINKING)[
            "ts"
        ]
        answer = core.ask(ConversationKey(PLATFORM, channel, thread), question, user=user)
        text = f"{answer.text}\n\n_Source: <{answer.post.link}|{answer.post.title}>_"
        if not answer.post.link:
            text = f"{answer.text}\n\n_Source: {answer.post.title}_"
        chunks = split_message(text, MESSAGE_LIMIT)
        # Known as an answer before anyone can see it, so no early vote is lost.
        core.attach_message(answer.turn_id, PLATFORM, message_id(channel, placeholder))
        client.chat_update(channel=channel, ts=placeholder, text=chunks[0])
        for chunk in chunks[1:]:
            ts = client.chat_postMessage(channel=channel, thread_ts=thread, text=chunk)["ts"]
            core.attach_message(answer.turn_id, PLATFORM, message_id(channel, ts))
    except AskError as error:
        log.warning("slack %s/%s: %s: %s", channel, thread, error.kind, error.message)
        _say(client, channel, thread, placeholder, f":warning: {error.message}")
    except Exception:
        log.exception("slack %s/%s: failed to answer", channel, thread)
        _say(
            client,
            channel,
            thread,
            placeholder,
            ":warning: Sorry, something went wrong on my side while answering (internal error). "
            "It has been logged; please try again.",
        )


def _say(client: WebClient, channel: str, thread: str, placeholder: str | None, text: str) -> None:
    try:
        if placeholder:
            client.chat_update(channel=channel, ts=placeholder, text=text)
        else:
            client.chat_postMessage(channel=channel, thread_ts=thread, text=text)
    except Exception:
        log.exception("slack %s/%s: could not deliver the error message either", channel, thread)
