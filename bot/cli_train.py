"""`askblog train` and `askblog eval`."""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path

import click

from bot.settings import Settings


@click.command(context_settings={"show_default": True})
@click.option("--model", "model_ref", required=True, help="PyTorch checkpoint to start from.")
@click.option(
    "--data",
    multiple=True,
    help="A source: a JSON file (SQuAD 2.0 or CoQA format) or a hub id "
    "(rajpurkar/squad_v2, stanfordnlp/coqa); prefix squad:, coqa: or blog: "
    "to say which stage it belongs to. Repeat for several.",
)
@click.option("--eval-data", multiple=True, help="Validation sources (default: 15% held out).")
@click.option(
    "--schedule",
    type=click.Choice(["combined", "sequential"]),
    default="combined",
    help="combined: SQuAD+CoQA shuffled, then blog; sequential: SQuAD, CoQA, blog.",
)
@click.option("--epochs", default=3, help="Epochs per stage.")
@click.option("--batch-size", default=1, help="Examples per device and step.")
@click.option("--grad-accum", default=16, help="Gradient accumulation steps.")
@click.option("--learning-rate", default=1e-3, help="Adafactor learning rate.")
@click.option("--warmup-steps", default=100, help="Linear warm-up steps.")
@click.option("--max-input-tokens", default=7000, help="Input budget (the post is cut to fit).")
@click.option("--num-workers", default=2, help="DataLoader worker processes.")
@click.option("--seed", default=13)
@click.option("--save-steps", default=0, help="Also save the state every N optimizer steps.")
@click.option("--max-steps", default=0, help="Stop after N optimizer steps (resume later).")
@click.option(
    "--mixed-precision",
    type=click.Choice(["auto", "bf16", "no"]),
    default="auto",
    help="auto: bf16 where the GPU supports it (never fp16 for T5).",
)
@click.option("--gradient-checkpointing/--no-gradient-checkpointing", default=True)
@click.option(
    "--export/--no-export", "export_onnx", default=True, help="Export OUT/best to OUT/onnx."
)
@click.option("--output", default="runs/askblog", help="Where state, metrics and checkpoints go.")
@click.option("--resume", is_flag=True, help="Continue the run in --output where it stopped.")
@click.option(
    "--config",
    "config_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="JSON file of these options; options given here override it.",
)
@click.pass_context
def train(ctx: click.Context, config_file: Path | None, model_ref: str, **options) -> None:
    """Fine-tune a LongT5 with Accelerate (also: accelerate launch -m training.train ...)."""
    from training.data import DataError
    from training.train import StopTraining, TrainConfig, training_function

    values = json.loads(config_file.read_text()) if config_file else {}
    for name, value in options.items():
        source = ctx.get_parameter_source(name)
        if name not in values or source != click.core.ParameterSource.DEFAULT:
            values[name] = list(value) if isinstance(value, tuple) else value
    values["model"] = model_ref
    if not values.get("data"):
        raise click.UsageError("Give at least one --data source (or data in --config).")
    known = {f.name for f in fields(TrainConfig)}
    unknown = set(values) - known
    if unknown:
        raise click.UsageError(f"unknown options in {config_file}: {', '.join(sorted(unknown))}")
    try:
        result = training_function(TrainConfig(**values))
    except StopTraining as stop:
        click.echo(f"stopped after {stop.args[0]} steps as asked; continue with --resume")
        return
    except (DataError, ValueError) as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"done: {result['output']}")


@click.command("eval")
@click.option("--data", required=True, help="SQuAD 2.0 or CoQA-format JSON file (or hub id).")
@click.option("--model", "model_ref", help="Answer with this model and score it.")
@click.option(
    "--predictions",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Score this predictions file (official SQuAD 2.0 or CoQA format).",
)
@click.option("--json", "as_json", is_flag=True, help='Print {"f1", "em", "count"}.')
@click.pass_obj
def evaluate(
    settings: Settings, data: str, model_ref: str | None, predictions: Path | None, as_json: bool
) -> None:
    """Compute F1 and EM as the official SQuAD 2.0 / CoQA scripts do (0-100)."""
    from training.data import DataError
    from training.evaluate import evaluate as run_evaluation

    if bool(model_ref) == bool(predictions):
        raise click.UsageError("Give exactly one of --model and --predictions.")
    engine = None
    if model_ref:
        from model.engine import load_engine

        engine = load_engine(
            model_ref,
            threads=settings.threads or None,
            max_input_tokens=settings.max_input_tokens,
            max_new_tokens=settings.max_new_tokens,
        )

    def show(done: int, total: int) -> None:
        if done == total or done % 10 == 0:
            click.echo(f"answered {done}/{total}", err=True)

    try:
        result = run_evaluation(data, predictions=predictions, engine=engine, progress=show)
    except DataError as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        click.echo(json.dumps({k: result[k] for k in ("f1", "em", "count")}))
    else:
        click.echo(
            f"F1 {result['f1']:.2f}  EM {result['em']:.2f}  over {result['count']} "
            f"questions ({result['format']})"
        )
        if result["missing"]:
            click.echo(
                f"{result['missing']} questions had no prediction and were left out", err=True
            )
