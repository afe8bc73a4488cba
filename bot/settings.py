"""Settings, read once from the environment and an optional .env file, into one frozen object."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path

from model.prompt import DEFAULT_MAX_INPUT_TOKENS

DEFAULT_MODEL = "tryolabs/long-t5-tglobal-base-blogpost-cqa-onnx"
ENGINES = ("auto", "onnx", "torch")


class SettingsError(ValueError):
    """A setting has a value the program cannot use; the message names it."""


def _secret(default: str = "") -> str:
    return field(default=default, metadata={"secret": True})


@dataclass(frozen=True)
class Settings:
    """Everything the program can be configured with; see .env.example."""

    db: Path = Path("askblog.db")
    model: str = DEFAULT_MODEL
    engine: str = "auto"
    threads: int = 0  # 0: every CPU this process may use
    max_input_tokens: int = DEFAULT_MAX_INPUT_TOKENS
    max_new_tokens: int = 128
    workers: int = 1  # questions answered at once; more queue
    feeds: tuple[str, ...] = ()
    poll_minutes: float = 30.0
    http_host: str = "0.0.0.0"
    http_port: int = 3000
    log_level: str = "INFO"
    slack_bot_token: str = _secret()
    slack_app_token: str = _secret()
    slack_signing_secret: str = _secret()
    slack_api_url: str = ""
    discord_token: str = _secret()
    discord_guild_id: str = ""
    discord_api_url: str = ""
    discord_gateway_url: str = ""

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, env_file: str | Path | None = ".env"
    ) -> Settings:
        """Read settings from ENV_FILE (if it exists), overridden by ENVIRON."""
        values: dict[str, str] = {}
        if env_file is not None and Path(env_file).is_file():
            from dotenv import dotenv_values

            values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
        values.update(os.environ if environ is None else environ)
        kwargs: dict[str, object] = {}
        for f in fields(cls):
            name = env_name(f.name)
            raw = values.get(name)
            if raw is None or raw.strip() == "":
                continue
            kwargs[f.name] = _parse(name, raw.strip(), f.type)
        settings = cls(**kwargs)
        settings.validate()
        return settings

    def validate(self) -> None:
        """Refuse values that cannot work together."""
        if self.engine not in ENGINES:
            raise SettingsError(f"ASKBLOG_ENGINE must be one of {', '.join(ENGINES)}.")
        for name in ("threads", "max_input_tokens", "max_new_tokens", "http_port", "workers"):
            if getattr(self, name) < 0:
                raise SettingsError(f"{env_name(name)} must not be negative.")
        if self.max_input_tokens < 32:
            raise SettingsError("ASKBLOG_MAX_INPUT_TOKENS must be at least 32.")
        if not 1 <= self.max_new_tokens <= 1024:
            raise SettingsError("ASKBLOG_MAX_NEW_TOKENS must be between 1 and 1024.")
        if self.workers < 1:
            raise SettingsError("ASKBLOG_WORKERS must be at least 1.")
        slack_mode = self.slack_signing_secret or self.slack_app_token
        if self.slack_bot_token and not slack_mode:
            raise SettingsError(
                "SLACK_BOT_TOKEN is set but neither SLACK_SIGNING_SECRET (HTTP events) nor "
                "SLACK_APP_TOKEN (Socket Mode) is."
            )
        if slack_mode and not self.slack_bot_token:
            raise SettingsError(
                "Slack is half configured: set SLACK_BOT_TOKEN too (xoxb-…), or unset "
                "SLACK_SIGNING_SECRET and SLACK_APP_TOKEN."
            )

    @property
    def slack_enabled(self) -> bool:
        return bool(self.slack_bot_token)

    def masked(self) -> dict[str, str]:
        """Return every setting by its variable name, secrets masked."""
        shown = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, tuple):
                value = ",".join(value)
            text = str(value)
            if f.metadata.get("secret") and text:
                text = "(set, hidden)"
            shown[env_name(f.name)] = text
        return shown


def env_name(field_name: str) -> str:
    """Return the environment variable that sets a field."""
    if field_name.startswith(("slack_", "discord_")):
        return field_name.upper()
    return f"ASKBLOG_{field_name.upper()}"


def _parse(name: str, raw: str, kind: object) -> object:
    kind = str(kind)
    try:
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, not '{raw}'.") from None
    if kind == "Path":
        return Path(raw).expanduser()
    if kind.startswith("tuple"):
        return tuple(part.strip() for part in raw.split(",") if part.strip())
    if name == "ASKBLOG_LOG_LEVEL":
        return raw.upper()
    return raw
