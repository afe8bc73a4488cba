"""The `askblog` command line: one click group, one subcommand module per area."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import click

from bot.cli_feeds import bench_ingest, feeds, posts
from bot.cli_model import bench_latency, model
from bot.cli_train import evaluate, train
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
    from bot.logs import configure

    configure(settings)
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
    result = _engine(settings, model_ref, engine).answer(context, [], question)
    if result.context_truncated:
        log.warning("the post was longer than %d tokens and was cut", settings.max_input_tokens)
    click.echo(result.text)
    if citation:
        click.echo(citation)


def _engine(settings: Settings, model_ref: str | None = None, engine: str | None = None):
    """Load the configured model, or fail now with one line."""
    from model.engine import load_engine

    return load_engine(
        model_ref or settings.model,
        backend=engine or settings.engine,
        threads=settings.threads or None,
        max_input_tokens=settings.max_input_tokens,
        max_new_tokens=settings.max_new_tokens,
    )


@main.command()
@click.pass_obj
def serve(settings: Settings) -> None:
    """Run the bot: the model, the feed watcher, /healthz and every configured chat adapter."""
    from bot.serve import run

    run(settings)


@main.command()
@click.option("--model", "model_ref", help="Model directory or hub id (default: ASKBLOG_MODEL).")
@click.pass_obj
def chat(settings: Settings, model_ref: str | None) -> None:
    """Talk to the bot in the terminal, with the same conversation memory as in a thread."""
    from bot.chat_app import run_chat
    from bot.core import Core

    core = Core(db_path=settings.db, engine=_engine(settings, model_ref), workers=1)
    try:
        run_chat(core)
    finally:
        core.close()


@main.group()
def feedback() -> None:
    """What people thought of the answers."""


@feedback.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def feedback_stats(settings: Settings, as_json: bool) -> None:
    """Print 👍/👎 per post, model and week, and the lowest-rated answers."""
    from bot.clitools import database, echo_json
    from bot.feedback import stats

    with database(settings) as db:
        figures = stats(db)
    if as_json:
        echo_json(figures)
        return

    def share(value: float | None) -> str:
        return f"{value:.0%} 👍" if value is not None else "no votes"

    click.echo(
        f"{figures['answers']} answers, {figures['voted_answers']} with votes: "
        f"{figures['up']} 👍, {figures['down']} 👎 ({share(figures['share_up'])})"
    )
    for section, label in (("posts", "post"), ("models", "model"), ("weeks", "week")):
        click.echo(f"\nby {label}:")
        for row in figures[section]:
            click.echo(
                f"  {row[label]}: {row['answers']} answers, {row['up']} 👍, {row['down']} 👎 "
                f"({share(row['share_up'])})"
            )
    if figures["lowest_rated"]:
        click.echo("\nlowest rated:")
        for row in figures["lowest_rated"]:
            click.echo(f"  [{row['up']} 👍 {row['down']} 👎] {row['question']} -> {row['answer']}")


@feedback.command("export")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def feedback_export(settings: Settings, out: Path) -> None:
    """Write approved and corrected answers to OUT as CoQA-format data for askblog train."""
    from bot.clitools import database
    from bot.feedback import export

    with database(settings) as db:
        result = export(db, out)
    click.echo(f"{out}: {result['examples']} examples in {result['conversations']} conversations")


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


@bench.command("slack")
@click.option("--mentions", default=20, show_default=True, help="Mentions posted at once.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def bench_slack(mentions: int, as_json: bool) -> None:
    """Post many @mentions at once to the Slack app (tiny model); time progress and answers."""
    from bot.bench_slack import measure, table
    from bot.clitools import echo_json, progress

    figures = measure(mentions, progress=progress)
    echo_json(figures) if as_json else click.echo(table(figures))


bench.add_command(bench_latency)
bench.add_command(bench_ingest)
for group in (model, feeds, posts, bench, train, evaluate):
    main.add_command(group)
