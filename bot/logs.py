"""Logging set-up: one format, and no secret ever written to a log."""

from __future__ import annotations

import logging
import sys
from dataclasses import fields

from bot.settings import Settings

MASK = "[secret]"


class RedactSecrets(logging.Filter):
    """Replace every configured secret in a log record's text (and traceback) with a mask."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        # Longest first, so a secret containing another is masked whole.
        self.secrets = sorted({s for s in secrets if len(s) >= 6}, key=len, reverse=True)

    def _clean(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            message = record.getMessage()
            cleaned = self._clean(message)
            if cleaned != message:
                record.msg, record.args = cleaned, ()
            if record.exc_info and not record.exc_text:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            if record.exc_text:
                record.exc_text = self._clean(record.exc_text)
        return True


def secrets_of(settings: Settings) -> list[str]:
    return [getattr(settings, f.name) for f in fields(settings) if f.metadata.get("secret")]


def configure(settings: Settings) -> None:
    """Log to stderr at the configured level, with secrets masked on every handler."""
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    redact = RedactSecrets(secrets_of(settings))
    for handler in logging.getLogger().handlers:
        handler.addFilter(redact)
