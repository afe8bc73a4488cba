"""Serve an exported LongT5 with ONNX Runtime through optimum."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from model.engine import Engine
from model.source import ModelSource


class OnnxEngine(Engine):
    """Encoder plus merged decoder with KV cache, on CPU, greedy decoding."""

    backend = "onnx"

    @classmethod
    def load(cls, source: ModelSource, *, threads: int, **kwargs) -> OnnxEngine:
        import onnxruntime as ort
        from optimum.onnxruntime import ORTModelForSeq2SeqLM
        from transformers import AutoTokenizer

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        model = ORTModelForSeq2SeqLM.from_pretrained(
            source.path,
            use_cache=True,
            provider="CPUExecutionProvider",
            session_options=options,
            local_files_only=True,
        )
        tokenizer = AutoTokenizer.from_pretrained(source.path, local_files_only=True)
        return cls(source=source, model=model, tokenizer=tokenizer, **kwargs)

    def _model_inputs(self, input_ids: Sequence[int]):
        # An exported transient-global encoder fails on inputs shorter than one
        # global block: with zero global blocks, ONNX Reshape reads a 0 in the
        # target shape as "copy this dimension". Right-padding to one block
        # (masked out) gives the same result as the unpadded PyTorch model.
        ids, mask = super()._model_inputs(input_ids)
        block = self.source.global_block_size
        if block and ids.shape[1] < block:
            import torch

            pad = block - ids.shape[1]
            pad_id = int(self.source.config.get("pad_token_id", 0))
            ids = torch.nn.functional.pad(ids, (0, pad), value=pad_id)
            mask = torch.nn.functional.pad(mask, (0, pad), value=0)
        return ids, mask

    def encode(self, input_ids: Sequence[int]) -> np.ndarray:
        ids, mask = self._model_inputs(input_ids)
        hidden = self.model.encoder.session.run(
            None, {"input_ids": ids.numpy(), "attention_mask": mask.numpy()}
        )[0]
        return hidden[0, : len(input_ids)]
