"""The `askblog` command line."""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path

import click

from bot.settings import Settings, SettingsError
from model.prompt import PromptError
from model.source import ModelLoadError

log = logging.getLogger("askblog")

# Errors whose message is meant for the person at the keyboard: shown as one
# line, exit status 1, no traceback.
USER_ERRORS: tuple[type[Exception], ...] = (SettingsError, ModelLoadError, PromptError)


class AskblogGroup(click.Group):
    """A click group that turns the project's user-facing errors into one-line messages."""

    def invoke(self, ctx: click.Context):
        from model.export import ExportError

        try:
            return super().invoke(ctx)
        except (*USER_ERRORS, ExportError) as error:
            raise click.ClickException(str(error)) from None


def _quiet_libraries() -> None:
    # Libraries log load-time chatter (random init, tied weights, tracer
    # warnings) that says nothing to a user of this command line.
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import warnings

    warnings.filterwarnings("ignore", category=UserWarning)
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    try:
        import torch.jit

        warnings.filterwarnings("ignore", category=torch.jit.TracerWarning)
    except ImportError:  # pragma: no cover - torch is a dependency
        pass


def _progress(message: str) -> None:
    click.echo(message, err=True)


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
@click.option(
    "--context-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="Text file holding the post to answer from.",
)
@click.option("--model", "model_ref", help="Model directory or hub id (default: ASKBLOG_MODEL).")
@click.option(
    "--engine", type=click.Choice(["auto", "onnx", "torch"]), help="Override ASKBLOG_ENGINE."
)
@click.pass_obj
def ask(
    settings: Settings, question: str, context_file: Path, model_ref: str | None, engine: str | None
) -> None:
    """Answer QUESTION about the text in --context-file and print the answer."""
    from model.engine import load_engine
    from model.prompt import check_question

    check_question(question)  # refuse an empty question before loading a model
    try:
        context = context_file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise click.ClickException(f"{context_file} is not UTF-8 text.") from None
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


@main.group()
def model() -> None:
    """Build, export and inspect models."""


@model.command("tiny")
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
def model_tiny(out: Path) -> None:
    """Write a tiny random LongT5 with its tokenizer to OUT (for tests and smoke runs)."""
    from model.factory import build_tiny

    click.echo(build_tiny(out))


@model.command("base")
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
def model_base(out: Path) -> None:
    """Write a random model of the long-t5-tglobal-base architecture to OUT (for latency work)."""
    from model.factory import build_base

    _progress(f"building a base-sized LongT5 in {out}")
    click.echo(build_base(out))


@model.command("export")
@click.argument("src")
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--optimize", type=click.Choice(["O1", "O2"]), help="ONNX Runtime graph optimization."
)
@click.option("--quantize", is_flag=True, help="Quantize every ONNX file to int8 (dynamic).")
@click.pass_obj
def model_export(
    settings: Settings, src: str, out: Path, optimize: str | None, quantize: bool
) -> None:
    """Export the PyTorch checkpoint SRC to ONNX in OUT and check it against PyTorch."""
    from model.export import export

    report = export(
        src,
        out,
        optimize=optimize,
        quantize=quantize,
        threads=settings.threads or None,
        progress=_progress,
    )
    worst = max(r["encoder_max_diff"] for r in report.parity)
    click.echo(f"{out}: largest encoder difference from PyTorch {worst:.2e}")


@main.group()
def bench() -> None:
    """Benchmarks that print figures."""


@bench.command("latency")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list instead of a table.")
@click.option("--threads", default=2, show_default=True, help="Intra-op threads per engine.")
@click.option("--repeats", default=3, show_default=True, help="Timed runs per case.")
@click.option("--lengths", default="1024,4096", show_default=True, help="Input lengths in tokens.")
@click.option("--new-tokens", default=32, show_default=True, help="Tokens generated per run.")
@click.option(
    "--workdir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path.home() / ".cache" / "askblog" / "bench",
    show_default=True,
    help="Where the base-sized model and its exports are kept between runs.",
)
def bench_latency(
    as_json: bool, threads: int, repeats: int, lengths: str, new_tokens: int, workdir: Path
) -> None:
    """Time PyTorch fp32, ONNX fp32 and ONNX int8 on the base-sized model in one run."""
    from model.bench import measure, prepare_models, table

    try:
        sizes = [int(x) for x in lengths.split(",") if x.strip()]
    except ValueError:
        raise click.BadParameter(
            "a comma-separated list of numbers", param_hint="--lengths"
        ) from None
    rows = measure(
        prepare_models(workdir, _progress),
        lengths=sizes,
        new_tokens=new_tokens,
        threads=threads,
        repeats=repeats,
        progress=_progress,
    )
    click.echo(json.dumps(rows, indent=2) if as_json else table(rows))


@main.group()
def config() -> None:
    """Inspect the settings."""


@config.command("check")
@click.pass_obj
def config_check(settings: Settings) -> None:
    """Print the effective settings, secrets masked."""
    for name, value in settings.masked().items():
        click.echo(f"{name}={value}")
