"""Shared fixtures: tiny LongT5 models built on the fly, and their engines."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

# No test may reach the model hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Path:
    """A tiny random LongT5 checkpoint (PyTorch) with its tokenizer."""
    from model.factory import build_tiny

    return build_tiny(tmp_path_factory.mktemp("models") / "tiny")


@pytest.fixture(scope="session")
def tiny_onnx_dir(tiny_model_dir, tmp_path_factory) -> Path:
    """The tiny model exported to ONNX (fp32), parity-checked by the export itself."""
    from model.export import export

    out = tmp_path_factory.mktemp("models") / "tiny-onnx"
    export(tiny_model_dir, out, threads=1, progress=lambda _: None)
    return out


@pytest.fixture(scope="session")
def torch_engine(tiny_model_dir):
    from model.engine import load_engine

    return load_engine(str(tiny_model_dir), backend="torch", threads=1, max_input_tokens=8192)


@pytest.fixture(scope="session")
def onnx_engine(tiny_onnx_dir):
    from model.engine import load_engine

    return load_engine(str(tiny_onnx_dir), backend="onnx", threads=1, max_input_tokens=8192)


@pytest.fixture(scope="session")
def tokenizer(tiny_model_dir):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(tiny_model_dir)


def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Poll CONDITION until it holds; fail the test after TIMEOUT seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.05)
