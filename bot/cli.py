"""The `askblog` command line: one click group, one subcommand module per area."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import click

from bot.cli_feeds import bench_ingest, feeds, posts
from bot.cli_model import bench_latency, model
from bot.settings import Settings, SettingsError

log = logging.getLogger("askblog")


def _user_errors() -> tuple[type[Exception], ...]:
    """Errors whose message is meant for the person at the keyboard."""
    from feeds.pick import NoPosts
    from feeds.store import UnknownPost
    from model.export import ExportError
    from model.prompt import PromptError
    from model.source import ModelLoadError

    return (SettingsError, ModelLoadError, PromptError, ExportError, UnknownPost, NoPosts)


class AskblogGroup(click.Group):
    """A click group that shows the project's user-facing errors as one line, exit status 1."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except _user_errors() as error:
            message = error.args[0] if error.args else str(error)
            raise click.ClickException(str(message)) from None


def _quiet_libraries() -> None:
    # Libraries log load-time chatter (random init, tied weights, tracer
    # warnings) that says nothing to a user of this command line.
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import warnings

    for category in (UserWarning, FutureWarning, DeprecationWarning):
        warnings.filterwarnings("ignore", category=category)


@click.group(cls=AskblogGroup)
@click.version_option(package_name="askblog")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Answer questions about a blog's posts in Slack, Discord and the terminal."""
    settings = Settings.from_env() if ctx.obj is None else ctx.obj
    ctx.obj = settings
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    _quiet_libraries()


@main.command()
@click.argument("question")
@click.option("--post", "post_ref", help="The post to answer from: its id, guid or link.")
@click.option(
    "--context-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Answer from this text file instead of a stored post.",
)
@click.option("--model", "model_ref", help="Model directory or hub id (default: ASKBLOG_MODEL).")
@click.option(
    "--engine", type=click.Choice(["auto", "onnx", "torch"]), help="Override ASKBLOG_ENGINE."
)
@click.pass_obj
def ask(
    settings: Settings,
    question: str,
    post_ref: str | None,
    context_file: Path | None,
    model_ref: str | None,
    engine: str | None,
) -> None:
    """Answer QUESTION from a stored post (picked from the question) or from --context-file."""
    from model.engine import load_engine
    from model.prompt import check_question

    check_question(question)  # refuse an empty question before any slow work
    if post_ref and context_file:
        raise click.UsageError("Give --post or --context-file, not both.")
    citation = ""
    if context_file is not None:
        try:
            context = context_file.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise click.ClickException(f"{context_file} is not UTF-8 text.") from None
    else:
        from bot.clitools import database
        from feeds.pick import pick_post

        with database(settings) as db:
            picked = pick_post(db, question, explicit=post_ref)
        context = picked.post.text
        citation = f"Source: {picked.post.title} <{picked.post.link}>"
        log.info("answering from post %s (%s)", picked.post.id, picked.rule)
    loaded = load_engine(
        model_ref or settings.model,
        backend=engine or settings.engine,
        threads=settings.threads or None,
        max_input_tokens=settings.max_input_tokens,
        max_new_tokens=settings.max_new_tokens,
    )
    result = loaded.answer(context, [], question)
    if result.context_truncated:
        log.warning("the post was longer than %d tokens and was cut", settings.max_input_tokens)
    click.echo(result.text)
    if citation:
        click.echo(citation)


@click.group()
def bench() -> None:
    """Benchmarks that print figures."""


@main.group()
def config() -> None:
    """Inspect the settings."""


@config.command("check")
@click.pass_obj
def config_check(settings: Settings) -> None:
    """Print the effective settings, secrets masked."""
    for name, value in settings.masked().items():
        click.echo(f"{name}={value}")


bench.add_command(bench_latency)
bench.add_command(bench_ingest)
for group in (model, feeds, posts, bench):
    main.add_command(group)
