"""Build LongT5 models offline: a tiny one for tests, a base-sized one for latency work.

Both come with a tokenizer trained here, in seconds, that follows the T5
conventions (``<pad>`` = 0, ``</s>`` = 1, ``<unk>`` = 2, ``</s>`` appended)
and carries the prompt's three added tokens. Weights are random: the tiny
model is for exercising code paths, the base one for timing, and speed does
not depend on the weights' values.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from model.prompt import ADDED_TOKENS

PAD, EOS, UNK = "<pad>", "</s>", "<unk>"

TINY_CONFIG = {
    "d_model": 32,
    "d_kv": 8,
    "d_ff": 64,
    "num_layers": 2,
    "num_decoder_layers": 2,
    "num_heads": 4,
    # Small blocks so that short test inputs already span several local
    # blocks and global blocks, the parts of LongT5 that are hard to export.
    "local_radius": 8,
    "global_block_size": 4,
    "relative_attention_num_buckets": 8,
    "relative_attention_max_distance": 32,
    "encoder_attention_type": "transient-global",
    "feed_forward_proj": "gated-gelu",
    "tie_word_embeddings": False,
    "decoder_start_token_id": 0,
    "pad_token_id": 0,
    "eos_token_id": 1,
}

# Text the tokenizer learns its merges from. Any text works: byte-level BPE
# encodes every string; the corpus only decides how compact the ids are.
_CORPUS = """
A blog post explains an idea to people who were not in the room when it was
worked out. Readers come back with questions: what did the authors measure,
which model did they train, how long did it take, and would it work for them?
The answer is usually in the post, somewhere in its middle, written down by
someone who thought hard about it. Our bot reads the whole post and the last
two turns of the conversation, then writes a short answer and cites the post.
When the post does not say, the right answer is unknown, and saying so is
better than making something up. Questions arrive in Slack threads, Discord
channels and the terminal; each thread keeps its own history, so a follow-up
such as "and why?" is read together with what came before it. Votes on the
answers become training data for the next model, which is evaluated with F1
and exact match before it replaces the current one. The quick brown fox jumps
over the lazy dog; numbers like 1, 2, 10, 128, 4096 and 7,000 appear in posts
too, as do names, dates (2024-05-01), links (https://example.com/post) and
code such as print("hello") or SELECT * FROM posts WHERE id = 42;
"""


def build_tokenizer(vocab_size: int = 512):
    """Train a small byte-level BPE tokenizer with T5's special tokens and the prompt tokens."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    backend = Tokenizer(models.BPE(unk_token=UNK))
    backend.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=True)
    backend.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=[PAD, EOS, UNK],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    backend.train_from_iterator([_CORPUS], trainer=trainer)
    backend.post_processor = processors.TemplateProcessing(
        single=f"$A {EOS}",
        pair=f"$A {EOS} $B {EOS}",
        special_tokens=[(EOS, backend.token_to_id(EOS))],
    )
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=backend,
        pad_token=PAD,
        eos_token=EOS,
        unk_token=UNK,
        model_max_length=16384,
        model_input_names=["input_ids", "attention_mask"],
    )
    tokenizer.add_tokens(list(ADDED_TOKENS))
    return tokenizer


def base_config() -> dict:
    """Return the google/long-t5-tglobal-base architecture, as written in this repo."""
    text = resources.files("model").joinpath("configs/long-t5-tglobal-base.json").read_text()
    return json.loads(text)


def _save(out: Path, config_kwargs: dict, tokenizer, seed: int) -> Path:
    import torch
    from transformers import GenerationConfig, LongT5Config, LongT5ForConditionalGeneration

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    config = LongT5Config(**config_kwargs)
    torch.manual_seed(seed)
    model = LongT5ForConditionalGeneration(config).eval()
    model.generation_config = GenerationConfig(
        decoder_start_token_id=config.decoder_start_token_id,
        pad_token_id=config.pad_token_id,
        eos_token_id=config.eos_token_id,
    )
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out


def build_tiny(out: Path, *, seed: int = 0) -> Path:
    """Write a tiny random LongT5 (transient-global attention) with its tokenizer to OUT."""
    tokenizer = build_tokenizer()
    return _save(out, {**TINY_CONFIG, "vocab_size": len(tokenizer)}, tokenizer, seed)


def build_base(out: Path, *, seed: int = 0) -> Path:
    """Write a randomly initialised long-t5-tglobal-base-sized model to OUT."""
    tokenizer = build_tokenizer()
    config = {k: v for k, v in base_config().items() if k not in ("architectures", "model_type")}
    return _save(out, config, tokenizer, seed)
