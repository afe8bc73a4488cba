"""Training and evaluation examples from SQuAD 2.0, CoQA and CoQA-format files (the blog's own).

Every source becomes Examples; model/prompt.py turns an Example into model
input, the same way serving does. Unanswerable questions get one target,
prompt.NO_ANSWER.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from model.prompt import HISTORY_TURNS, NO_ANSWER, Turn
from training.metrics import normalize_answer

Kind = Literal["squad", "coqa", "blog"]
SQUAD_HUB = "rajpurkar/squad_v2"
COQA_HUB = "stanfordnlp/coqa"
VALIDATION_SHARE = 0.15
# Answers that mean "the text does not say" in the sources we read.
_UNANSWERABLE = {normalize_answer(a) for a in ("unknown", "I can't answer that.", NO_ANSWER)}


class DataError(ValueError):
    """A data source that cannot be read; the message names it and says why."""


@dataclass(frozen=True)
class Example:
    """One question in context, with its conversation so far and its gold answers."""

    id: str  # SQuAD question id, or the conversation id for CoQA-style data
    turn_id: int | None
    context: str
    history: tuple[Turn, ...]
    question: str
    answers: tuple[str, ...]  # gold answers; (NO_ANSWER,) when unanswerable
    source: Kind = "blog"

    @property
    def target(self) -> str:
        return self.answers[0]

    @property
    def key(self) -> str:
        return self.id if self.turn_id is None else f"{self.id}#{self.turn_id}"


@dataclass
class Source:
    """Examples read from one source, split into train and validation."""

    name: str
    kind: Kind
    train: list[Example] = field(default_factory=list)
    validation: list[Example] = field(default_factory=list)


def _answer(text: str) -> str:
    text = " ".join((text or "").split())
    return NO_ANSWER if normalize_answer(text) in _UNANSWERABLE or not text else text


def squad_examples(data: dict) -> list[Example]:
    """Examples from SQuAD 2.0's official JSON ({"data": [{"paragraphs": [...]}]})."""
    examples = []
    for article in data["data"]:
        for paragraph in article["paragraphs"]:
            for qa in paragraph["qas"]:
                texts = [a["text"] for a in qa.get("answers", []) if a.get("text", "").strip()]
                impossible = qa.get("is_impossible", False) or not texts
                examples.append(
                    Example(
                        id=str(qa["id"]),
                        turn_id=None,
                        context=paragraph["context"],
                        history=(),
                        question=qa["question"],
                        answers=(NO_ANSWER,) if impossible else tuple(dict.fromkeys(texts)),
                        source="squad",
                    )
                )
    return examples


def _conversation(
    conv_id: str,
    story: str,
    questions: Sequence[str],
    answers: Sequence[Sequence[str]],
    kind: Kind,
    train_turns: Sequence[int] | None = None,
) -> list[Example]:
    examples, turns = [], []
    for index, (question, golds) in enumerate(zip(questions, answers, strict=True)):
        mapped = tuple(dict.fromkeys(_answer(a) for a in golds)) or (NO_ANSWER,)
        if train_turns is not None and index + 1 not in train_turns:
            # A turn kept only as history (feedback exports list the others).
            turns.append(Turn(question, golds[0] if golds else NO_ANSWER))
            continue
        examples.append(
            Example(
                id=conv_id,
                turn_id=index + 1,
                context=story,
                history=tuple(turns[-HISTORY_TURNS:]),
                question=question,
                answers=mapped,
                source=kind,
            )
        )
        # History carries the first annotator's answer, as the baseline did.
        turns.append(Turn(question, golds[0] if golds else NO_ANSWER))
    return examples


def coqa_examples(data: dict | list, kind: Kind) -> list[Example]:
    """Examples from CoQA's official JSON, or the list form (HF datasets, TryoCoQA, feedback)."""
    examples = []
    if isinstance(data, dict):  # official: {"version", "data": [{"id", "story", "questions", ...}]}
        for conv in data["data"]:
            questions = [q["input_text"] for q in conv["questions"]]
            golds = [[a["input_text"]] for a in conv["answers"]]
            for extra in (conv.get("additional_answers") or {}).values():
                for i, answer in enumerate(extra):
                    golds[i].append(answer["input_text"])
            examples += _conversation(str(conv["id"]), conv["story"], questions, golds, kind)
        return examples
    for index, conv in enumerate(data):
        conv_id = str(conv.get("conversation_id", conv.get("id", index)))
        answers = conv["answers"]
        texts = (
            answers["input_text"]
            if isinstance(answers, dict)
            else [a["input_text"] for a in answers]
        )
        questions = [q if isinstance(q, str) else q["input_text"] for q in conv["questions"]]
        examples += _conversation(
            conv_id, conv["story"], questions, [[t] for t in texts], kind, conv.get("train_turns")
        )
    return examples


def detect_kind(data: dict | list) -> Kind:
    """Say what a parsed JSON document holds: SQuAD, official CoQA, or CoQA-format blog data."""
    if isinstance(data, dict) and data.get("data") and "paragraphs" in data["data"][0]:
        return "squad"
    if isinstance(data, dict) and data.get("data") and "story" in data["data"][0]:
        return "coqa"
    if isinstance(data, list) and data and "story" in data[0] and "questions" in data[0]:
        return "blog"
    raise DataError("not SQuAD 2.0 or CoQA-format JSON")


def split(examples: list[Example], *, seed: int = 13) -> tuple[list[Example], list[Example]]:
    """Seeded 85/15 split by conversation (never splitting one conversation across both)."""
    groups: dict[str, list[Example]] = {}
    for example in examples:
        groups.setdefault(example.id, []).append(example)
    ids = sorted(groups)
    random.Random(seed).shuffle(ids)
    held = max(1, round(len(ids) * VALIDATION_SHARE)) if len(ids) > 1 else 0
    validation_ids = set(ids[:held])
    train = [e for e in examples if e.id not in validation_ids]
    validation = [e for e in examples if e.id in validation_ids]
    return train, validation


def _from_hub(name: str, kind: Kind) -> Source:
    try:
        import datasets
    except ImportError as error:
        raise DataError(f"{name}: reading a hub dataset needs the 'datasets' package") from error
    try:
        loaded = datasets.load_dataset(name)
    except Exception as error:
        line = (
            str(error).strip().splitlines()[0][:200] if str(error).strip() else type(error).__name__
        )
        raise DataError(
            f"{name}: could not load it from the Hugging Face hub ({line}); download the "
            "official JSON file and pass its path instead"
        ) from error
    source = Source(name=name, kind=kind)
    for split_name, rows in (("train", loaded["train"]), ("validation", loaded["validation"])):
        if kind == "squad":
            qas = {
                "data": [
                    {
                        "paragraphs": [
                            {
                                "context": r["context"],
                                "qas": [
                                    {
                                        "id": r["id"],
                                        "question": r["question"],
                                        "answers": [{"text": t} for t in r["answers"]["text"]],
                                    }
                                ],
                            }
                            for r in rows
                        ]
                    }
                ]
            }
            examples = squad_examples(qas)
        else:
            examples = coqa_examples(list(rows), kind)
        setattr(source, split_name, examples)
    return source


def load_source(spec: str, *, seed: int = 13, holdout: bool = True) -> Source:
    """Read a source: a file path or hub id, optionally prefixed squad:, coqa: or blog:.

    A file has no validation split of its own: with HOLDOUT, 15% of its
    conversations (seeded) become validation; without, all of it is validation.
    """
    kind: Kind | None = None
    prefix, _, rest = spec.partition(":")
    if prefix in ("squad", "coqa", "blog") and rest:
        kind, spec = prefix, rest  # type: ignore[assignment]
    path = Path(spec).expanduser()
    if not path.exists():
        hub_kind = {SQUAD_HUB: "squad", COQA_HUB: "coqa"}.get(spec)
        if hub_kind is None:
            raise DataError(
                f"{spec}: no such file, and not a known hub dataset ({SQUAD_HUB}, {COQA_HUB})"
            )
        return _from_hub(spec, kind or hub_kind)  # type: ignore[arg-type]
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DataError(f"{path}: cannot read JSON ({error})") from error
    try:
        detected = detect_kind(data)
    except DataError as error:
        raise DataError(f"{path}: {error}") from error
    kind = kind or detected
    examples = squad_examples(data) if detected == "squad" else coqa_examples(data, kind)
    if not examples:
        raise DataError(f"{path}: holds no questions")
    train, validation = split(examples, seed=seed) if holdout else ([], examples)
    return Source(name=str(path), kind=kind, train=train, validation=validation)


def load_all(specs: Iterable[str], *, seed: int = 13) -> list[Source]:
    return [load_source(spec, seed=seed) for spec in specs]
