"""ONNX Runtime against PyTorch on the same tiny LongT5.

LongT5's transient-global attention is easy to export wrongly: a shape such as
the number of global blocks can be frozen at the length the exporter traced
with, and with zero global blocks ONNX's Reshape misreads the target shape.
Comparing encoder outputs and generated ids at several lengths catches both.
"""

from __future__ import annotations

import pytest

from model.parity import compare, sample_ids

# 3 is shorter than one global block; the others span many local and global blocks.
LENGTHS = [3, 17, 100, 1000, 4096]


@pytest.mark.parametrize("length", LENGTHS)
def test_onnx_matches_pytorch(length, torch_engine, onnx_engine):
    ids = sample_ids(torch_engine.tokenizer, length, seed=length)
    result = compare(torch_engine, onnx_engine, ids, new_tokens=12)
    assert result.encoder_max_diff < 1e-4, result
    assert result.same_tokens, result
    assert len(result.reference_ids) > 0


def test_sample_ids_have_the_requested_length_and_end_with_eos(tokenizer):
    ids = sample_ids(tokenizer, 50)
    assert len(ids) == 50
    assert ids[-1] == tokenizer.eos_token_id
    assert not set(ids[:-1]) & set(tokenizer.all_special_ids)


def test_answer_uses_the_shared_prompt_and_reports_truncation(torch_engine, onnx_engine):
    from model.prompt import Turn, build

    history = [Turn("q1", "a1"), Turn("q2", "a2")]
    context = "A post about models. " * 2000
    expected = build(
        context, history, "What?", tokenizer=onnx_engine.tokenizer, max_input_tokens=8192
    )
    onnx_answer = onnx_engine.answer(context, history, "What?")
    torch_answer = torch_engine.answer(context, history, "What?")
    assert onnx_answer.input_tokens == len(expected.input_ids)
    assert onnx_answer.context_truncated == expected.truncated
    assert onnx_answer.token_ids == torch_answer.token_ids
    assert onnx_answer.seconds > 0


def test_generation_is_capped_at_max_new_tokens(onnx_engine):
    ids = sample_ids(onnx_engine.tokenizer, 40)
    result = onnx_engine.generate(ids, max_new_tokens=5, min_new_tokens=5)
    assert len(result.token_ids) == 5
    assert onnx_engine.max_new_tokens == 128


def test_onnx_engine_runs_the_merged_decoder_with_cache(onnx_engine):
    assert onnx_engine.model.use_cache
    decoder_path = str(onnx_engine.model.decoder.path)
    assert decoder_path.endswith("decoder_model_merged.onnx")


def test_engine_threads_come_from_the_caller(tiny_onnx_dir):
    from model.engine import load_engine

    engine = load_engine(str(tiny_onnx_dir), threads=1)
    options = engine.model.encoder.session.get_session_options()
    assert options.intra_op_num_threads == 1
