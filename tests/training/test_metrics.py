"""F1/EM against numbers worked out by hand the way the official scripts compute them."""

from __future__ import annotations

import pytest

from training.metrics import as_answer, exact, f1, normalize_answer, score, turn_score


def test_normalisation_drops_case_punctuation_articles_and_extra_space():
    assert normalize_answer("  The Cat,   sat! ") == "cat sat"
    assert normalize_answer("An apple a day") == "apple day"
    assert normalize_answer("theatre") == "theatre"  # articles only as whole words


def test_exact_match_after_normalisation():
    assert exact("An Apple.", "apple") == 1
    assert exact("apple pie", "apple") == 0


def test_token_f1():
    # gold [cat, sat], prediction [cat, sat, down]: precision 2/3, recall 1.
    assert f1("the cat sat", "a cat sat down") == pytest.approx(0.8)
    assert f1("cat", "dog") == 0.0
    # Repeated tokens count as often as both sides have them.
    assert f1("a a b", "a b b") == pytest.approx(2 / 3)


def test_empty_answers_only_match_empty_answers():
    assert f1("", "") == 1.0 and exact("", "") == 1
    assert f1("", "something") == 0.0
    assert f1("Paris", "") == 0.0
    assert f1("the", "") == 1.0  # normalises to nothing, as in the official scripts


def test_best_over_several_gold_answers():
    assert turn_score(["red car", "blue"], "blue") == (1.0, 1.0)
    em, f = turn_score(["red car", "blue"], "red")
    assert em == 0.0 and f == pytest.approx(2 / 3)


def test_coqa_leave_one_out_average():
    # Leave out "red": best of (red car, blue) -> em 0, f1 2/3; leave out the others: 1 and 1.
    em, f = turn_score(["red", "red car", "blue"], "red", coqa=True)
    assert em == pytest.approx(2 / 3)
    assert f == pytest.approx((2 / 3 + 1 + 1) / 3)


def test_squad2_unanswerable_and_missing_predictions():
    golds = {"q1": [""], "q2": ["Paris", "paris, France"], "q3": ["Rome"], "q4": ["x"]}
    predictions = {"q1": as_answer("unknown"), "q2": "Paris.", "q3": "the city of Rome"}
    result = score(golds, predictions)
    # q1: 1/1; q2: 1/1; q3: em 0, f1 2*(1/3*1)/(1/3+1) = 0.5; q4 missing: left out.
    assert result == {
        "f1": pytest.approx(83.33),
        "em": pytest.approx(66.67),
        "count": 3,
        "missing": 1,
    }


def test_gold_answers_that_normalise_to_nothing_mean_no_answer():
    assert score({"q": ["", "  "]}, {"q": ""})["f1"] == 100.0
    assert score({"q": ["The"]}, {"q": "anything"})["f1"] == 0.0


def test_no_answer_string_reads_as_empty():
    assert as_answer("Unknown.") == ""
    assert as_answer("unknown soldier") == "unknown soldier"
