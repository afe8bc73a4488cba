from __future__ import annotations

import pytest

from bot.text import split_message


def test_short_text_is_one_chunk():
    assert split_message("  hello  ", 100) == ["hello"]


@pytest.mark.parametrize("limit", [50, 200, 2000])
def test_chunks_respect_the_limit_and_keep_every_word(limit):
    text = "\n\n".join(" ".join(f"word{i}-{j}." for j in range(40)) for i in range(10))
    chunks = split_message(text, limit)
    assert all(len(c) <= limit for c in chunks)
    assert " ".join(chunks).split() == text.split()


def test_prefers_paragraph_breaks():
    text = "a" * 60 + "\n\n" + "b" * 30
    assert split_message(text, 80) == ["a" * 60, "b" * 30]


def test_unbroken_text_is_cut_hard():
    assert split_message("x" * 250, 100) == ["x" * 100, "x" * 100, "x" * 50]
