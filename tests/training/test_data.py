from __future__ import annotations

import json
from pathlib import Path

import pytest

from model.prompt import NO_ANSWER
from training.data import DataError, detect_kind, load_source, split

TRYOCOQA = Path(__file__).parents[3] / "shared" / "data" / "tryocoqa_v1.json"


@pytest.mark.skipif(not TRYOCOQA.exists(), reason="../shared/data is not beside the checkout")
def test_tryocoqa_loads_as_145_examples_with_two_turn_histories():
    source = load_source(str(TRYOCOQA), holdout=False)
    examples = source.validation
    assert source.kind == "blog" and len(examples) == 145
    raw = json.loads(TRYOCOQA.read_text())
    first = raw[0]
    third = examples[2]
    assert third.question == first["questions"][2]
    assert [(t.question, t.answer) for t in third.history] == [
        (first["questions"][0], first["answers"]["input_text"][0]),
        (first["questions"][1], first["answers"]["input_text"][1]),
    ]
    assert examples[0].history == ()
    assert all(len(e.history) == min(2, e.turn_id - 1) for e in examples)
    assert sum(e.answers == (NO_ANSWER,) for e in examples) == 5


def _squad(tmp_path) -> Path:
    data = {
        "version": "v2.0",
        "data": [
            {
                "title": "T",
                "paragraphs": [
                    {
                        "context": "Paris is the capital of France.",
                        "qas": [
                            {
                                "id": "a",
                                "question": "Capital of France?",
                                "is_impossible": False,
                                "answers": [
                                    {"text": "Paris", "answer_start": 0},
                                    {"text": "Paris", "answer_start": 0},
                                ],
                            },
                            {
                                "id": "b",
                                "question": "Capital of Mars?",
                                "is_impossible": True,
                                "answers": [],
                            },
                        ],
                    }
                ],
            }
        ],
    }
    path = tmp_path / "squad.json"
    path.write_text(json.dumps(data))
    return path


def test_squad_official_format(tmp_path):
    source = load_source(str(_squad(tmp_path)), holdout=False)
    assert source.kind == "squad"
    a, b = source.validation
    assert (a.id, a.answers, a.history) == ("a", ("Paris",), ())
    assert b.answers == (NO_ANSWER,)


def test_coqa_official_format_with_additional_answers(tmp_path):
    data = {
        "version": "1.0",
        "data": [
            {
                "id": "c1",
                "story": "Anna has a red bike.",
                "questions": [
                    {"input_text": "Who has a bike?", "turn_id": 1},
                    {"input_text": "What color?", "turn_id": 2},
                    {"input_text": "Where is it?", "turn_id": 3},
                ],
                "answers": [
                    {"input_text": "Anna", "turn_id": 1},
                    {"input_text": "red", "turn_id": 2},
                    {"input_text": "unknown", "turn_id": 3},
                ],
                "additional_answers": {
                    "0": [
                        {"input_text": "anna", "turn_id": 1},
                        {"input_text": "Red", "turn_id": 2},
                        {"input_text": "unknown", "turn_id": 3},
                    ]
                },
            }
        ],
    }
    path = tmp_path / "coqa.json"
    path.write_text(json.dumps(data))
    source = load_source(str(path), holdout=False)
    assert source.kind == "coqa"
    first, _, third = source.validation
    assert first.answers == ("Anna", "anna") and first.key == "c1#1"
    assert [t.question for t in third.history] == ["Who has a bike?", "What color?"]
    assert third.answers == (NO_ANSWER,)
    assert load_source(f"blog:{path}", holdout=False).kind == "blog"


def test_split_is_seeded_by_conversation_and_about_85_15():
    from training.data import Example

    examples = [Example(str(c), t, "ctx", (), "q", ("a",)) for c in range(20) for t in range(3)]
    train, validation = split(examples, seed=1)
    assert split(examples, seed=1) == (train, validation)
    assert len({e.id for e in validation}) == 3
    assert not {e.id for e in train} & {e.id for e in validation}


@pytest.mark.parametrize(
    "content, message",
    [
        ("{", "cannot read JSON"),
        ('{"hello": 1}', "not SQuAD 2.0 or CoQA-format"),
        ("[]", "not SQuAD"),
    ],
)
def test_bad_files_are_clear_errors(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(DataError, match=message):
        load_source(str(path))


def test_unknown_reference_and_offline_hub(monkeypatch):
    with pytest.raises(DataError, match="no such file"):
        load_source("nowhere/file.json")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    with pytest.raises(DataError, match="could not load it from the Hugging Face hub"):
        load_source("rajpurkar/squad_v2")


def test_detect_kind():
    assert detect_kind([{"story": "s", "questions": []}]) == "blog"
    with pytest.raises(DataError):
        detect_kind({"data": []})
