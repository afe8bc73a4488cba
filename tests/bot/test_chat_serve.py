"""`askblog chat`, `askblog serve` (/healthz, fail-fast start) and `askblog feedback stats`."""

from __future__ import annotations

import json

import httpx
import pytest
from click.testing import CliRunner

from bot.chat_app import run_chat
from bot.cli import main
from bot.serve import Service
from bot.settings import Settings
from bot.store import ConversationKey


def test_chat_holds_a_conversation_in_the_terminal(core, engine):
    lines = iter(
        [
            "How do they measure ball possession in soccer?",
            "And how accurate is it?",
            "/post 1",
            "What is this one about?",
            "",
            "   ",
            "/new",
            "/quit",
        ]
    )
    out: list[str] = []
    answered = run_chat(core, read=lambda prompt: next(lines), write=out.append)
    assert answered == 3
    sources = [line for line in out if "Source:" in line]
    assert "TryoCoQA?post=3" in sources[0] and "TryoCoQA?post=3" in sources[1]
    assert "TryoCoQA?post=0" in sources[2]
    assert len(engine.prompts[1][1]) == 1  # the follow-up carried the first turn
    assert "(new conversation)" in out


def test_chat_shows_errors_and_ends_at_end_of_input(core):
    lines = iter(["/post 999", "Why?"])

    def read(prompt):
        try:
            return next(lines)
        except StopIteration:
            raise EOFError from None

    out: list[str] = []
    assert run_chat(core, read=read, write=out.append) == 0
    assert any("No stored post has the id or link '999'" in line for line in out)


def test_serve_reports_health_once_the_model_is_loaded(db_path, tiny_onnx_dir):
    settings = Settings(
        db=db_path,
        model=str(tiny_onnx_dir),
        http_host="127.0.0.1",
        http_port=0,
        threads=1,
        poll_minutes=60,
    )
    service = Service(settings)
    assert service.health()[0] is False
    service.start()
    try:
        response = httpx.get(f"http://127.0.0.1:{service.server.port}/healthz")
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "model": str(tiny_onnx_dir), "posts": 5}
        events = httpx.post(f"http://127.0.0.1:{service.server.port}/slack/events", content="{}")
        assert events.status_code == 503  # Slack is not configured
    finally:
        service.stop()


def test_serve_with_a_broken_model_fails_at_start_in_one_line(tmp_path):
    settings = Settings(
        db=tmp_path / "x.db", model=str(tmp_path / "missing"), http_port=0, http_host="127.0.0.1"
    )
    result = CliRunner().invoke(main, ["serve"], obj=settings)
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"Error: Model directory {tmp_path / 'missing'} does not exist; set ASKBLOG_MODEL "
        "(or --model) to a model directory or a hub id."
    ]


@pytest.fixture
def voted(core):
    a = core.ask(ConversationKey("s", "C", "1"), "soccer?")
    core.attach_message(a.turn_id, "s", "m1")
    core.record_feedback("s", "m1", "u1", 1)
    core.record_feedback("s", "m1", "u2", -1)
    core.record_feedback("s", "m1", "u3", 1)
    return a


def test_feedback_stats(voted, db_path):
    runner = CliRunner()
    settings = Settings(db=db_path)
    figures = json.loads(runner.invoke(main, ["feedback", "stats", "--json"], obj=settings).output)
    assert (figures["answers"], figures["up"], figures["down"], figures["share_up"]) == (
        1,
        2,
        1,
        0.667,
    )
    assert figures["posts"] == [
        {"post": voted.post.title, "answers": 1, "up": 2, "down": 1, "share_up": 0.667}
    ]
    assert [(m["answers"], m["up"]) for m in figures["models"]] == [(1, 2)]
    assert len(figures["weeks"]) == 1
    assert figures["lowest_rated"][0]["question"] == "soccer?"
    text = runner.invoke(main, ["feedback", "stats"], obj=settings).output
    assert "1 answers, 1 with votes: 2 👍, 1 👎 (67% 👍)" in text
    assert "lowest rated:" in text


def test_slack_benchmark_answers_every_mention_once():
    from bot.bench_slack import measure, table

    figures = measure(4, progress=lambda _: None)
    assert figures["answered"] == 4 and figures["answered_exactly_once"]
    assert figures["progress_p50_s"] <= figures["answer_p50_s"]
    assert "| 4 | 4 | True |" in table(figures)


def test_serve_runs_discord_beside_slack(db_path, tiny_onnx_dir):
    from bot.fakediscord import FakeDiscord
    from bot.fakeslack import FakeSlack

    with FakeDiscord() as discord_fake, FakeSlack() as slack_fake:
        settings = Settings(
            db=db_path,
            model=str(tiny_onnx_dir),
            http_host="127.0.0.1",
            http_port=0,
            threads=1,
            slack_bot_token="xoxb-x",
            slack_signing_secret="s",
            slack_api_url=slack_fake.api_url,
            discord_token="d",
            discord_api_url=discord_fake.api_url,
            discord_gateway_url=discord_fake.gateway_url,
        )
        service = Service(settings)
        service.start()
        try:
            assert discord_fake.wait_for("PUT", "/applications", 1)
            assert slack_fake.of("auth.test")
            assert service.server.slack_app is not None
        finally:
            service.stop()
        assert not service.discord._thread.is_alive()
