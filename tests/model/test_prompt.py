from __future__ import annotations

import pytest

from model.prompt import ModelInput, PromptError, Turn, build, format_input

HISTORY = [
    Turn("What is the post about?", "Answering questions about blog posts."),
    Turn("Which model?", "LongT5."),
    Turn("Runs where?", "On a CPU."),
]


def test_format_matches_the_coqa_seq2seq_baseline():
    text = format_input("The post.", HISTORY[:2], "Why?")
    assert text == (
        "The post. || <Q> What is the post about? <A> Answering questions about blog posts. "
        "<Q> Which model? <A> LongT5. <Q> Why? <A>"
    )


def test_more_than_two_turns_keeps_the_last_two():
    text = format_input("ctx", HISTORY, "And then?")
    assert "What is the post about?" not in text
    assert (
        text
        == "ctx || <Q> Which model? <A> LongT5. <Q> Runs where? <A> On a CPU. <Q> And then? <A>"
    )


def test_no_history_and_whitespace_are_normalised():
    assert format_input("  a\n\nb  ", [], "  what\tis it? ") == "a b || <Q> what is it? <A>"


@pytest.mark.parametrize("question", ["", "   ", "\n\t "])
def test_empty_question_is_refused_with_a_clear_message(question, tokenizer):
    with pytest.raises(PromptError, match="question is empty"):
        format_input("ctx", [], question)
    with pytest.raises(PromptError, match="question is empty"):
        build("ctx", [], question, tokenizer=tokenizer)


def test_input_within_budget_is_untouched(tokenizer):
    result = build("A short post.", HISTORY, "Why?", tokenizer=tokenizer, max_input_tokens=7000)
    assert isinstance(result, ModelInput)
    assert not result.truncated
    assert result.text == format_input("A short post.", HISTORY, "Why?")
    assert result.input_ids == tokenizer(result.text)["input_ids"]
    assert result.input_ids[-1] == tokenizer.eos_token_id


def test_context_over_budget_is_cut_and_question_and_history_survive(tokenizer):
    context = " ".join(f"Sentence number {i} of a long blog post." for i in range(2000))
    question = "What was the very last thing the post said?"
    result = build(context, HISTORY, question, tokenizer=tokenizer, max_input_tokens=300)

    assert result.truncated
    assert len(result.input_ids) <= 300
    assert len(result.input_ids) >= 290  # the budget is used, not wasted
    tail = "|| <Q> Which model? <A> LongT5. <Q> Runs where? <A> On a CPU. <Q> " + question + " <A>"
    assert result.text.endswith(tail)
    kept = result.text[: -len(tail)].strip()
    assert context.startswith(kept)  # the beginning of the post is kept
    assert result.input_ids == tokenizer(result.text)["input_ids"]


def test_default_budget_is_seven_thousand_tokens(tokenizer):
    context = "word " * 20000
    result = build(context, [], "Which word?", tokenizer=tokenizer)
    assert len(result.input_ids) <= 7000
    assert result.truncated


def test_question_that_alone_exceeds_the_budget_is_refused(tokenizer):
    with pytest.raises(PromptError, match="shorter question"):
        build("ctx", [], "why " * 500, tokenizer=tokenizer, max_input_tokens=100)


def test_empty_context_still_builds(tokenizer):
    result = build("", [], "Anything?", tokenizer=tokenizer)
    assert result.text == "|| <Q> Anything? <A>"


def test_added_tokens_are_single_tokens(tokenizer):
    ids = tokenizer("x || <Q> q <A>", add_special_tokens=False)["input_ids"]
    tokens = tokenizer.convert_ids_to_tokens(ids)
    for marker in ("||", "<Q>", "<A>"):
        assert marker in tokens
