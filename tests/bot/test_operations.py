"""Running it for real: graceful SIGTERM, and no secret in logs or settings output."""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from bot.fakeslack import FakeSlack, event_callback, mention, sign
from bot.logs import MASK, RedactSecrets
from tests.conftest import wait_until

SECRETS = {
    "SLACK_BOT_TOKEN": "xoxb-1234-super-secret-bot-token",
    "SLACK_SIGNING_SECRET": "signing-secret-0123456789",
    "DISCORD_TOKEN": "discord-token-abcdefghijkl",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_sigterm_delivers_the_answers_in_flight(db_path, tiny_onnx_dir, tmp_path):
    port = _free_port()
    with FakeSlack() as fake:
        env = {
            **{
                k: v
                for k, v in os.environ.items()
                if not k.startswith(("ASKBLOG_", "SLACK_", "DISCORD_"))
            },
            "ASKBLOG_DB": str(db_path),
            "ASKBLOG_MODEL": str(tiny_onnx_dir),
            "ASKBLOG_HTTP_HOST": "127.0.0.1",
            "ASKBLOG_HTTP_PORT": str(port),
            "ASKBLOG_THREADS": "1",
            "ASKBLOG_POLL_MINUTES": "60",
            "SLACK_BOT_TOKEN": SECRETS["SLACK_BOT_TOKEN"],
            "SLACK_SIGNING_SECRET": SECRETS["SLACK_SIGNING_SECRET"],
            "SLACK_API_URL": fake.api_url,
        }
        log_path = tmp_path / "serve.log"
        log = log_path.open("w")
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve"],
            env=env,
            cwd=tmp_path,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until(lambda: _healthy(port), timeout=60)
            events = [mention(f"Question {i}: how is ball possession measured?") for i in range(3)]
            for event in events:
                body = json.dumps(event_callback(event))
                response = httpx.post(
                    f"http://127.0.0.1:{port}/slack/events",
                    content=body,
                    headers=sign(SECRETS["SLACK_SIGNING_SECRET"], body),
                )
                assert response.status_code == 200
            # Every question is taken (its placeholder shows) before SIGTERM.
            assert len(fake.wait_for("chat.postMessage", 3)) == 3
            stopping = time.monotonic()
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=120) == 0
        finally:
            if process.poll() is None:
                process.kill()
            log.close()
        updates = fake.of("chat.update")
        assert len(updates) == 3, "every question asked before SIGTERM was answered"
        assert any(u.at > stopping for u in updates), "some answer was in flight at SIGTERM"
        assert all("Source:" in u.args["text"] for u in updates), [u.args for u in updates]
        output = log_path.read_text()
        assert "received SIGTERM; shutting down" in output and "stopped" in output
        for secret in SECRETS.values():
            assert secret not in output


def _healthy(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200
    except httpx.HTTPError:
        return False


def test_config_check_hides_secrets_and_refuses_bad_combinations(tmp_path):
    env = {"PATH": str(Path(sys.executable).parent), **SECRETS}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "config", "check"],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    for secret in SECRETS.values():
        assert secret not in done.stdout + done.stderr
    assert "SLACK_BOT_TOKEN=(set, hidden)" in done.stdout
    http_without_secret = {"PATH": env["PATH"], "SLACK_BOT_TOKEN": SECRETS["SLACK_BOT_TOKEN"]}
    bad = subprocess.run(
        [sys.executable, "-m", "bot", "config", "check"],
        env=http_without_secret,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert bad.returncode == 1
    assert bad.stderr.startswith("Error: SLACK_BOT_TOKEN is set but neither SLACK_SIGNING_SECRET")
    assert SECRETS["SLACK_BOT_TOKEN"] not in bad.stderr


def test_log_records_are_redacted(caplog):
    logger = logging.getLogger("askblog.test")
    handler = logging.StreamHandler(stream := __import__("io").StringIO())
    handler.addFilter(RedactSecrets(list(SECRETS.values())))
    logger.addHandler(handler)
    try:
        logger.warning("calling Slack with %s", SECRETS["SLACK_BOT_TOKEN"])
        try:
            raise RuntimeError(f"bad token {SECRETS['DISCORD_TOKEN']}")
        except RuntimeError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    assert MASK in text
    for secret in SECRETS.values():
        assert secret not in text
