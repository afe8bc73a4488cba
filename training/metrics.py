"""F1 and exact match, computed as the official SQuAD 2.0 and CoQA evaluation scripts do.

Both scripts normalise answers the same way (lower case, no punctuation, no
articles a/an/the, single spaces) and score a prediction against each gold
answer, keeping the best. SQuAD 2.0 scores an unanswerable question 1 when the
prediction is empty too. CoQA, when a turn has several gold answers, averages
leave-one-out scores (each gold answer left out in turn, the best over the
rest). Totals are means over questions, as percentages (0-100).

References: the SQuAD 2.0 script (evaluate-v2.0.py) and the CoQA script
(evaluate-v1.0.py) published with those datasets.
"""

from __future__ import annotations

import collections
import re
import string
from collections.abc import Mapping, Sequence

from model.prompt import NO_ANSWER

_ARTICLES = re.compile(r"\b(a|an|the)\b", re.UNICODE)
_PUNCTUATION = set(string.punctuation)


def normalize_answer(text: str) -> str:
    """Lower case, drop punctuation and articles, and collapse whitespace."""
    text = text.lower()
    text = "".join(ch for ch in text if ch not in _PUNCTUATION)
    text = _ARTICLES.sub(" ", text)
    return " ".join(text.split())


def _tokens(text: str) -> list[str]:
    return normalize_answer(text).split() if text else []


def exact(gold: str, prediction: str) -> int:
    return int(normalize_answer(gold) == normalize_answer(prediction))


def f1(gold: str, prediction: str) -> float:
    gold_tokens, pred_tokens = _tokens(gold), _tokens(prediction)
    if not gold_tokens or not pred_tokens:
        # An empty answer (no answer) scores 1 only against an empty answer.
        return float(gold_tokens == pred_tokens)
    common = collections.Counter(gold_tokens) & collections.Counter(pred_tokens)
    same = sum(common.values())
    if same == 0:
        return 0.0
    precision = same / len(pred_tokens)
    recall = same / len(gold_tokens)
    return 2 * precision * recall / (precision + recall)


def turn_score(golds: Sequence[str], prediction: str, *, coqa: bool = False) -> tuple[float, float]:
    """Return (em, f1) in 0-1 for one question: the best over gold answers.

    With COQA and several gold answers, the leave-one-out average the CoQA
    script uses; SQuAD 2.0 takes the plain maximum.
    """
    golds = list(golds) or [""]
    if coqa and len(golds) > 1:
        em_sum = f1_sum = 0.0
        for i in range(len(golds)):
            rest = golds[:i] + golds[i + 1 :]
            em_sum += max(exact(g, prediction) for g in rest)
            f1_sum += max(f1(g, prediction) for g in rest)
        return em_sum / len(golds), f1_sum / len(golds)
    return (
        float(max(exact(g, prediction) for g in golds)),
        max(f1(g, prediction) for g in golds),
    )


def as_answer(text: str) -> str:
    """Read the model's no-answer string as the empty answer the official scripts expect."""
    return "" if normalize_answer(text) == normalize_answer(NO_ANSWER) else text


def score(
    golds: Mapping[str, Sequence[str]],
    predictions: Mapping[str, str],
    *,
    coqa: bool = False,
) -> dict:
    """Score PREDICTIONS against GOLDS (both keyed by question id).

    As in both official scripts, a question without a prediction is reported
    and left out of the count. Returns {"f1", "em", "count", "missing"}, f1 and
    em as percentages.
    """
    em_total = f1_total = 0.0
    count = missing = 0
    for key, answers in golds.items():
        if key not in predictions:
            missing += 1
            continue
        # Gold answers that normalise to nothing mean "no answer" (SQuAD 2.0).
        answers = [a for a in answers if normalize_answer(a)] or [""]
        em, f = turn_score(answers, predictions[key], coqa=coqa)
        em_total += em
        f1_total += f
        count += 1
    if count == 0:
        return {"f1": 0.0, "em": 0.0, "count": 0, "missing": missing}
    return {
        "f1": round(100.0 * f1_total / count, 2),
        "em": round(100.0 * em_total / count, 2),
        "count": count,
        "missing": missing,
    }
