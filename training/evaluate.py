"""`askblog eval`: score a model, or a predictions file, on SQuAD 2.0 or CoQA-format data."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from training.data import DataError, Example, load_source
from training.metrics import as_answer, score


def golds_of(examples: list[Example], *, squad: bool) -> dict[str, list[str]]:
    """Gold answers by question key; SQuAD 2.0's no-answer is the empty string."""
    if squad:
        return {e.key: [as_answer(a) for a in e.answers] for e in examples}
    return {e.key: list(e.answers) for e in examples}


def read_predictions(path: Path, *, squad: bool) -> dict[str, str]:
    """Read the official formats: SQuAD 2.0 {"id": "text"}; CoQA [{"id", "turn_id", "answer"}]."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DataError(f"{path}: cannot read predictions ({error})") from error
    if squad:
        if not isinstance(data, dict):
            raise DataError(f'{path}: SQuAD 2.0 predictions are one object {{"id": "answer"}}')
        return {str(k): as_answer(str(v)) for k, v in data.items()}
    if not isinstance(data, list) or not all(
        isinstance(p, dict) and {"id", "turn_id", "answer"} <= p.keys() for p in data
    ):
        raise DataError(f'{path}: CoQA predictions are a list of {{"id", "turn_id", "answer"}}')
    return {f"{p['id']}#{int(p['turn_id'])}": str(p["answer"]) for p in data}


def predict(
    examples: list[Example], engine, progress: Callable[[int, int], None] | None = None
) -> dict[str, str]:
    """Answer every example with ENGINE through the shared prompt builder."""
    predictions = {}
    for done, example in enumerate(examples, 1):
        answer = engine.answer(example.context, list(example.history), example.question)
        predictions[example.key] = answer.text
        if progress:
            progress(done, len(examples))
    return predictions


def evaluate(
    data: str,
    *,
    predictions: Path | None = None,
    engine=None,
    progress: Callable[[int, int], None] | None = None,
) -> dict:
    """Score predictions (from a file, or made now by ENGINE) on every question in DATA."""
    source = load_source(data, holdout=False)
    examples = source.validation
    squad = source.kind == "squad"
    if predictions is not None:
        made = read_predictions(predictions, squad=squad)
    else:
        made = predict(examples, engine, progress)
        if squad:
            made = {k: as_answer(v) for k, v in made.items()}
    result = score(golds_of(examples, squad=squad), made, coqa=not squad)
    return {**result, "format": "squad2" if squad else "coqa"}
