"""The real `askblog train` path on CPU with a tiny LongT5."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.settings import Settings
from training.data import Example, Source
from training.train import stages

THINGS = "car house boat kite lamp door chair cup book shoe hat bike bag desk fence wall".split()
COLORS = "red blue green black white yellow orange purple".split()


@pytest.fixture
def colors(tmp_path) -> Path:
    """32 short questions in 16 two-turn conversations, in the CoQA list format."""
    rng = random.Random(0)
    conversations = []
    for i in range(16):
        a, b = rng.sample(THINGS, 2)
        color_a, color_b = rng.choice(COLORS), rng.choice(COLORS)
        conversations.append(
            {
                "conversation_id": str(i),
                "story": f"The {a} is {color_a}. The {b} is {color_b}.",
                "questions": [f"What color is the {a}?", f"And the {b}?"],
                "answers": {"input_text": [color_a, color_b]},
            }
        )
    path = tmp_path / "colors.json"
    path.write_text(json.dumps(conversations))
    return path


def run(*args: str):
    return CliRunner().invoke(main, list(args), obj=Settings(threads=2))


COMMON = ["--batch-size", "4", "--grad-accum", "1", "--warmup-steps", "0", "--num-workers", "0"]


def test_tiny_model_overfits_32_examples(tiny_model_dir, colors, tmp_path):
    out = tmp_path / "run"
    result = run(
        "train",
        "--model",
        str(tiny_model_dir),
        "--data",
        str(colors),
        "--eval-data",
        str(colors),
        "--epochs",
        "150",
        "--learning-rate",
        "1e-2",
        "--no-gradient-checkpointing",
        "--output",
        str(out),
        *COMMON,
    )
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert len(records) == 150 and records[-1]["count"] == 32
    assert max(r["f1"] for r in records) >= 90
    assert (out / "best" / "model.safetensors").exists()
    assert (out / "onnx" / "encoder_model.onnx").exists()
    scored = run("eval", "--data", str(colors), "--model", str(out / "onnx"), "--json")
    assert scored.exit_code == 0, scored.output
    figures = json.loads(scored.stdout.strip().splitlines()[-1])
    assert figures["count"] == 32 and figures["f1"] >= 90


def _weights(path: Path) -> dict:
    from safetensors.torch import load_file

    return load_file(str(path / "best" / "model.safetensors"))


def test_resume_continues_where_it_stopped(tiny_model_dir, colors, tmp_path):
    args = [
        "train",
        "--model",
        str(tiny_model_dir),
        "--data",
        str(colors),
        "--eval-data",
        str(colors),
        "--epochs",
        "2",
        "--learning-rate",
        "1e-2",
        "--no-export",
        "--batch-size",
        "4",
        "--grad-accum",
        "2",
        "--warmup-steps",
        "0",
        "--num-workers",
        "0",
    ]
    whole = tmp_path / "whole"
    assert run(*args, "--output", str(whole)).exit_code == 0

    part = tmp_path / "part"
    stopped = run(*args, "--output", str(part), "--max-steps", "3")
    assert "stopped after 3 steps" in stopped.output
    progress = json.loads((part / "state" / "progress.json").read_text())
    assert (progress["total_steps"], progress["epoch"], progress["step"]) == (3, 0, 6)
    assert not (part / "metrics.jsonl").exists()

    resumed = run(*args, "--output", str(part), "--resume")
    assert resumed.exit_code == 0, resumed.output
    records = [json.loads(line) for line in (part / "metrics.jsonl").read_text().splitlines()]
    assert [(r["epoch"], r["steps"]) for r in records] == [(1, 4), (2, 8)]
    assert json.loads((part / "state" / "progress.json").read_text())["done"]
    expected = [json.loads(x) for x in (whole / "metrics.jsonl").read_text().splitlines()]
    assert [r["steps"] for r in records] == [r["steps"] for r in expected]
    again = run(*args, "--output", str(part), "--resume")
    assert "already complete" in again.output


def test_schedules_order_the_sources():
    def source(kind):
        e = Example(kind, 1, "c", (), "q", ("a",), source=kind)
        return Source(kind, kind, train=[e], validation=[e])

    sources = [source("blog"), source("coqa"), source("squad")]
    combined = stages(sources, "combined", [])
    assert [(s.name, sorted(e.source for e in s.train)) for s in combined] == [
        ("squad+coqa", ["coqa", "squad"]),
        ("blog", ["blog"]),
    ]
    assert [s.name for s in stages(sources, "sequential", [])] == ["squad", "coqa", "blog"]
    assert [s.name for s in stages([source("blog")], "sequential", [])] == ["blog"]


def test_bad_data_is_one_line(tiny_model_dir, tmp_path):
    result = run(
        "train",
        "--model",
        str(tiny_model_dir),
        "--data",
        str(tmp_path / "none.json"),
        "--output",
        str(tmp_path / "o"),
    )
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and "no such file" in result.output


def test_config_file_with_overrides(tiny_model_dir, colors, tmp_path):
    config = tmp_path / "train.json"
    config.write_text(
        json.dumps(
            {
                "data": [str(colors)],
                "epochs": 1,
                "batch_size": 8,
                "grad_accum": 1,
                "num_workers": 0,
                "export_onnx": False,
                "output": str(tmp_path / "from-file"),
            }
        )
    )
    result = run(
        "train",
        "--config",
        str(config),
        "--model",
        str(tiny_model_dir),
        "--output",
        str(tmp_path / "override"),
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "override" / "metrics.jsonl").exists()
    saved = json.loads((tmp_path / "override" / "config.json").read_text())
    assert saved["epochs"] == 1 and saved["batch_size"] == 8
