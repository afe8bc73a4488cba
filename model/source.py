"""Turn a model reference (a local directory or a hub id) into a checked local directory."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

SUPPORTED_MODEL_TYPES = ("longt5", "t5")
ONNX_ENCODER = "encoder_model.onnx"
ONNX_DECODER_MERGED = "decoder_model_merged.onnx"
ONNX_DECODER = "decoder_model.onnx"
ONNX_DECODER_WITH_PAST = "decoder_with_past_model.onnx"
TORCH_WEIGHTS = (
    "model.safetensors",
    "model.safetensors.index.json",
    "pytorch_model.bin",
    "pytorch_model.bin.index.json",
)
TOKENIZER_FILES = ("tokenizer.json", "spiece.model")
# What to fetch from a hub repository, in turn until one set of weights is
# complete: configs and tokenizer with an ONNX export using a merged decoder,
# then an older export's two decoders, then PyTorch weights. Quantized and
# other variants a repository may also hold are never fetched.
HUB_PHASES = (
    ["*.json", "spiece.model", f"{ONNX_ENCODER}*", f"{ONNX_DECODER_MERGED}*"],
    [f"{ONNX_DECODER}*", f"{ONNX_DECODER_WITH_PAST}*"],
    ["*.safetensors"],
    ["pytorch_model*.bin"],
)
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
_HINT = "set ASKBLOG_MODEL (or --model) to a model directory or a hub id"

Format = Literal["onnx", "pytorch"]


class ModelLoadError(Exception):
    """The model cannot be used; the message says why and what to set, in one line."""


@dataclass(frozen=True)
class ModelSource:
    """A model found on disk: where it is, what it was asked for as, and its format."""

    ref: str
    path: Path
    format: Format
    config: dict

    @property
    def global_block_size(self) -> int | None:
        """Tokens per global block of a transient-global LongT5, else None."""
        if self.config.get("encoder_attention_type") == "transient-global":
            return int(self.config.get("global_block_size", 16))
        return None


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0][:300] if text else type(error).__name__


def _is_local_path(ref: str) -> bool:
    return ref.startswith(("/", "./", "../", "~", ".\\")) or Path(ref).expanduser().exists()


def _download(ref: str) -> Path:
    from huggingface_hub import snapshot_download

    try:
        for patterns in HUB_PHASES:
            path = Path(snapshot_download(repo_id=ref, allow_patterns=patterns))
            if detect_format(path) is not None:
                break
        return path
    except Exception as error:  # every hub failure ends the same way for the user
        raise ModelLoadError(
            f"Model '{ref}' is not a local directory and could not be fetched from the "
            f"Hugging Face hub ({type(error).__name__}: {_first_line(error)}); "
            f"download it on a connected machine or {_HINT}."
        ) from error


def detect_format(path: Path) -> Format | None:
    """Say whether a directory holds an ONNX export or a PyTorch checkpoint."""
    if (path / ONNX_ENCODER).is_file() and (
        (path / ONNX_DECODER_MERGED).is_file() or (path / ONNX_DECODER).is_file()
    ):
        return "onnx"
    if any((path / name).is_file() for name in TORCH_WEIGHTS):
        return "pytorch"
    return None


def read_config(path: Path) -> dict:
    """Read and check config.json of a LongT5/T5 encoder-decoder model."""
    config_file = path / "config.json"
    if not config_file.is_file():
        what = "is empty" if not any(path.iterdir()) else "has no config.json"
        raise ModelLoadError(f"Model directory {path} {what}; {_HINT}.")
    try:
        config = json.loads(config_file.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise ModelLoadError(
            f"Model directory {path} has a corrupt config.json ({_first_line(error)}); {_HINT}."
        ) from error
    if not isinstance(config, dict):
        raise ModelLoadError(f"Model directory {path} has a corrupt config.json; {_HINT}.")
    model_type = config.get("model_type")
    if model_type not in SUPPORTED_MODEL_TYPES:
        raise ModelLoadError(
            f"Model {path} is a '{model_type}' model, not a LongT5/T5 seq2seq model; {_HINT}."
        )
    return config


def resolve(ref: str | Path) -> ModelSource:
    """Find a model by directory or hub id and check it is a usable LongT5/T5 model."""
    ref = str(ref).strip()
    if not ref:
        raise ModelLoadError(f"No model is configured; {_HINT}.")
    if _is_local_path(ref):
        path = Path(ref).expanduser()
        if not path.is_dir():
            raise ModelLoadError(f"Model directory {path} does not exist; {_HINT}.")
    elif _HUB_ID.match(ref):
        path = _download(ref)
    else:
        raise ModelLoadError(f"Model '{ref}' is neither a directory nor a hub id; {_HINT}.")
    config = read_config(path)
    fmt = detect_format(path)
    if fmt is None:
        raise ModelLoadError(
            f"Model directory {path} has no weights (expected {ONNX_ENCODER} with "
            f"{ONNX_DECODER_MERGED}, or model.safetensors); {_HINT}."
        )
    if not any((path / name).is_file() for name in TOKENIZER_FILES):
        raise ModelLoadError(
            f"Model directory {path} has no tokenizer (tokenizer.json or spiece.model); {_HINT}."
        )
    return ModelSource(ref=ref, path=path, format=fmt, config=config)
