"""A fake Discord REST API and gateway on loopback, for the real discord.py client.

It answers what the bot needs (login, command sync, interaction callbacks,
follow-up webhooks, messages, threads) and records every call; tests push
gateway events (INTERACTION_CREATE, MESSAGE_CREATE, reactions) through it.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from aiohttp import WSMsgType, web

BOT_ID = "900000000000000001"
APP_ID = "900000000000000002"
GUILD_ID = "900000000000000010"
CHANNEL_ID = "900000000000000020"
USER_ID = "900000000000000030"
API_VERSION = 10


@dataclass(frozen=True)
class Call:
    """One REST call the bot made."""

    method: str
    path: str
    body: dict
    at: float  # time.monotonic() on arrival
    result: dict


def user(user_id: str = USER_ID, name: str = "reader", bot: bool = False) -> dict:
    return {
        "id": user_id,
        "username": name,
        "discriminator": "0",
        "global_name": name,
        "avatar": None,
        "bot": bot,
    }


BOT_USER = user(BOT_ID, "askblog", bot=True)


def member(of: dict | None = None, **extra) -> dict:
    """A guild member object; without OF, the partial form that message events carry."""
    data = {"roles": [], "joined_at": _now(), "deaf": False, "mute": False, "flags": 0, **extra}
    if of is not None:
        data["user"] = of
    return data


class FakeDiscord:
    """Serve REST at /api/v10 and the gateway at /gateway, in a thread with its own loop."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.commands: list[dict] = []
        self.identified = threading.Event()
        self._ids = itertools.count(1)
        self._seq = itertools.count(2)
        self._lock = threading.Condition()
        self._ws: web.WebSocketResponse | None = None
        self._loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        self.port = 0
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    # --- lifecycle -----------------------------------------------------------

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v{API_VERSION}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    def __enter__(self) -> FakeDiscord:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        if not self._thread.is_alive():
            self._loop.close()

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]

    async def _stop(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # --- what tests use -----------------------------------------------------------

    def snowflake(self) -> str:
        return str(1_000_000_000_000_000_000 + next(self._ids))

    def of(self, method: str, prefix: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method and c.path.startswith(prefix)]

    def wait_for(
        self, method: str, prefix: str, count: int = 1, timeout: float = 15.0
    ) -> list[Call]:
        deadline = time.monotonic() + timeout
        with self._lock:
            while (
                len([c for c in self.calls if c.method == method and c.path.startswith(prefix)])
                < count
            ):
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._lock.wait(left)
        return self.of(method, prefix)

    def dispatch(self, event: str, data: dict) -> None:
        """Send a gateway DISPATCH event to the connected bot."""
        payload = {"op": 0, "t": event, "s": next(self._seq), "d": data}
        asyncio.run_coroutine_threadsafe(self._send(payload), self._loop).result(10)

    def interaction(
        self,
        question: str,
        *,
        post: str | None = None,
        channel_id: str = CHANNEL_ID,
        user_id: str = USER_ID,
    ) -> dict:
        """Send an INTERACTION_CREATE for /askblog; return its payload."""
        options = [{"name": "question", "type": 3, "value": question}]
        if post is not None:
            options.append({"name": "post", "type": 3, "value": post})
        return self._interaction(2, options, channel_id, user_id)

    def autocomplete(self, typed: str, *, question: str = "") -> dict:
        options = [
            {"name": "question", "type": 3, "value": question},
            {"name": "post", "type": 3, "value": typed, "focused": True},
        ]
        return self._interaction(4, options, CHANNEL_ID, USER_ID)

    def message(
        self,
        content: str,
        *,
        channel_id: str,
        reply_to: dict | None = None,
        mentions_bot: bool = False,
        author: dict | None = None,
    ) -> dict:
        """Send a MESSAGE_CREATE in CHANNEL_ID; return the message."""
        data = self._message(channel_id, content, author or user())
        data["guild_id"] = GUILD_ID
        data["member"] = member()
        if mentions_bot:
            data["mentions"] = [BOT_USER]
        if reply_to is not None:
            data["type"] = 19
            data["message_reference"] = {
                "message_id": reply_to["id"],
                "channel_id": channel_id,
                "guild_id": GUILD_ID,
            }
            data["referenced_message"] = reply_to
        self.dispatch("MESSAGE_CREATE", data)
        return data

    def reaction(
        self,
        emoji: str,
        *,
        message_id: str,
        channel_id: str,
        added: bool = True,
        user_id: str = USER_ID,
    ) -> None:
        data = {
            "user_id": user_id,
            "channel_id": channel_id,
            "message_id": message_id,
            "guild_id": GUILD_ID,
            "emoji": {"id": None, "name": emoji},
            "burst": False,
            "type": 0,
        }
        if added:
            data["member"] = member(user(user_id))
        self.dispatch("MESSAGE_REACTION_ADD" if added else "MESSAGE_REACTION_REMOVE", data)

    # --- internals --------------------------------------------------------------------------

    def click(self, custom_id: str, *, message: dict, user_id: str = USER_ID) -> dict:
        """Send a button click (a component interaction) on MESSAGE."""
        data = {"custom_id": custom_id, "component_type": 2}
        return self._interaction(3, [], message["channel_id"], user_id, data=data, message=message)

    def submit_modal(
        self, custom_id: str, values: dict[str, str], *, user_id: str = USER_ID
    ) -> dict:
        """Send a modal submission with text input VALUES (custom id -> text)."""
        rows = [
            {"type": 1, "components": [{"type": 4, "custom_id": key, "value": value}]}
            for key, value in values.items()
        ]
        data = {"custom_id": custom_id, "components": rows}
        return self._interaction(5, [], CHANNEL_ID, user_id, data=data)

    def _interaction(
        self,
        kind: int,
        options: list[dict],
        channel_id: str,
        user_id: str,
        *,
        data: dict | None = None,
        message: dict | None = None,
    ) -> dict:
        command = next((c for c in self.commands if c["name"] == "askblog"), None)
        payload = {
            "id": self.snowflake(),
            "application_id": APP_ID,
            "type": kind,
            "token": f"token-{next(self._ids)}",
            "version": 1,
            "guild_id": GUILD_ID,
            "channel_id": channel_id,
            "channel": {"id": channel_id, "type": 0, "guild_id": GUILD_ID, "name": "blog"},
            "member": member(user(user_id), permissions="2147483647"),
            "app_permissions": "2147483647",
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {},
            "attachment_size_limit": 10 * 1024 * 1024,
            "context": 0,
            "data": data
            or {
                "id": command["id"] if command else "0",
                "name": "askblog",
                "type": 1,
                "options": options,
                "guild_id": GUILD_ID,
            },
        }
        if message is not None:
            payload["message"] = message
        self.dispatch("INTERACTION_CREATE", payload)
        return payload

    def _message(self, channel_id: str, content: str, author: dict) -> dict:
        return {
            "id": self.snowflake(),
            "channel_id": channel_id,
            "author": author,
            "content": content,
            "timestamp": _now(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "pinned": False,
            "type": 0,
            "flags": 0,
            "components": [],
        }

    async def _send(self, payload: dict) -> None:
        if self._ws is None:
            raise RuntimeError("no bot is connected to the fake gateway")
        await self._ws.send_str(json.dumps(payload))

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._ws = ws
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 41250}}))
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            data = json.loads(msg.data)
            if data["op"] == 1:
                await ws.send_str(json.dumps({"op": 11}))
            elif data["op"] == 2:
                await ws.send_str(json.dumps({"op": 0, "t": "READY", "s": 1, "d": self._ready()}))
                await ws.send_str(
                    json.dumps(
                        {"op": 0, "t": "GUILD_CREATE", "s": next(self._seq), "d": self._guild()}
                    )
                )
                self.identified.set()
        return ws

    def _ready(self) -> dict:
        return {
            "v": API_VERSION,
            "user": BOT_USER,
            "guilds": [{"id": GUILD_ID, "unavailable": True}],
            "session_id": "fake-session",
            "resume_gateway_url": self.gateway_url,
            "application": {"id": APP_ID, "flags": 0},
            "private_channels": [],
            "relationships": [],
            "shard": [0, 1],
        }

    def _guild(self) -> dict:
        return {
            "id": GUILD_ID,
            "name": "Blog readers",
            "icon": None,
            "owner_id": USER_ID,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "features": [],
            "mfa_level": 0,
            "system_channel_flags": 0,
            "premium_tier": 0,
            "preferred_locale": "en-US",
            "nsfw_level": 0,
            "unavailable": False,
            "member_count": 2,
            "large": False,
            "emojis": [],
            "stickers": [],
            "threads": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "voice_states": [],
            "presences": [],
            "joined_at": _now(),
            "roles": [
                {
                    "id": GUILD_ID,
                    "name": "@everyone",
                    "permissions": "2147483647",
                    "position": 0,
                    "color": 0,
                    "hoist": False,
                    "managed": False,
                    "mentionable": False,
                    "flags": 0,
                }
            ],
            "members": [member(BOT_USER)],
            "channels": [
                {
                    "id": CHANNEL_ID,
                    "type": 0,
                    "name": "blog",
                    "position": 0,
                    "permission_overwrites": [],
                    "guild_id": GUILD_ID,
                    "nsfw": False,
                    "parent_id": None,
                    "rate_limit_per_user": 0,
                    "topic": None,
                }
            ],
        }

    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        body: dict = {}
        if request.can_read_body:
            if request.content_type == "application/json":
                body = await request.json()
            elif request.content_type.startswith("multipart/"):
                form = await request.post()
                body = json.loads(form.get("payload_json", "{}"))
        status, result = self._respond(request.method, path, body)
        with self._lock:
            self.calls.append(Call(request.method, path, body, time.monotonic(), result))
            self._lock.notify_all()
        if status == 204:
            return web.Response(status=204)
        # discord.py reads JSON only when the type is exactly application/json.
        return web.Response(
            status=status, body=json.dumps(result), headers={"Content-Type": "application/json"}
        )

    def _respond(self, method: str, path: str, body: dict) -> tuple[int, dict | list]:
        parts = path.strip("/").split("/")
        if path == "/users/@me":
            return 200, BOT_USER
        if path == "/oauth2/applications/@me":
            return 200, {
                "id": APP_ID,
                "name": "askblog",
                "icon": None,
                "description": "",
                "bot_public": True,
                "bot_require_code_grant": False,
                "verify_key": "0" * 64,
                "flags": 0,
                "owner": user(USER_ID, "owner"),
                "team": None,
            }
        if method == "PUT" and parts[0] == "applications" and parts[-1] == "commands":
            self.commands = [
                {**c, "id": self.snowflake(), "application_id": APP_ID, "version": "1"}
                for c in body
            ]
            return 200, self.commands
        if parts[0] == "interactions":
            callback = {
                "interaction": {
                    "id": parts[1],
                    "type": 2,
                    "response_message_loading": body.get("type") == 5,
                    "response_message_ephemeral": bool(
                        (body.get("data") or {}).get("flags", 0) & 64
                    ),
                },
                "resource": {"type": body.get("type", 4)},
            }
            return 200, callback
        if parts[0] == "webhooks":
            if method == "DELETE":
                return 204, {}
            channel = CHANNEL_ID
            message = self._message(channel, body.get("content", ""), BOT_USER)
            message["webhook_id"] = APP_ID
            message["flags"] = body.get("flags", 0)
            return 200, message
        if method == "POST" and parts[0] == "channels" and parts[-1] == "threads":
            return 200, {
                "id": self.snowflake(),
                "type": 11,
                "guild_id": GUILD_ID,
                "parent_id": parts[1],
                "name": body.get("name", "thread"),
                "owner_id": BOT_ID,
                "message_count": 0,
                "member_count": 1,
                "rate_limit_per_user": 0,
                "thread_metadata": {
                    "archived": False,
                    "auto_archive_duration": 1440,
                    "archive_timestamp": _now(),
                    "locked": False,
                },
            }
        if method == "POST" and parts[0] == "channels" and parts[-1] == "messages":
            message = self._message(parts[1], body.get("content", ""), BOT_USER)
            return 200, message
        if parts[-1] == "typing":
            return 204, {}
        return 200, {}


def _now() -> str:
    return datetime.now(UTC).isoformat()
