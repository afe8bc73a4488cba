"""What the votes say: totals and per post."""

from __future__ import annotations

from sqlite_utils import Database


def stats(db: Database) -> dict:
    """Count answers and votes overall and per post (latest vote per user and answer)."""
    totals = next(
        db.query(
            """select count(*) as answers,
                      coalesce(sum(up), 0) as up, coalesce(sum(down), 0) as down,
                      coalesce(sum(up + down > 0), 0) as voted_answers
               from (select turns.id,
                            sum(feedback.vote = 1) as up, sum(feedback.vote = -1) as down
                     from turns left join feedback on feedback.turn_id = turns.id
                     group by turns.id)"""
        )
    )
    votes = totals["up"] + totals["down"]
    totals["share_up"] = round(totals["up"] / votes, 3) if votes else None
    per_post = list(
        db.query(
            """select posts.id as post_id, posts.title as title,
                      count(distinct turns.id) as answers,
                      coalesce(sum(feedback.vote = 1), 0) as up,
                      coalesce(sum(feedback.vote = -1), 0) as down
               from turns join posts on posts.id = turns.post_id
               left join feedback on feedback.turn_id = turns.id
               group by posts.id order by answers desc, posts.id"""
        )
    )
    return {**totals, "posts": per_post}
