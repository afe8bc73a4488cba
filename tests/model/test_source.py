"""Finding and checking a model: local directories, hub ids, and every way they can be wrong."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from model.engine import load_engine
from model.source import ModelLoadError, resolve


def _copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def test_pytorch_and_onnx_directories_are_recognised(tiny_model_dir, tiny_onnx_dir):
    assert resolve(tiny_model_dir).format == "pytorch"
    onnx = resolve(tiny_onnx_dir)
    assert onnx.format == "onnx"
    assert onnx.global_block_size == 4


def test_missing_directory(tmp_path):
    with pytest.raises(ModelLoadError, match=r"does not exist.*ASKBLOG_MODEL"):
        resolve(tmp_path / "nope")


def test_empty_directory(tmp_path):
    with pytest.raises(ModelLoadError, match="is empty"):
        resolve(tmp_path)


def test_corrupt_config(tmp_path, tiny_model_dir):
    model = _copy(tiny_model_dir, tmp_path / "m")
    (model / "config.json").write_text("{not json")
    with pytest.raises(ModelLoadError, match=r"corrupt config\.json"):
        resolve(model)


def test_not_a_seq2seq_model(tmp_path, tiny_model_dir):
    model = _copy(tiny_model_dir, tmp_path / "m")
    (model / "config.json").write_text(json.dumps({"model_type": "bert"}))
    with pytest.raises(ModelLoadError, match="'bert' model, not a LongT5/T5"):
        resolve(model)


def test_no_weights(tmp_path, tiny_model_dir):
    model = _copy(tiny_model_dir, tmp_path / "m")
    (model / "model.safetensors").unlink()
    with pytest.raises(ModelLoadError, match="no weights"):
        resolve(model)


def test_no_tokenizer(tmp_path, tiny_model_dir):
    model = _copy(tiny_model_dir, tmp_path / "m")
    (model / "tokenizer.json").unlink()
    with pytest.raises(ModelLoadError, match="no tokenizer"):
        resolve(model)


def test_corrupt_onnx_file_fails_at_load_not_at_the_first_question(tmp_path, tiny_onnx_dir):
    model = _copy(tiny_onnx_dir, tmp_path / "m")
    (model / "encoder_model.onnx").write_bytes(b"\x00garbage" * 100)
    with pytest.raises(ModelLoadError, match=r"could not be loaded.*corrupt"):
        load_engine(str(model), threads=1)


def test_corrupt_safetensors_fails_at_load(tmp_path, tiny_model_dir):
    model = _copy(tiny_model_dir, tmp_path / "m")
    (model / "model.safetensors").write_bytes(b"\x00" * 64)
    with pytest.raises(ModelLoadError, match="could not be loaded"):
        load_engine(str(model), threads=1)


def test_engine_choice_must_fit_the_files(tiny_model_dir, tiny_onnx_dir):
    with pytest.raises(ModelLoadError, match="askblog model export"):
        load_engine(str(tiny_model_dir), backend="onnx")
    with pytest.raises(ModelLoadError, match="holds only ONNX files"):
        load_engine(str(tiny_onnx_dir), backend="torch")


def test_hub_id_not_cached_while_offline_is_one_clear_line(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelLoadError) as caught:
        resolve("someone/not-cached-anywhere")
    message = str(caught.value)
    assert "\n" not in message
    assert "could not be fetched from the Hugging Face hub" in message
    assert "ASKBLOG_MODEL" in message


def test_nonsense_reference(monkeypatch):
    with pytest.raises(ModelLoadError, match="neither a directory nor a hub id"):
        resolve("no such model!")


def test_hub_id_is_served_from_the_local_hub_cache(tmp_path, tiny_onnx_dir):
    """The hub code path is the real one: a hub id resolves through huggingface_hub's cache."""
    cache = tmp_path / "hub"
    repo = cache / "models--acme--tiny-cqa-onnx"
    commit = "0123456789abcdef0123456789abcdef01234567"
    shutil.copytree(tiny_onnx_dir, repo / "snapshots" / commit)
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(commit)
    context = tmp_path / "post.txt"
    context.write_text("A post.")
    env = {
        "PATH": str(Path(sys.executable).parent),
        "HOME": str(tmp_path),
        "HF_HUB_CACHE": str(cache),
        "HF_HUB_OFFLINE": "1",
        "ASKBLOG_MODEL": "acme/tiny-cqa-onnx",
        "ASKBLOG_THREADS": "1",
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "What?", "--context-file", str(context)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "loaded onnx model" in done.stderr
    assert str(commit) in done.stderr
