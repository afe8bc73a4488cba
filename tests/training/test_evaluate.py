from __future__ import annotations

import json

from click.testing import CliRunner

from bot.cli import main
from bot.settings import Settings
from tests.training.test_data import _squad


def run(*args):
    return CliRunner().invoke(main, list(args), obj=Settings(threads=1))


def test_squad_predictions_file(tmp_path):
    data = _squad(tmp_path)
    predictions = tmp_path / "pred.json"
    predictions.write_text(json.dumps({"a": "paris", "b": ""}))
    result = run("eval", "--data", str(data), "--predictions", str(predictions), "--json")
    assert json.loads(result.output) == {"f1": 100.0, "em": 100.0, "count": 2}
    predictions.write_text(json.dumps({"a": "Paris, France", "b": "Mars"}))
    result = run("eval", "--data", str(data), "--predictions", str(predictions), "--json")
    assert json.loads(result.output) == {"f1": 33.33, "em": 0.0, "count": 2}


def test_coqa_predictions_file(tmp_path):
    data = tmp_path / "conv.json"
    data.write_text(
        json.dumps(
            [
                {
                    "conversation_id": "7",
                    "story": "s",
                    "questions": ["q1", "q2"],
                    "answers": {"input_text": ["yes", "I can't answer that."]},
                }
            ]
        )
    )
    predictions = tmp_path / "pred.json"
    predictions.write_text(
        json.dumps(
            [
                {"id": "7", "turn_id": 1, "answer": "Yes."},
                {"id": "7", "turn_id": 2, "answer": "unknown"},
            ]
        )
    )
    result = run("eval", "--data", str(data), "--predictions", str(predictions))
    assert result.output.strip() == "F1 100.00  EM 100.00  over 2 questions (coqa)"


def test_model_path_answers_every_question(tmp_path, tiny_onnx_dir):
    data = _squad(tmp_path)
    result = run("eval", "--data", str(data), "--model", str(tiny_onnx_dir), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout.strip().splitlines()[-1])["count"] == 2


def test_wrong_usage_and_bad_predictions(tmp_path):
    data = _squad(tmp_path)
    assert run("eval", "--data", str(data)).exit_code == 2
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]")
    result = run("eval", "--data", str(data), "--predictions", str(bad))
    assert result.exit_code == 1 and "SQuAD 2.0 predictions are one object" in result.output
