"""The one model input format, shared by training, evaluation and serving.

The published checkpoint (tryolabs/long-t5-tglobal-base-blogpost-cqa) was
fine-tuned on the CoQA seq2seq baseline format with two turns of history and
three added tokens (``||``, ``<Q>``, ``<A>``)::

    {context} || <Q> {q-2} <A> {a-2} <Q> {q-1} <A> {a-1} <Q> {question} <A>

Nothing else in the project writes this string: ``training/`` and ``bot/``
call :func:`build` (or :func:`format_input` where no tokenizer is at hand).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

SEPARATOR = "||"
QUESTION = "<Q>"
ANSWER = "<A>"
ADDED_TOKENS = (SEPARATOR, QUESTION, ANSWER)

HISTORY_TURNS = 2
DEFAULT_MAX_INPUT_TOKENS = 7000
# The one target for questions the post cannot answer (SQuAD 2.0 "no answer",
# CoQA "unknown"), so the model learns a single way to say so.
NO_ANSWER = "unknown"


class PromptError(ValueError):
    """An input that cannot become a model prompt; the message is for the asker."""


@dataclass(frozen=True)
class Turn:
    """One earlier question and the answer it got."""

    question: str
    answer: str


@dataclass(frozen=True)
class ModelInput:
    """A prompt ready for the model: its text, token ids and what was cut."""

    text: str
    input_ids: list[int]
    context_tokens_dropped: int

    @property
    def truncated(self) -> bool:
        return self.context_tokens_dropped > 0


class Tokenizer(Protocol):
    """The part of a Hugging Face fast tokenizer the builder uses."""

    def __call__(self, text: str, **kwargs: object) -> dict: ...


def _clean(text: str) -> str:
    return " ".join(text.split())


def _tail(history: Sequence[Turn], question: str) -> str:
    parts = [SEPARATOR]
    for turn in list(history)[-HISTORY_TURNS:]:
        parts += [QUESTION, _clean(turn.question), ANSWER, _clean(turn.answer)]
    parts += [QUESTION, question, ANSWER]
    return " ".join(parts)


def check_question(question: str) -> str:
    """Return the question with whitespace normalised, or refuse an empty one."""
    cleaned = _clean(question or "")
    if not cleaned:
        raise PromptError("The question is empty: ask something about the post.")
    return cleaned


def format_input(context: str, history: Sequence[Turn], question: str) -> str:
    """Write the model input as text, keeping only the last two turns of history."""
    return f"{_clean(context)} {_tail(history, check_question(question))}".lstrip()


def build(
    context: str,
    history: Sequence[Turn],
    question: str,
    *,
    tokenizer: Tokenizer,
    max_input_tokens: int = DEFAULT_MAX_INPUT_TOKENS,
) -> ModelInput:
    """Build the model input within a token budget, cutting only the context.

    The question and the last two turns always survive whole; the context
    keeps as many of its leading tokens as the budget allows.
    """
    question = check_question(question)
    context = _clean(context)
    tail = _tail(history, question)
    text = f"{context} {tail}".lstrip()
    ids = tokenizer(text)["input_ids"]
    if len(ids) <= max_input_tokens:
        return ModelInput(text=text, input_ids=list(ids), context_tokens_dropped=0)

    tail_len = len(tokenizer(tail)["input_ids"])
    if tail_len > max_input_tokens:
        raise PromptError(
            f"The question and the last {HISTORY_TURNS} turns take {tail_len} tokens, over the "
            f"{max_input_tokens}-token input budget: ask a shorter question."
        )
    encoded = tokenizer(context, add_special_tokens=False, return_offsets_mapping=True)
    offsets = encoded["offset_mapping"]
    context_len = len(offsets)
    # Tokens at the cut can merge differently once the tail follows, so shrink
    # the kept part until the whole input fits.
    keep = max(0, context_len - (len(ids) - max_input_tokens))
    while True:
        cut = offsets[keep - 1][1] if keep > 0 else 0
        text = f"{context[:cut].rstrip()} {tail}".lstrip()
        ids = tokenizer(text)["input_ids"]
        if len(ids) <= max_input_tokens or keep == 0:
            break
        keep = max(0, keep - max(1, len(ids) - max_input_tokens))
    return ModelInput(text=text, input_ids=list(ids), context_tokens_dropped=context_len - keep)
