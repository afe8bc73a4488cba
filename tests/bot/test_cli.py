"""The command line, run through click's runner and, where a traceback could leak, for real."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.settings import Settings


def run(*args: str, settings: Settings | None = None):
    return CliRunner().invoke(main, list(args), obj=settings or Settings(threads=1))


def _commands(group: click.Group, prefix=()):
    for name, command in group.commands.items():
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))


def test_every_command_has_help():
    for path, command in _commands(main):
        assert command.help, f"askblog {' '.join(path)} has no help"
        result = run(*path, "--help")
        assert result.exit_code == 0, (path, result.output)


@pytest.fixture
def post(tmp_path) -> Path:
    path = tmp_path / "post.md"
    path.write_text("LongT5 reads long inputs. It was trained on blog posts.\n")
    return path


def test_ask_prints_the_engines_answer(post, tiny_onnx_dir, onnx_engine):
    result = run(
        "ask", "What does LongT5 read?", "--context-file", str(post), "--model", str(tiny_onnx_dir)
    )
    assert result.exit_code == 0, result.output
    expected = onnx_engine.answer(post.read_text(), [], "What does LongT5 read?").text
    assert result.stdout.strip() == expected


def test_ask_uses_the_model_from_settings(post, tiny_model_dir, torch_engine):
    settings = Settings(model=str(tiny_model_dir), threads=1)
    result = run("ask", "What?", "--context-file", str(post), settings=settings)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == torch_engine.answer(post.read_text(), [], "What?").text


def _one_line_error(result, *fragments: str) -> None:
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)
    # Progress lines may come first; the error is one line, the last, with no traceback.
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert "Traceback" not in result.output
    assert [line for line in lines if line.startswith("Error: ")] == lines[-1:], result.output
    for fragment in fragments:
        assert fragment in lines[-1]


def test_empty_question_is_refused_before_loading_a_model(post, tmp_path):
    result = run("ask", "   ", "--context-file", str(post), "--model", str(tmp_path / "absent"))
    _one_line_error(result, "question is empty")


@pytest.mark.parametrize(
    "breakage, message",
    [
        ("missing", "does not exist"),
        ("empty", "is empty"),
        ("corrupt-config", "corrupt config.json"),
        ("corrupt-onnx", "could not be loaded"),
    ],
)
def test_bad_model_directory_is_one_line_and_non_zero(
    breakage, message, post, tmp_path, tiny_onnx_dir
):
    import shutil

    model = tmp_path / "model"
    if breakage == "empty":
        model.mkdir()
    elif breakage != "missing":
        shutil.copytree(tiny_onnx_dir, model)
        if breakage == "corrupt-config":
            (model / "config.json").write_text("{")
        else:
            (model / "decoder_model_merged.onnx").write_bytes(b"not an onnx graph")
    result = run("ask", "What?", "--context-file", str(post), "--model", str(model))
    _one_line_error(result, message, "ASKBLOG_MODEL")


def test_a_real_process_prints_no_traceback(post, tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "ask",
            "What?",
            "--context-file",
            str(post),
            "--model",
            str(tmp_path / "absent"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().count("\n") == 0
    assert done.stderr.startswith("Error: Model directory")


def test_bad_setting_is_one_line(post, tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "bot", "config", "check"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env={"PATH": str(Path(sys.executable).parent), "ASKBLOG_THREADS": "many"},
    )
    assert done.returncode == 1
    assert done.stderr.strip() == "Error: ASKBLOG_THREADS must be a number, not 'many'."


def test_model_tiny_builds_a_loadable_model(tmp_path):
    from model.source import resolve

    result = run("model", "tiny", str(tmp_path / "t"))
    assert result.exit_code == 0, result.output
    source = resolve(tmp_path / "t")
    assert source.config["encoder_attention_type"] == "transient-global"


def test_export_optimized_and_quantized(tmp_path, tiny_model_dir, tiny_onnx_dir):
    out = tmp_path / "int8"
    result = run("model", "export", str(tiny_model_dir), str(out), "--optimize", "O2", "--quantize")
    assert result.exit_code == 0, result.output
    assert "largest encoder difference from PyTorch" in result.stdout
    assert "checking ONNX against PyTorch" in result.stderr
    names = {p.name for p in out.iterdir()}
    assert {"encoder_model.onnx", "decoder_model_merged.onnx", "tokenizer.json"} <= names
    assert "decoder_with_past_model.onnx" not in names
    report = json.loads((out / "askblog_export.json").read_text())
    assert report["optimize"] == "O2" and report["quantized"]
    assert all(p["same_tokens"] and p["encoder_max_diff"] < 1e-3 for p in report["parity"])
    assert len(report["int8_parity"]) == len(report["parity"])
    for name in ("encoder_model.onnx", "decoder_model_merged.onnx"):
        assert (out / name).stat().st_size < (tiny_onnx_dir / name).stat().st_size
    import onnx

    graph = onnx.load(str(out / "encoder_model.onnx")).graph
    assert any(node.op_type == "DynamicQuantizeLinear" for node in graph.node)


def test_export_refuses_a_non_empty_output(tmp_path, tiny_model_dir):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("mine")
    result = run("model", "export", str(tiny_model_dir), str(tmp_path / "out"))
    _one_line_error(result, "not empty")
    assert (tmp_path / "out" / "keep.txt").read_text() == "mine"


def test_export_refuses_unsafe_optimization_levels(tmp_path, tiny_model_dir):
    result = run("model", "export", str(tiny_model_dir), str(tmp_path / "o"), "--optimize", "O3")
    assert result.exit_code == 2
    assert not (tmp_path / "o").exists()


def test_export_fails_loudly_when_onnx_disagrees(tmp_path, tiny_model_dir, monkeypatch):
    import model.export
    from model.parity import Parity

    def disagree(reference, candidate, ids, **kwargs):
        return Parity(len(ids), 0.5, [5, 6, 7], [5, 9, 9])

    monkeypatch.setattr(model.export, "compare", disagree)
    result = run("model", "export", str(tiny_model_dir), str(tmp_path / "bad"))
    _one_line_error(result, "disagrees with PyTorch", "nothing was written")
    assert not (tmp_path / "bad").exists()
    assert not list(tmp_path.glob(".bad-*"))


def test_export_of_an_onnx_directory_is_refused(tmp_path, tiny_onnx_dir):
    result = run("model", "export", str(tiny_onnx_dir), str(tmp_path / "again"))
    _one_line_error(result, "not a PyTorch checkpoint")


def test_config_check_masks_secrets():
    settings = Settings(slack_bot_token="xoxb-very-secret-value", discord_token="discord-secret")
    result = run("config", "check", settings=settings)
    assert result.exit_code == 0
    assert "xoxb-very-secret-value" not in result.output
    assert "discord-secret" not in result.output
    assert "SLACK_BOT_TOKEN=(set, hidden)" in result.output
    assert "ASKBLOG_MODEL=tryolabs/long-t5-tglobal-base-blogpost-cqa-onnx" in result.output
