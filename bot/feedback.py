"""What the votes say (stats), and the training data they make (export, CoQA format)."""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from pathlib import Path

from sqlite_utils import Database

from bot import store

EXPORT_SOURCE = "askblog-feedback"

_PER_TURN = """
    select turns.*,
           coalesce(sum(feedback.vote = 1), 0) as up,
           coalesce(sum(feedback.vote = -1), 0) as down
    from turns left join feedback on feedback.turn_id = turns.id
    group by turns.id
"""


def _grouped(db: Database, key: str, label: str) -> list[dict]:
    rows = db.query(
        f"""select {key} as {label}, count(*) as answers, sum(up) as up, sum(down) as down
            from ({_PER_TURN}) as t left join posts on posts.id = t.post_id
            group by {label} order by {label}"""
    )
    return [{**r, "share_up": _share(r["up"], r["down"])} for r in rows]


def _share(up: int, down: int) -> float | None:
    return round(up / (up + down), 3) if up + down else None


def stats(db: Database, *, lowest: int = 5) -> dict:
    """Answers and votes overall, per post, per model and per week, and the lowest-rated answers."""
    totals = next(
        db.query(
            f"""select count(*) as answers, coalesce(sum(up), 0) as up,
                       coalesce(sum(down), 0) as down,
                       coalesce(sum(up + down > 0), 0) as voted_answers
                from ({_PER_TURN})"""
        )
    )
    totals["share_up"] = _share(totals["up"], totals["down"])
    worst = db.query(
        f"""select t.id as turn_id, t.question, t.answer, t.up, t.down, posts.title as post
            from ({_PER_TURN}) as t left join posts on posts.id = t.post_id
            where t.down > 0 order by t.up - t.down, t.down desc, t.id limit ?""",
        [lowest],
    )
    return {
        **totals,
        "posts": _grouped(db, "posts.title", "post"),
        "models": _grouped(db, "t.model", "model"),
        "weeks": _grouped(db, "strftime('%Y-W%W', t.created_at)", "week"),
        "lowest_rated": list(worst),
    }


def _latest_votes(db: Database) -> dict[int, int]:
    rows = db.query("select turn_id, vote from feedback order by updated_at, rowid")
    latest: dict[int, int] = {}
    for row in rows:
        latest[row["turn_id"]] = row["vote"]
    return latest


def _corrections(db: Database) -> dict[int, str]:
    rows = db.query("select turn_id, text from corrections order by created_at, id")
    return {row["turn_id"]: row["text"] for row in rows}


def export(db: Database, out: Path) -> dict:
    """Write the answers people approved (latest vote 👍) or corrected as a CoQA-format dataset.

    One record per stretch of a conversation about one post: its earlier turns
    are the history, and "train_turns" lists the turns that are training
    examples (👎 answers are left out unless corrected; a correction replaces
    the answer). User and conversation ids are salted hashes; the salt stays
    in the database, so exports are consistent with each other.
    """
    salt = store.meta_value(db, "export_salt", lambda: secrets.token_hex(16))

    def pseudonym(prefix: str, *parts: object) -> str:
        digest = hashlib.sha256(":".join([salt, *map(str, parts)]).encode()).hexdigest()
        return f"{prefix}{digest[:16]}"

    latest, corrected = _latest_votes(db), _corrections(db)
    votes = {}
    for row in db.query("select turn_id, user, platform, vote from feedback order by turn_id"):
        votes.setdefault(row["turn_id"], []).append(row)
    records, examples = [], 0
    for conversation in db.query("select * from conversations order by id"):
        turns = list(
            db["turns"].rows_where("conversation_id = ?", [conversation["id"]], order_by="id")
        )
        segments: list[list[dict]] = []
        for turn in turns:
            if segments and segments[-1][0]["post_id"] == turn["post_id"]:
                segments[-1].append(turn)
            else:
                segments.append([turn])
        for segment in segments:
            chosen = [
                i for i, t in enumerate(segment) if t["id"] in corrected or latest.get(t["id"]) == 1
            ]
            post = next(db["posts"].rows_where("id = ?", [segment[0]["post_id"]]), None)
            if not chosen or post is None:
                continue
            kept = segment[: chosen[-1] + 1]
            records.append(
                {
                    "conversation_id": pseudonym(
                        "c", conversation["platform"], conversation["id"], segment[0]["id"]
                    ),
                    "source": EXPORT_SOURCE,
                    "post": {"id": post["id"], "title": post["title"], "link": post["link"]},
                    "story": post["text"],
                    "questions": [t["question"] for t in kept],
                    "answers": {"input_text": [corrected.get(t["id"], t["answer"]) for t in kept]},
                    "train_turns": [i + 1 for i in chosen],
                    "corrected_turns": [i + 1 for i, t in enumerate(kept) if t["id"] in corrected],
                    "votes": [
                        {
                            "turn": i + 1,
                            "user": pseudonym("u", v["platform"], v["user"]),
                            "vote": v["vote"],
                        }
                        for i, t in enumerate(kept)
                        for v in votes.get(t["id"], [])
                    ],
                    "model": kept[-1]["model"],
                }
            )
            examples += len(chosen)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    partial.write_text(json.dumps(records, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(partial, out)
    return {"conversations": len(records), "examples": examples, "output": str(out)}
