"""Fine-tune LongT5 with Accelerate: public QA data first, then the blog's own conversations.

In the shape of accelerate's examples: get_dataloaders(), training_function(),
main(). The same code runs as one CPU process (`askblog train`) and under
`accelerate launch -m training.train ...` on several GPUs or machines.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
from torch.utils.data import DataLoader

from model import prompt
from training.data import Example, Source, load_source
from training.metrics import as_answer, score

log = logging.getLogger(__name__)

STATE_DIR = "state"
PROGRESS_FILE = "progress.json"
METRICS_FILE = "metrics.jsonl"
MAX_TARGET_TOKENS = 128


@dataclass
class TrainConfig:
    """Everything a run is configured with; saved beside its output."""

    model: str
    data: list[str]
    eval_data: list[str] = field(default_factory=list)
    output: str = "runs/askblog"
    schedule: str = "combined"  # combined | sequential
    epochs: int = 3
    batch_size: int = 1
    grad_accum: int = 16
    learning_rate: float = 1e-3
    warmup_steps: int = 100
    max_input_tokens: int = prompt.DEFAULT_MAX_INPUT_TOKENS
    gradient_checkpointing: bool = True
    mixed_precision: str = "auto"  # auto (bf16 where supported) | bf16 | no
    num_workers: int = 2
    seed: int = 13
    save_steps: int = 0  # also save state every N optimizer steps (0: each epoch only)
    max_steps: int = 0  # stop after N optimizer steps in total, state saved (0: no limit)
    resume: bool = False
    export_onnx: bool = True


@dataclass
class Stage:
    name: str
    train: list[Example]
    validation: list[Example]


def stages(sources: list[Source], schedule: str, eval_sources: list[Source]) -> list[Stage]:
    """Order the sources by SCHEDULE; each stage is evaluated on its own validation data."""
    by_kind = {k: [s for s in sources if s.kind == k] for k in ("squad", "coqa", "blog")}

    def gather(kinds: tuple[str, ...]) -> tuple[list[Example], list[Example]]:
        chosen = [s for k in kinds for s in by_kind[k]]
        extra = [s for s in eval_sources if s.kind in kinds]
        return [e for s in chosen for e in s.train], [
            e for s in chosen + extra for e in s.validation
        ]

    if schedule == "combined":
        plan = [("squad+coqa", ("squad", "coqa")), ("blog", ("blog",))]
    elif schedule == "sequential":
        plan = [("squad", ("squad",)), ("coqa", ("coqa",)), ("blog", ("blog",))]
    else:
        raise ValueError(f"unknown schedule '{schedule}': use combined or sequential")
    result = []
    for name, kinds in plan:
        train, validation = gather(kinds)
        if train:
            result.append(Stage(name, train, validation))
    return result


class Encoded(torch.utils.data.Dataset):
    """Examples as token ids, built with the one prompt builder."""

    def __init__(self, examples: list[Example], tokenizer, max_input_tokens: int) -> None:
        self.examples = examples
        self.items = []
        for example in examples:
            model_input = prompt.build(
                example.context,
                example.history,
                example.question,
                tokenizer=tokenizer,
                max_input_tokens=max_input_tokens,
            )
            labels = tokenizer(
                text_target=example.target, max_length=MAX_TARGET_TOKENS, truncation=True
            )["input_ids"]
            self.items.append({"input_ids": model_input.input_ids, "labels": labels})

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> dict:
        return self.items[index]


def get_dataloaders(accelerator, tokenizer, model, stage: Stage, config: TrainConfig):
    """Return (train, validation) dataloaders for one stage."""
    from transformers import DataCollatorForSeq2Seq

    collate = DataCollatorForSeq2Seq(tokenizer, model=model, padding=True, label_pad_token_id=-100)
    with accelerator.main_process_first():
        train = Encoded(stage.train, tokenizer, config.max_input_tokens)
        validation = Encoded(stage.validation, tokenizer, config.max_input_tokens)

    def loader(dataset: Encoded, shuffle: bool) -> DataLoader:
        return DataLoader(
            dataset,
            shuffle=shuffle,
            batch_size=config.batch_size,
            collate_fn=collate,
            num_workers=config.num_workers,
            pin_memory=torch.cuda.is_available(),
            persistent_workers=shuffle and config.num_workers > 0,
        )

    return loader(train, shuffle=True), loader(validation, shuffle=False)


def _mixed_precision(requested: str) -> str:
    # bf16 keeps T5's activations in range; fp16 overflows them, so it is never used.
    if requested in ("bf16", "no"):
        return requested
    if torch.cuda.is_available() and torch.cuda.is_bf16_supported():
        return "bf16"
    return "no"


def evaluate(accelerator, model, tokenizer, eval_dl, examples: list[Example]) -> dict:
    """Greedy answers for the validation set, scored with the official F1/EM."""
    model.eval()
    predictions: list[str] = []
    unwrapped = accelerator.unwrap_model(model)
    for batch in eval_dl:
        with torch.no_grad():
            generated = unwrapped.generate(
                input_ids=batch["input_ids"],
                attention_mask=batch["attention_mask"],
                max_new_tokens=MAX_TARGET_TOKENS,
                num_beams=1,
                do_sample=False,
            )
        generated = accelerator.pad_across_processes(
            generated, dim=1, pad_index=tokenizer.pad_token_id
        )
        generated = accelerator.gather_for_metrics(generated)
        predictions += tokenizer.batch_decode(generated, skip_special_tokens=True)
    golds = {e.key: [as_answer(a) for a in e.answers] for e in examples}
    preds = {e.key: as_answer(p.strip()) for e, p in zip(examples, predictions, strict=False)}
    return score(golds, preds)


@dataclass
class Progress:
    """Where a run is: stage, epoch, step within the epoch, optimizer steps so far, best F1."""

    stage: int = 0
    epoch: int = 0
    step: int = 0
    total_steps: int = 0
    best_f1: float = -1.0
    done: bool = False

    @classmethod
    def read(cls, out: Path) -> Progress:
        path = out / STATE_DIR / PROGRESS_FILE
        return cls(**json.loads(path.read_text())) if path.exists() else cls()

    def write(self, out: Path) -> None:
        (out / STATE_DIR).mkdir(parents=True, exist_ok=True)
        (out / STATE_DIR / PROGRESS_FILE).write_text(json.dumps(asdict(self)))


class StopTraining(Exception):
    """max_steps was reached; the state is saved and --resume continues."""


def training_function(config: TrainConfig) -> dict:
    """Train through every stage, evaluating each epoch and keeping the best checkpoint."""
    from accelerate import Accelerator, DataLoaderConfiguration
    from accelerate.utils import set_seed
    from tqdm.auto import tqdm
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer
    from transformers.optimization import Adafactor, get_constant_schedule_with_warmup

    out = Path(config.output)
    accelerator = Accelerator(
        gradient_accumulation_steps=config.grad_accum,
        mixed_precision=_mixed_precision(config.mixed_precision),
        dataloader_config=DataLoaderConfiguration(use_seedable_sampler=True),
        project_dir=str(out),
    )
    set_seed(config.seed)
    progress = Progress.read(out) if config.resume else Progress()
    if config.resume and progress.done:
        accelerator.print(f"{out} is already complete; nothing to resume")
        return {"best_f1": progress.best_f1, "output": str(out)}
    if accelerator.is_main_process:
        out.mkdir(parents=True, exist_ok=True)
        (out / "config.json").write_text(json.dumps(asdict(config), indent=2))
        if not config.resume and (out / METRICS_FILE).exists():
            (out / METRICS_FILE).unlink()

    sources = [load_source(spec, seed=config.seed) for spec in config.data]
    eval_sources = [load_source(spec, seed=config.seed, holdout=False) for spec in config.eval_data]
    if eval_sources:  # explicit validation data replaces the held-out share
        for source in sources:
            source.train += source.validation
            source.validation = []
    plan = stages(sources, config.schedule, eval_sources)
    if not plan:
        raise ValueError("no training examples in the given data")
    tokenizer = AutoTokenizer.from_pretrained(config.model)
    model_path = out / "best" if progress.stage > 0 and (out / "best").exists() else config.model

    for stage_index, stage in enumerate(plan):
        if stage_index < progress.stage:
            continue
        # Each stage starts from the best checkpoint so far (the public-data
        # model before the blog stage), as the published recipe did.
        if stage_index > 0 and (out / "best").exists():
            model_path = out / "best"
        model = AutoModelForSeq2SeqLM.from_pretrained(model_path)
        if config.gradient_checkpointing:
            model.gradient_checkpointing_enable()
            model.config.use_cache = False
        train_dl, eval_dl = get_dataloaders(accelerator, tokenizer, model, stage, config)
        optimizer = Adafactor(
            model.parameters(),
            lr=config.learning_rate,
            relative_step=False,
            scale_parameter=False,
            warmup_init=False,
        )
        scheduler = get_constant_schedule_with_warmup(
            optimizer, num_warmup_steps=config.warmup_steps
        )
        model, optimizer, train_dl, eval_dl, scheduler = accelerator.prepare(
            model, optimizer, train_dl, eval_dl, scheduler
        )
        resuming_here = (
            config.resume and progress.stage == stage_index and (out / STATE_DIR).exists()
        )
        if resuming_here:
            accelerator.load_state(str(out / STATE_DIR))
            accelerator.print(
                f"resuming stage {stage.name} at epoch {progress.epoch + 1}, step {progress.step}"
            )
        else:
            progress.epoch = progress.step = 0
        steps_per_epoch = math.ceil(len(train_dl) / config.grad_accum)
        for epoch in range(progress.epoch, config.epochs):
            model.train()
            skip = progress.step if (resuming_here and epoch == progress.epoch) else 0
            batches = accelerator.skip_first_batches(train_dl, skip) if skip else train_dl
            bar = tqdm(
                batches,
                total=len(train_dl),
                initial=skip,
                disable=not accelerator.is_local_main_process,
                desc=f"{stage.name} epoch {epoch + 1}/{config.epochs}",
            )
            losses = []
            for step, batch in enumerate(bar, start=skip):
                with accelerator.accumulate(model):
                    loss = model(**batch).loss
                    accelerator.backward(loss)
                    optimizer.step()
                    scheduler.step()
                    optimizer.zero_grad()
                losses.append(loss.detach().float().item())
                bar.set_postfix(loss=f"{losses[-1]:.3f}")
                if accelerator.sync_gradients:
                    progress.total_steps += 1
                progress.epoch, progress.step = epoch, step + 1
                at_limit = config.max_steps and progress.total_steps >= config.max_steps
                periodic = config.save_steps and progress.total_steps % config.save_steps == 0
                if accelerator.sync_gradients and (at_limit or periodic):
                    _save_state(accelerator, progress, out)
                if accelerator.sync_gradients and at_limit:
                    raise StopTraining(progress.total_steps)
            metrics = evaluate(accelerator, model, tokenizer, eval_dl, stage.validation)
            record = {
                "stage": stage.name,
                "epoch": epoch + 1,
                "steps": progress.total_steps,
                "steps_per_epoch": steps_per_epoch,
                "train_loss": round(sum(losses) / max(1, len(losses)), 4),
                **metrics,
            }
            accelerator.print(json.dumps(record))
            if accelerator.is_main_process:
                with (out / METRICS_FILE).open("a") as f:
                    f.write(json.dumps(record) + "\n")
            if metrics["f1"] > progress.best_f1:
                progress.best_f1 = metrics["f1"]
                _save_best(accelerator, model, tokenizer, out)
            progress.epoch, progress.step = epoch + 1, 0
            _save_state(accelerator, progress, out)
        progress.stage, progress.epoch, progress.step = stage_index + 1, 0, 0
        progress.best_f1 = -1.0  # each stage keeps the best on its own validation data
        _save_state(accelerator, progress, out)
        accelerator.free_memory()
        del model, optimizer

    progress.done = True
    if accelerator.is_main_process:
        progress.write(out)
        if config.export_onnx:
            from model.export import export

            onnx_dir = out / "onnx"
            if onnx_dir.exists():
                shutil.rmtree(onnx_dir)
            export(out / "best", onnx_dir, progress=accelerator.print)
    accelerator.wait_for_everyone()
    return {"output": str(out), "metrics": str(out / METRICS_FILE)}


def _save_state(accelerator, progress: Progress, out: Path) -> None:
    accelerator.save_state(str(out / STATE_DIR))
    if accelerator.is_main_process:
        progress.write(out)


def _save_best(accelerator, model, tokenizer, out: Path) -> None:
    accelerator.wait_for_everyone()
    unwrapped = accelerator.unwrap_model(model)
    if accelerator.is_main_process:
        best = out / "best"
        unwrapped.config.use_cache = True
        unwrapped.save_pretrained(best, save_function=accelerator.save)
        tokenizer.save_pretrained(best)


def parse_args(argv: list[str] | None = None) -> TrainConfig:
    """Read the same options as `askblog train` (for `accelerate launch -m training.train`)."""
    parser = argparse.ArgumentParser(prog="training.train", description=__doc__)
    defaults = TrainConfig(model="", data=[])
    parser.add_argument("--model", required=True)
    parser.add_argument("--data", nargs="+", required=True)
    parser.add_argument("--eval-data", nargs="*", default=[])
    parser.add_argument("--output", default=defaults.output)
    parser.add_argument("--schedule", choices=["combined", "sequential"], default=defaults.schedule)
    for name in (
        "epochs",
        "batch_size",
        "grad_accum",
        "warmup_steps",
        "max_input_tokens",
        "num_workers",
        "seed",
        "save_steps",
        "max_steps",
    ):
        parser.add_argument(
            "--" + name.replace("_", "-"), type=int, default=getattr(defaults, name)
        )
    parser.add_argument("--learning-rate", type=float, default=defaults.learning_rate)
    parser.add_argument("--mixed-precision", choices=["auto", "bf16", "no"], default="auto")
    parser.add_argument("--no-gradient-checkpointing", action="store_true")
    parser.add_argument("--no-export", action="store_true")
    parser.add_argument("--resume", action="store_true")
    args = parser.parse_args(argv)
    values = vars(args)
    values["gradient_checkpointing"] = not values.pop("no_gradient_checkpointing")
    values["export_onnx"] = not values.pop("no_export")
    return TrainConfig(**values)


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        training_function(parse_args(argv))
    except StopTraining as stop:
        print(f"stopped after {stop.args[0]} steps as asked; continue with --resume")


if __name__ == "__main__":
    main()
