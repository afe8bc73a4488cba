"""Run a LongT5/T5 checkpoint with PyTorch: the reference the ONNX engine is checked against."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from model.engine import Engine
from model.source import ModelSource


class TorchEngine(Engine):
    """The Hugging Face model in eval mode on CPU, greedy decoding."""

    backend = "torch"

    @classmethod
    def load(cls, source: ModelSource, *, threads: int, **kwargs) -> TorchEngine:
        import torch
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

        # PyTorch's thread count is per process; the reference engine owns it.
        torch.set_num_threads(threads)
        model = AutoModelForSeq2SeqLM.from_pretrained(source.path, local_files_only=True).eval()
        tokenizer = AutoTokenizer.from_pretrained(source.path, local_files_only=True)
        return cls(source=source, model=model, tokenizer=tokenizer, **kwargs)

    def encode(self, input_ids: Sequence[int]) -> np.ndarray:
        import torch

        ids, mask = self._model_inputs(input_ids)
        with torch.inference_mode():
            hidden = self.model.get_encoder()(input_ids=ids, attention_mask=mask)
        return hidden.last_hidden_state[0].float().numpy()
