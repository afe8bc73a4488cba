"""The bot's core, with no platform code: ask a question, record a vote.

Adapters turn one platform event into one call here and the result into one
reply. Model calls run in a bounded worker pool, never on the caller's event
loop or request thread beyond waiting for the result.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sqlite_utils import Database

from bot import store
from bot.store import ConversationKey
from feeds.pick import NoPosts, pick_post
from feeds.store import Post, UnknownPost, list_posts
from model.engine import Engine
from model.prompt import PromptError

log = logging.getLogger(__name__)

Vote = Literal[1, -1]


class AskError(Exception):
    """A question that cannot be answered, with a message for the asker and a kind for logs."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind


@dataclass(frozen=True)
class Answer:
    """An answer with what it came from and what it cost."""

    text: str
    post: Post
    rule: str
    turn_id: int
    seconds: float
    context_truncated: bool = False

    @property
    def citation(self) -> str:
        return f"{self.post.title} <{self.post.link}>" if self.post.link else self.post.title


@dataclass(frozen=True)
class VoteResult:
    turn_id: int
    vote: int | None  # the user's vote after this event; None when removed


EMPTY_ANSWER = "The post does not seem to say."
MAX_CORRECTION = 2000


class Core:
    """Answers questions about stored posts and keeps each conversation's history and votes."""

    def __init__(self, *, db_path: str | Path, engine: Engine, workers: int = 1) -> None:
        self.db_path = db_path
        self.engine = engine
        self._pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="infer")
        self._local = threading.local()
        self._accepting = True
        self._in_flight = 0
        self._idle = threading.Condition()
        store.open_database(db_path).close()  # migrate once, up front

    # Each thread gets its own SQLite connection: adapters call from many threads.
    @property
    def db(self) -> Database:
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = store.open_database(self.db_path)
        return db

    def close(self, *, wait: bool = True, timeout: float = 120.0) -> None:
        """Stop taking questions; with WAIT, let the answers in flight be delivered first."""
        self._accepting = False
        if wait and not self.drain(timeout):
            log.warning("closing with answers still in flight after %.0f s", timeout)
        self._pool.shutdown(wait=wait)

    @contextmanager
    def answering(self):
        """Mark the whole of one answer (ask and delivery) as in flight, for a clean shutdown."""
        with self._idle:
            self._in_flight += 1
            # A question taken before shutdown began is answered during it.
            self._local.admitted = self._accepting
        try:
            yield
        finally:
            self._local.admitted = None
            with self._idle:
                self._in_flight -= 1
                self._idle.notify_all()

    def drain(self, timeout: float) -> bool:
        """Wait until no answer is in flight; False if TIMEOUT passed first."""
        with self._idle:
            return self._idle.wait_for(lambda: self._in_flight == 0, timeout)

    # --- asking ------------------------------------------------------------

    def ask(
        self,
        conversation: ConversationKey,
        question: str,
        *,
        post_hint: str | int | None = None,
        user: str | None = None,
    ) -> Answer:
        """Answer QUESTION in CONVERSATION, from the post the pick rules choose."""
        admitted = getattr(self._local, "admitted", None)
        if not (self._accepting if admitted is None else admitted):
            raise AskError("I'm restarting; please ask again in a minute.", "shutting-down")
        db = self.db
        existing = store.find_conversation(db, conversation)
        try:
            picked = pick_post(
                db,
                question,
                explicit=post_hint,
                conversation_post=existing["post_id"] if existing else None,
            )
        except (UnknownPost, NoPosts) as error:
            raise AskError(str(error), "unknown-post") from error
        turns = store.history(db, existing["id"]) if existing else []
        try:
            model_input = self.engine.prepare(picked.post.text, turns, question)
        except PromptError as error:
            raise AskError(str(error), "bad-question") from error
        started = time.perf_counter()
        try:
            future = self._pool.submit(self.engine.generate, model_input.input_ids)
        except RuntimeError as error:  # the pool was shut down: the process is stopping
            raise AskError(
                "I'm restarting; please ask again in a minute.", "shutting-down"
            ) from error
        try:
            generated = future.result()
        except Exception as error:
            log.exception("the model failed on a question about post %s", picked.post.id)
            raise AskError("The model failed while answering.", "model-error") from error
        seconds = time.perf_counter() - started
        text = generated.text or EMPTY_ANSWER
        conversation_row = existing or store.ensure_conversation(db, conversation)
        turn_id = store.add_turn(
            db,
            conversation_row["id"],
            question=question.strip(),
            answer=text,
            post_id=picked.post.id,
            rule=picked.rule,
            model=self.engine.name,
            latency_s=round(seconds, 3),
            asked_by=user,
        )
        log.info(
            "answered in %.2f s from post %s (%s) for %s/%s",
            seconds,
            picked.post.id,
            picked.rule,
            conversation.platform,
            conversation.channel,
        )
        return Answer(
            text=text,
            post=picked.post,
            rule=picked.rule,
            turn_id=turn_id,
            seconds=seconds,
            context_truncated=model_input.truncated,
        )

    async def ask_async(self, conversation: ConversationKey, question: str, **kwargs) -> Answer:
        """ask() for asyncio callers: the event loop only waits."""
        return await asyncio.to_thread(self.ask, conversation, question, **kwargs)

    def suggest_posts(self, typed: str, *, limit: int = 25) -> list[tuple[int, str]]:
        """Return (id, title) of posts whose title contains TYPED, newest first."""
        return [
            (p.id, p.title) for p in list_posts(self.db, limit=limit, title_prefix=typed.strip())
        ]

    async def suggest_posts_async(self, typed: str, *, limit: int = 25) -> list[tuple[int, str]]:
        return await asyncio.to_thread(self.suggest_posts, typed, limit=limit)

    def move_conversation(self, old: ConversationKey, new: ConversationKey) -> None:
        """Give a conversation a new place (a platform thread opened after its first answer)."""
        store.move_conversation(self.db, old, new)

    def attach_message(self, turn_id: int, platform: str, message_id: str) -> None:
        """Remember that a platform message carries (part of) a turn's answer."""
        store.attach_message(self.db, turn_id, platform, message_id)

    def follows(self, conversation: ConversationKey) -> bool:
        """Whether the bot has answered in this conversation (so it follows its thread)."""
        return store.find_conversation(self.db, conversation) is not None

    def claim_event(self, platform: str, event_id: str) -> bool:
        """True the first time an event id is seen; False for retries and duplicates."""
        return store.claim_event(self.db, platform, event_id)

    # --- feedback ----------------------------------------------------------

    def record_correction(self, platform: str, message_id: str, user: str, text: str) -> int | None:
        """Store the right answer USER gave for an answer; None if MESSAGE_ID is not an answer."""
        text = " ".join((text or "").split())
        if not text:
            raise AskError(
                "The correction is empty: type the answer the post gives.", "bad-correction"
            )
        if len(text) > MAX_CORRECTION:
            raise AskError(
                f"The correction is over {MAX_CORRECTION} characters: keep it to the answer.",
                "bad-correction",
            )
        turn_id = store.turn_for_message(self.db, platform, message_id)
        if turn_id is None:
            return None
        store.add_correction(self.db, turn_id, platform, user, text)
        log.info("correction for turn %s recorded", turn_id)
        return turn_id

    def record_feedback(
        self, platform: str, message_id: str, user: str, vote: Vote, *, removed: bool = False
    ) -> VoteResult | None:
        """Record a vote on an answer (the latest wins; removing it removes it).

        Returns None when the message is not one of the bot's answers.
        """
        db = self.db
        turn_id = store.turn_for_message(db, platform, message_id)
        if turn_id is None:
            return None
        if removed:
            store.remove_vote(db, turn_id, user, vote)
        else:
            store.set_vote(db, turn_id, platform, user, vote)
        return VoteResult(turn_id=turn_id, vote=store.votes(db, turn_id).get(user))
