"""`askblog model ...` and `askblog bench latency`: build, export and time models."""

from __future__ import annotations

import json
from pathlib import Path

import click

from bot.clitools import progress
from bot.settings import Settings


@click.group()
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

    progress(f"building a base-sized LongT5 in {out}")
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
        progress=progress,
    )
    worst = max(r["encoder_max_diff"] for r in report.parity)
    click.echo(f"{out}: largest encoder difference from PyTorch {worst:.2e}")


@click.command("latency")
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
        prepare_models(workdir, progress),
        lengths=sizes,
        new_tokens=new_tokens,
        threads=threads,
        repeats=repeats,
        progress=progress,
    )
    click.echo(json.dumps(rows, indent=2) if as_json else table(rows))
