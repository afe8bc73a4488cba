"""The Discord adapter: /askblog, answers in threads, follow-ups, 👍/👎 reactions as votes.

A Cog built with its dependencies. Every interaction is deferred before any
slow work, and the model runs off the event loop (Core.ask_async), so one
slow answer never delays another user's command.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading

import discord
import yarl
from discord import app_commands
from discord.ext import commands

from bot.core import AskError, Core
from bot.settings import Settings
from bot.store import ConversationKey
from bot.text import split_message

log = logging.getLogger(__name__)

PLATFORM = "discord"
MESSAGE_LIMIT = 2000  # Discord refuses longer message content
THREAD_NAME_LIMIT = 100
VOTES = {"👍": 1, "👎": -1}
_SKIN_TONES = re.compile("[\U0001f3fb-\U0001f3ff]")
_MENTION = re.compile(r"<@!?\d+>")


def vote_of(emoji: str) -> int | None:
    """Map a reaction emoji (any skin tone) to +1 / -1, or None when it is not a vote."""
    return VOTES.get(_SKIN_TONES.sub("", emoji).replace("\ufe0f", ""))


def configure_endpoints(settings: Settings) -> None:
    """Point discord.py's REST and gateway base URLs at SETTINGS' (the tests' fake server)."""
    if settings.discord_api_url:
        discord.http.Route.BASE = settings.discord_api_url.rstrip("/")
    if settings.discord_gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)


def _thread_key(thread_id: int) -> ConversationKey:
    return ConversationKey(PLATFORM, str(thread_id), str(thread_id))


class AskblogCog(commands.Cog):
    """/askblog and the listeners that continue its conversations."""

    def __init__(self, bot: commands.Bot, core: Core) -> None:
        self.bot = bot
        self.core = core

    @app_commands.command(name="askblog", description="Ask a question about the blog's posts.")
    @app_commands.describe(question="What you want to know", post="The post to answer from")
    async def askblog(
        self, interaction: discord.Interaction, question: str, post: str | None = None
    ) -> None:
        await interaction.response.defer(thinking=True)
        channel = interaction.channel
        in_thread = isinstance(channel, discord.Thread)
        key = (
            _thread_key(channel.id)
            if in_thread
            else ConversationKey(
                PLATFORM, str(interaction.channel_id), f"interaction-{interaction.id}"
            )
        )
        with self.core.answering():
            try:
                answer = await self.core.ask_async(
                    key, question, post_hint=post, user=str(interaction.user.id)
                )
            except AskError as error:
                log.warning(
                    "discord interaction %s: %s: %s", interaction.id, error.kind, error.message
                )
                await self._private_error(interaction, error.message)
                return
            except Exception:
                log.exception("discord interaction %s: failed to answer", interaction.id)
                await self._private_error(
                    interaction,
                    "Sorry, something went wrong on my side while answering (internal error). "
                    "It has been logged; please try again.",
                )
                return
            text = f"{answer.text}\n\n-# Source: [{answer.post.title}](<{answer.post.link}>)"
            messages = []
            for chunk in split_message(text, MESSAGE_LIMIT):
                message = await interaction.followup.send(chunk, wait=True)
                self.core.attach_message(answer.turn_id, PLATFORM, str(message.id))
                messages.append(message)
        if isinstance(channel, discord.TextChannel):
            await self._open_thread(channel, messages[0], question, key)

    @askblog.autocomplete("post")
    async def post_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        posts = await self.core.suggest_posts_async(current, limit=25)
        return [
            app_commands.Choice(name=title[:100], value=str(post_id)) for post_id, title in posts
        ]

    async def _open_thread(
        self,
        channel: discord.TextChannel,
        message: discord.Message,
        question: str,
        key: ConversationKey,
    ) -> None:
        """Continue the conversation in a thread on the answer, where the channel allows it."""
        name = question[:THREAD_NAME_LIMIT] or "askblog"
        try:
            thread = await channel.create_thread(name=name, message=message)
        except (discord.HTTPException, ValueError) as error:
            log.info("no thread on message %s (%s); the conversation ends here", message.id, error)
            return
        self.core.move_conversation(key, _thread_key(thread.id))

    async def _private_error(self, interaction: discord.Interaction, text: str) -> None:
        try:
            await interaction.delete_original_response()
            await interaction.followup.send(f"⚠️ {text}", ephemeral=True)
        except discord.HTTPException:
            log.exception("discord interaction %s: could not deliver the error", interaction.id)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or not isinstance(message.channel, discord.Thread):
            return
        me = self.bot.user
        replying = (
            message.reference is not None
            and isinstance(message.reference.resolved, discord.Message)
            and message.reference.resolved.author.id == me.id
        )
        if not (replying or me in message.mentions):
            return
        key = _thread_key(message.channel.id)
        if not self.core.follows(key) or not self.core.claim_event(
            PLATFORM, f"message-{message.id}"
        ):
            return
        question = _MENTION.sub("", message.content).strip()
        with self.core.answering():
            async with message.channel.typing():
                try:
                    answer = await self.core.ask_async(key, question, user=str(message.author.id))
                except AskError as error:
                    await message.reply(f"⚠️ {error.message}", mention_author=False)
                    return
                except Exception:
                    log.exception("discord message %s: failed to answer", message.id)
                    await message.reply(
                        "⚠️ Sorry, something went wrong on my side while answering (internal "
                        "error). It has been logged; please try again.",
                        mention_author=False,
                    )
                    return
            text = f"{answer.text}\n\n-# Source: [{answer.post.title}](<{answer.post.link}>)"
            for chunk in split_message(text, MESSAGE_LIMIT):
                sent = await message.reply(chunk, mention_author=False)
                self.core.attach_message(answer.turn_id, PLATFORM, str(sent.id))

    async def _on_reaction(self, payload: discord.RawReactionActionEvent, removed: bool) -> None:
        vote = vote_of(payload.emoji.name or "")
        if vote is None or (self.bot.user and payload.user_id == self.bot.user.id):
            return
        result = self.core.record_feedback(
            PLATFORM, str(payload.message_id), str(payload.user_id), vote, removed=removed
        )
        if result is not None:
            log.info("vote on turn %s by %s: %s", result.turn_id, payload.user_id, result.vote)
            if vote < 0 and not removed:
                await self._offer_correction(payload)

    async def _offer_correction(self, payload: discord.RawReactionActionEvent) -> None:
        """Offer the 👎 voter a button that opens a correction form (usable by them only)."""
        channel = self.bot.get_channel(payload.channel_id) or self.bot.get_partial_messageable(
            payload.channel_id
        )
        view = discord.ui.View(timeout=None)
        view.add_item(CorrectButton(payload.message_id, payload.user_id))
        try:
            await channel.send(
                f"<@{payload.user_id}> thanks for the vote. If you know the right answer, "
                "it will teach the next model.",
                view=view,
                allowed_mentions=discord.AllowedMentions(users=True),
            )
        except discord.HTTPException:
            log.exception("discord: could not offer a correction to %s", payload.user_id)

    @commands.Cog.listener()
    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        await self._on_reaction(payload, removed=False)

    @commands.Cog.listener()
    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        await self._on_reaction(payload, removed=True)


class CorrectionModal(discord.ui.Modal, title="Correct the answer"):
    """A form for the right answer to one of the bot's answers."""

    answer = discord.ui.TextInput(
        label="The right answer, as the post gives it",
        style=discord.TextStyle.paragraph,
        max_length=2000,
    )

    def __init__(self, core: Core, message_id: int) -> None:
        super().__init__(timeout=600)
        self.core = core
        self.message_id = message_id

    async def on_submit(self, interaction: discord.Interaction) -> None:
        try:
            turn = self.core.record_correction(
                PLATFORM, str(self.message_id), str(interaction.user.id), self.answer.value
            )
        except AskError as error:
            await interaction.response.send_message(f"⚠️ {error.message}", ephemeral=True)
            return
        text = "Thanks, saved for the next model." if turn else "⚠️ That answer is gone."
        await interaction.response.send_message(text, ephemeral=True)


class CorrectButton(
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"askblog:correct:(?P<message>[0-9]+):(?P<user>[0-9]+)",
):
    """A button that survives restarts: its id carries the answer and the voter."""

    def __init__(self, message_id: int, user_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Give the right answer",
                style=discord.ButtonStyle.primary,
                custom_id=f"askblog:correct:{message_id}:{user_id}",
            )
        )
        self.message_id = message_id
        self.user_id = user_id

    @classmethod
    async def from_custom_id(cls, interaction, item, match):
        return cls(int(match["message"]), int(match["user"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        if interaction.user.id != self.user_id:
            await interaction.response.send_message(
                "⚠️ Only the person who voted can correct this answer.", ephemeral=True
            )
            return
        await interaction.response.send_modal(
            CorrectionModal(interaction.client.core, self.message_id)
        )


class AskblogBot(commands.Bot):
    """The Discord client: adds the Cog and syncs /askblog at start."""

    def __init__(self, settings: Settings, core: Core) -> None:
        intents = discord.Intents.none()
        intents.guilds = True
        intents.guild_messages = True
        intents.guild_reactions = True
        super().__init__(command_prefix=commands.when_mentioned, intents=intents, help_command=None)
        self.settings = settings
        self.core = core
        self.synced = False

    async def setup_hook(self) -> None:
        await self.add_cog(AskblogCog(self, self.core))
        self.add_dynamic_items(CorrectButton)

    async def on_ready(self) -> None:
        if self.synced:
            return
        guild_id = self.settings.discord_guild_id
        if guild_id:
            guild = discord.Object(id=int(guild_id))
            self.tree.copy_global_to(guild=guild)
            commands_synced = await self.tree.sync(guild=guild)
        else:
            commands_synced = await self.tree.sync()
        self.synced = True
        log.info(
            "discord: logged in as %s; synced %s %s",
            self.user,
            [c.name for c in commands_synced],
            f"to guild {guild_id}" if guild_id else "globally",
        )


def build_discord_bot(settings: Settings, core: Core) -> AskblogBot:
    """Build the bot for SETTINGS; nothing connects until it is started."""
    configure_endpoints(settings)
    return AskblogBot(settings, core)


class DiscordRunner:
    """Run the bot on its own event loop in a background thread (for `serve` and tests)."""

    def __init__(self, bot: AskblogBot, token: str) -> None:
        self.bot = bot
        self.token = token
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="discord", daemon=True)
        self._session = None

    def start(self) -> None:
        self._thread.start()
        self._session = asyncio.run_coroutine_threadsafe(self._run(), self.loop)

    async def _run(self) -> None:
        try:
            await self.bot.start(self.token)
        except discord.LoginFailure:
            log.error("discord: the token was refused; check DISCORD_TOKEN")
        except Exception:
            log.exception("discord: the client stopped")

    def stop(self, timeout: float = 30.0) -> None:
        """Close the client (finishing the answers in flight is the core's job) and the loop."""
        if not self._thread.is_alive():
            return
        try:
            asyncio.run_coroutine_threadsafe(self.bot.close(), self.loop).result(timeout)
            if self._session is not None:
                self._session.result(timeout)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(timeout)
            if not self._thread.is_alive():
                self.loop.close()
