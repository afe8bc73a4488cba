"""Small helpers shared by the command-line modules."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import click
from sqlite_utils import Database

from bot.settings import Settings


def progress(message: str) -> None:
    """Report a step of long work on stderr, keeping stdout for results."""
    click.echo(message, err=True)


def echo_json(value: object) -> None:
    click.echo(json.dumps(value, indent=2, ensure_ascii=False))


@contextmanager
def database(settings: Settings) -> Iterator[Database]:
    """Open the configured database for one command."""
    from bot.store import open_database

    db = open_database(settings.db)
    try:
        yield db
    finally:
        db.close()
