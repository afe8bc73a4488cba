"""The answer engine's one interface, and the loader that picks an implementation.

An engine owns a tokenizer and a seq2seq model. It turns (context, history,
question) into a prompt with :mod:`model.prompt` and generates greedily.
``OnnxEngine`` (ONNX Runtime through optimum) serves; ``TorchEngine`` is the
reference it is checked against.
"""

from __future__ import annotations

import logging
import os
import time
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from model import prompt
from model.source import ModelLoadError, ModelSource, resolve

log = logging.getLogger(__name__)

Backend = Literal["auto", "onnx", "torch"]
DEFAULT_MAX_NEW_TOKENS = 128


@dataclass(frozen=True)
class Generated:
    """What one generation produced and what it cost."""

    text: str
    token_ids: list[int]
    input_tokens: int
    seconds: float
    context_truncated: bool = False


def default_threads() -> int:
    """Return the number of CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class Engine(ABC):
    """A loaded seq2seq model that answers questions about a text."""

    backend: str

    def __init__(
        self,
        *,
        source: ModelSource,
        model,
        tokenizer,
        max_input_tokens: int = prompt.DEFAULT_MAX_INPUT_TOKENS,
        max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS,
    ) -> None:
        self.source = source
        self.model = model
        self.tokenizer = tokenizer
        self.max_input_tokens = max_input_tokens
        self.max_new_tokens = max_new_tokens

    @property
    def name(self) -> str:
        return self.source.ref

    def prepare(
        self, context: str, history: Sequence[prompt.Turn], question: str
    ) -> prompt.ModelInput:
        """Build the model input with the shared prompt builder."""
        return prompt.build(
            context,
            history,
            question,
            tokenizer=self.tokenizer,
            max_input_tokens=self.max_input_tokens,
        )

    def answer(self, context: str, history: Sequence[prompt.Turn], question: str) -> Generated:
        """Answer a question about CONTEXT, given the conversation so far."""
        model_input = self.prepare(context, history, question)
        result = self.generate(model_input.input_ids)
        return Generated(
            text=result.text,
            token_ids=result.token_ids,
            input_tokens=result.input_tokens,
            seconds=result.seconds,
            context_truncated=model_input.truncated,
        )

    def generate(
        self,
        input_ids: Sequence[int],
        *,
        max_new_tokens: int | None = None,
        min_new_tokens: int = 0,
    ) -> Generated:
        """Decode greedily from token ids; MIN_NEW_TOKENS forces a length (benchmarks)."""
        import torch

        max_new = max_new_tokens or self.max_new_tokens
        ids, mask = self._model_inputs(input_ids)
        started = time.perf_counter()
        with torch.inference_mode():
            output = self.model.generate(
                input_ids=ids,
                attention_mask=mask,
                max_new_tokens=max_new,
                min_new_tokens=min_new_tokens or None,
                num_beams=1,
                do_sample=False,
            )
        seconds = time.perf_counter() - started
        tokens = [int(t) for t in output[0].tolist()]
        # Drop the decoder start token; keep generated ids only.
        generated = tokens[1:] if tokens and tokens[0] == self._decoder_start() else tokens
        text = self.tokenizer.decode(generated, skip_special_tokens=True).strip()
        return Generated(
            text=text, token_ids=generated, input_tokens=len(input_ids), seconds=seconds
        )

    def _decoder_start(self) -> int:
        return int(self.source.config.get("decoder_start_token_id", 0))

    def _model_inputs(self, input_ids: Sequence[int]):
        import torch

        ids = torch.tensor([list(input_ids)], dtype=torch.long)
        return ids, torch.ones_like(ids)

    @abstractmethod
    def encode(self, input_ids: Sequence[int]) -> np.ndarray:
        """Return the encoder's last hidden state for INPUT_IDS, shape (tokens, d_model)."""


def load_engine(
    ref: str,
    *,
    backend: Backend = "auto",
    threads: int | None = None,
    max_input_tokens: int = prompt.DEFAULT_MAX_INPUT_TOKENS,
    max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS,
    warm_up: bool = True,
) -> Engine:
    """Load a model by directory or hub id, failing now with one clear line if it can't be used.

    ``auto`` serves an ONNX export with ONNX Runtime and a PyTorch checkpoint
    with PyTorch. A short warm-up generation runs at load so a broken model
    fails at start-up, not at the first question.
    """
    source = resolve(ref)
    if backend == "auto":
        backend = "onnx" if source.format == "onnx" else "torch"
        if backend == "torch":
            log.warning(
                "serving the PyTorch checkpoint %s; an ONNX export answers about twice as "
                "fast: askblog model export %s OUT --quantize",
                source.path,
                source.path,
            )
    if backend == "onnx" and source.format != "onnx":
        raise ModelLoadError(
            f"Model {source.path} is a PyTorch checkpoint, not an ONNX export; run "
            f"`askblog model export {source.path} OUT` and set ASKBLOG_MODEL=OUT, "
            "or set ASKBLOG_ENGINE=torch."
        )
    if backend == "torch" and source.format != "pytorch":
        raise ModelLoadError(
            f"Model {source.path} holds only ONNX files; the torch engine needs a PyTorch "
            "checkpoint: set ASKBLOG_ENGINE=onnx or point ASKBLOG_MODEL at a checkpoint."
        )
    threads = threads or default_threads()
    kwargs = {"max_input_tokens": max_input_tokens, "max_new_tokens": max_new_tokens}
    try:
        if backend == "onnx":
            from model.onnx_engine import OnnxEngine

            engine: Engine = OnnxEngine.load(source, threads=threads, **kwargs)
        elif backend == "torch":
            from model.torch_engine import TorchEngine

            engine = TorchEngine.load(source, threads=threads, **kwargs)
        else:
            raise ModelLoadError(f"Unknown engine '{backend}': use auto, onnx or torch.")
        if warm_up:
            engine.generate(engine.tokenizer("warm up")["input_ids"], max_new_tokens=1)
    except ModelLoadError:
        raise
    except Exception as error:
        line = str(error).strip().splitlines()
        reason = line[0][:300] if line else type(error).__name__
        raise ModelLoadError(
            f"Model {source.path} could not be loaded ({type(error).__name__}: {reason}); "
            "the files may be corrupt or incomplete: re-export or re-download it, or "
            "set ASKBLOG_MODEL to another model."
        ) from error
    log.info("loaded %s model %s with %d threads", engine.backend, source.path, threads)
    return engine
