"""Conversations, turns, answer messages, processed events and votes, in the same SQLite file."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database

from feeds.db import Migrations, now, open_db
from model.prompt import Turn

migration = Migrations()


@migration
def m101_conversations(db: Database) -> None:
    db["conversations"].create(
        {
            "id": int,
            "platform": str,
            "channel": str,
            "thread": str,
            "post_id": int,
            "created_at": str,
            "updated_at": str,
        },
        pk="id",
        not_null={"platform", "channel", "thread"},
    )
    db["conversations"].create_index(["platform", "channel", "thread"], unique=True)
    db["turns"].create(
        {
            "id": int,
            "conversation_id": int,
            "question": str,
            "answer": str,
            "post_id": int,
            "rule": str,
            "model": str,
            "latency_s": float,
            "asked_by": str,
            "created_at": str,
        },
        pk="id",
        foreign_keys=[("conversation_id", "conversations", "id")],
    )
    db["turns"].create_index(["conversation_id"])
    # One answer can span several platform messages (long answers are split);
    # a vote on any of them is a vote on the answer.
    db["answer_messages"].create(
        {"platform": str, "message_id": str, "turn_id": int},
        pk=("platform", "message_id"),
        foreign_keys=[("turn_id", "turns", "id")],
    )
    db["processed_events"].create(
        {"platform": str, "event_id": str, "received_at": str}, pk=("platform", "event_id")
    )
    db["feedback"].create(
        {"turn_id": int, "user": str, "platform": str, "vote": int, "updated_at": str},
        pk=("turn_id", "user"),
        foreign_keys=[("turn_id", "turns", "id")],
    )


@migration
def m102_corrections_and_meta(db: Database) -> None:
    # The right answer a voter gave after a 👎; the latest per answer is used.
    db["corrections"].create(
        {"id": int, "turn_id": int, "user": str, "platform": str, "text": str, "created_at": str},
        pk="id",
        foreign_keys=[("turn_id", "turns", "id")],
    )
    db["corrections"].create_index(["turn_id"])
    db["meta"].create({"key": str, "value": str}, pk="key")


def open_database(path: str | Path) -> Database:
    """Open the project's database with every migration applied (posts and conversations)."""
    return open_db(path, extra=(migration,))


@dataclass(frozen=True)
class ConversationKey:
    """Where a conversation happens: one per (platform, channel, thread)."""

    platform: str
    channel: str
    thread: str


def find_conversation(db: Database, key: ConversationKey) -> dict | None:
    return next(
        db["conversations"].rows_where(
            "platform = ? and channel = ? and thread = ?",
            [key.platform, key.channel, key.thread],
            limit=1,
        ),
        None,
    )


def ensure_conversation(db: Database, key: ConversationKey) -> dict:
    """Return the conversation for KEY, creating it on first use."""
    stamp = now()
    db.execute(
        """insert or ignore into conversations (platform, channel, thread, created_at, updated_at)
           values (?, ?, ?, ?, ?)""",
        [key.platform, key.channel, key.thread, stamp, stamp],
    )
    conversation = find_conversation(db, key)
    assert conversation is not None
    return conversation


def move_conversation(db: Database, old: ConversationKey, new: ConversationKey) -> None:
    row = find_conversation(db, old)
    if row is not None:
        db["conversations"].update(
            row["id"], {"platform": new.platform, "channel": new.channel, "thread": new.thread}
        )


def history(db: Database, conversation_id: int, *, turns: int = 2) -> list[Turn]:
    """Return the last TURNS question/answer pairs, oldest first."""
    rows = list(
        db["turns"].rows_where(
            "conversation_id = ?", [conversation_id], order_by="id desc", limit=turns
        )
    )
    return [Turn(row["question"], row["answer"]) for row in reversed(rows)]


def add_turn(db: Database, conversation_id: int, **values) -> int:
    """Store a turn and make its post the conversation's post; return the turn id."""
    stamp = now()
    with db.atomic():
        turn_id = (
            db["turns"]
            .insert({"conversation_id": conversation_id, "created_at": stamp, **values})
            .last_pk
        )
        db["conversations"].update(
            conversation_id, {"post_id": values.get("post_id"), "updated_at": stamp}
        )
    return int(turn_id)


def attach_message(db: Database, turn_id: int, platform: str, message_id: str) -> None:
    db["answer_messages"].insert(
        {"platform": platform, "message_id": message_id, "turn_id": turn_id}, replace=True
    )


def turn_for_message(db: Database, platform: str, message_id: str) -> int | None:
    row = next(
        db["answer_messages"].rows_where(
            "platform = ? and message_id = ?", [platform, message_id], limit=1
        ),
        None,
    )
    return int(row["turn_id"]) if row else None


def claim_event(db: Database, platform: str, event_id: str) -> bool:
    """Record an event as being handled; False if it was already (a retry or a duplicate)."""
    cursor = db.execute(
        "insert or ignore into processed_events (platform, event_id, received_at) values (?, ?, ?)",
        [platform, event_id, now()],
    )
    return cursor.rowcount == 1


def set_vote(db: Database, turn_id: int, platform: str, user: str, vote: int) -> None:
    """Record USER's vote on a turn; a later vote replaces an earlier one."""
    db["feedback"].upsert(
        {"turn_id": turn_id, "user": user, "platform": platform, "vote": vote, "updated_at": now()},
        pk=("turn_id", "user"),
    )


def remove_vote(db: Database, turn_id: int, user: str, vote: int) -> bool:
    """Remove USER's vote if it is still VOTE (removing an old reaction keeps a newer vote)."""
    cursor = db.execute(
        "delete from feedback where turn_id = ? and user = ? and vote = ?", [turn_id, user, vote]
    )
    return cursor.rowcount == 1


def votes(db: Database, turn_id: int) -> dict[str, int]:
    return {row["user"]: row["vote"] for row in db["feedback"].rows_where("turn_id = ?", [turn_id])}


def add_correction(db: Database, turn_id: int, platform: str, user: str, text: str) -> None:
    db["corrections"].insert(
        {"turn_id": turn_id, "user": user, "platform": platform, "text": text, "created_at": now()}
    )


def meta_value(db: Database, key: str, make: Callable[[], str]) -> str:
    """Return a stored value, creating it with MAKE the first time."""
    db.execute("insert or ignore into meta (key, value) values (?, ?)", [key, make()])
    return next(db.query("select value from meta where key = ?", [key]))["value"]
