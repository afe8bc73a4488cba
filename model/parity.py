"""Compare an ONNX engine with the PyTorch reference on the same token ids."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from model.engine import Engine

# fp32 ONNX Runtime and PyTorch differ by float rounding only; past this the
# graph computes something else (a shape frozen at trace time, say).
ENCODER_ATOL = 1e-3


@dataclass(frozen=True)
class Parity:
    """How far two engines are apart on one input."""

    input_tokens: int
    encoder_max_diff: float
    reference_ids: list[int]
    candidate_ids: list[int]

    @property
    def same_tokens(self) -> bool:
        return self.reference_ids == self.candidate_ids

    def agrees(self, atol: float = ENCODER_ATOL) -> bool:
        return bool(np.isfinite(self.encoder_max_diff)) and (
            self.encoder_max_diff <= atol and self.same_tokens
        )


def compare(
    reference: Engine, candidate: Engine, input_ids: Sequence[int], *, new_tokens: int = 16
) -> Parity:
    """Run both engines' encoders and greedy decoders on INPUT_IDS."""
    ref_hidden = reference.encode(input_ids)
    cand_hidden = candidate.encode(input_ids)
    if ref_hidden.shape != cand_hidden.shape:
        diff = float("inf")
    else:
        diff = float(np.max(np.abs(ref_hidden - cand_hidden)))
    ref = reference.generate(input_ids, max_new_tokens=new_tokens)
    cand = candidate.generate(input_ids, max_new_tokens=new_tokens)
    return Parity(
        input_tokens=len(input_ids),
        encoder_max_diff=diff,
        reference_ids=ref.token_ids,
        candidate_ids=cand.token_ids,
    )


def sample_ids(tokenizer, length: int, *, seed: int = 0) -> list[int]:
    """Return LENGTH token ids ending in </s>, drawn from ordinary (non-special) tokens."""
    rng = np.random.default_rng(seed)
    special = set(tokenizer.all_special_ids)
    vocab = [i for i in range(len(tokenizer)) if i not in special]
    body = rng.choice(vocab, size=max(0, length - 1)).tolist()
    return [int(i) for i in body] + [int(tokenizer.eos_token_id)]
