"""`askblog chat`: the same conversation as in a Slack thread, in the terminal."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from bot.core import AskError, Core
from bot.store import ConversationKey

PLATFORM = "terminal"
HELP = (
    "Ask about the blog's posts. Commands: /post ID|URL (answer from that post), "
    "/new (start a new conversation), /quit."
)


def run_chat(
    core: Core,
    *,
    read: Callable[[str], str] = input,
    write: Callable[[str], None] = print,
) -> int:
    """Hold a conversation until /quit or end of input; return the number of answers."""
    conversation = ConversationKey(PLATFORM, "local", uuid.uuid4().hex)
    post_hint: str | None = None
    answered = 0
    write(HELP)
    while True:
        try:
            line = read("you> ").strip()
        except (EOFError, KeyboardInterrupt):
            write("")
            return answered
        if not line:
            continue
        if line in ("/quit", "/exit"):
            return answered
        if line == "/new":
            conversation = ConversationKey(PLATFORM, "local", uuid.uuid4().hex)
            post_hint = None
            write("(new conversation)")
            continue
        if line.startswith("/post"):
            post_hint = line[len("/post") :].strip() or None
            write(f"(next answer from post {post_hint})" if post_hint else "(post cleared)")
            continue
        if line.startswith("/"):
            write(HELP)
            continue
        try:
            answer = core.ask(conversation, line, post_hint=post_hint, user="terminal")
        except AskError as error:
            write(f"askblog> {error.message}")
            continue
        post_hint = None  # the conversation now follows the post it was answered from
        answered += 1
        write(f"askblog> {answer.text}\n         Source: {answer.citation}")
