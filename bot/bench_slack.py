"""Slack benchmark: many mentions at once against the tiny model, over the real Bolt app."""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from bot.core import Core
from bot.fakeslack import FakeSlack, event_callback, mention, sign
from bot.http import ServiceServer
from bot.settings import Settings
from bot.slack_app import build_slack_app
from bot.store import open_database
from feeds.bench import generate_feed
from feeds.fetch import Fetcher
from feeds.ingest import poll_feed
from feeds.store import add_feed
from model.engine import load_engine
from model.export import export
from model.factory import build_tiny

SECRET = "bench-signing-secret"


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def measure(mentions: int = 20, *, progress: Callable[[str], None] = print) -> dict:
    """Post MENTIONS signed app_mention events at once; time progress and answer per mention."""
    with tempfile.TemporaryDirectory() as tmp, FakeSlack() as fake:
        work = Path(tmp)
        progress("building and exporting the tiny model")
        export(build_tiny(work / "tiny"), work / "tiny-onnx", threads=1, progress=lambda _: None)
        feed = work / "feed.xml"
        feed.write_bytes(generate_feed(5))
        db = open_database(work / "bench.db")
        add_feed(db, str(feed))
        with Fetcher() as fetcher:
            poll_feed(db, str(feed), fetcher=fetcher)
        db.close()
        settings = Settings(
            db=work / "bench.db",
            slack_bot_token="xoxb-bench",
            slack_signing_secret=SECRET,
            slack_api_url=fake.api_url,
        )
        core = Core(db_path=settings.db, engine=load_engine(str(work / "tiny-onnx")), workers=1)
        server = ServiceServer("127.0.0.1", 0)
        server.slack_app = build_slack_app(settings, core)
        server.start()
        url = f"http://127.0.0.1:{server.port}/slack/events"
        events = [
            mention(f"What does post {i} say about the model and the data?")
            for i in range(mentions)
        ]
        sent: dict[str, float] = {}
        statuses: list[int] = []

        def post(event: dict) -> None:
            body = json.dumps(event_callback(event))
            sent[event["ts"]] = time.monotonic()
            statuses.append(httpx.post(url, content=body, headers=sign(SECRET, body)).status_code)

        progress(f"posting {mentions} mentions at once")
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=mentions) as pool:
            list(pool.map(post, events))
        fake.wait_for("chat.update", mentions, timeout=600)
        elapsed = time.monotonic() - started
        time.sleep(0.5)  # let any duplicate show itself
        server.stop()
        core.close()

        to_progress, to_answer, replies_per_mention = [], [], []
        for event in events:
            replies = [
                c for c in fake.of("chat.postMessage") if c.args.get("thread_ts") == event["ts"]
            ]
            replies_per_mention.append(len(replies))
            if not replies:
                continue
            updates = [c for c in fake.of("chat.update") if c.args.get("ts") == replies[0].ts]
            to_progress.append(replies[0].at - sent[event["ts"]])
            if updates:
                to_answer.append(updates[-1].at - sent[event["ts"]])
        return {
            "mentions": mentions,
            "http_200": statuses.count(200),
            "answered": len(to_answer),
            "answered_exactly_once": replies_per_mention.count(1) == mentions
            and len(fake.of("chat.update")) == mentions,
            "progress_p50_s": round(statistics.median(to_progress), 3),
            "progress_p99_s": round(_percentile(to_progress, 0.99), 3),
            "answer_p50_s": round(statistics.median(to_answer), 3) if to_answer else None,
            "answer_p99_s": round(_percentile(to_answer, 0.99), 3) if to_answer else None,
            "total_s": round(elapsed, 2),
        }


def table(figures: dict) -> str:
    header = "| mentions | answered | exactly once | progress p50 / p99 s | answer p50 / p99 s |"
    progress = f"{figures['progress_p50_s']:.2f} / {figures['progress_p99_s']:.2f}"
    answer = f"{figures['answer_p50_s']:.2f} / {figures['answer_p99_s']:.2f}"
    row = (
        f"| {figures['mentions']} | {figures['answered']} | {figures['answered_exactly_once']} "
        f"| {progress} | {answer} |"
    )
    return "\n".join([header, "|---:|---:|---|---:|---:|", row])
