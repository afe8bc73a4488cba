from __future__ import annotations

import json

import torch
from transformers import AutoConfig, LongT5Config, LongT5ForConditionalGeneration

from model.factory import TINY_CONFIG, base_config


def test_tiny_model_is_transient_global_longt5_with_its_tokenizer(tiny_model_dir, tokenizer):
    config = AutoConfig.from_pretrained(tiny_model_dir)
    assert config.model_type == "longt5"
    assert config.encoder_attention_type == "transient-global"
    assert config.vocab_size == len(tokenizer)
    assert (tokenizer.pad_token_id, tokenizer.eos_token_id, tokenizer.unk_token_id) == (0, 1, 2)
    assert tokenizer("hello")["input_ids"][-1] == tokenizer.eos_token_id
    for marker in ("||", "<Q>", "<A>"):
        assert tokenizer.convert_tokens_to_ids(marker) >= 3
    size = sum(p.stat().st_size for p in tiny_model_dir.iterdir())
    assert size < 2_000_000


def test_tiny_model_is_reproducible(tmp_path):
    from model.factory import build_tiny

    a = build_tiny(tmp_path / "a", seed=3)
    b = build_tiny(tmp_path / "b", seed=3)
    assert (a / "model.safetensors").read_bytes() == (b / "model.safetensors").read_bytes()


def test_base_config_is_the_long_t5_tglobal_base_architecture():
    config = LongT5Config(**base_config())
    assert (config.d_model, config.num_layers, config.num_heads, config.d_ff) == (768, 12, 12, 2048)
    assert (config.local_radius, config.global_block_size) == (127, 16)
    assert config.vocab_size == 32128
    with torch.device("meta"):
        model = LongT5ForConditionalGeneration(config)
    params = sum(p.numel() for p in model.parameters())
    assert 245e6 < params < 250e6  # google/long-t5-tglobal-base has about 248M


def test_tiny_config_keeps_blocks_small_for_tests():
    assert TINY_CONFIG["global_block_size"] < 17 < TINY_CONFIG["local_radius"] * 4
    json.dumps(TINY_CONFIG)
