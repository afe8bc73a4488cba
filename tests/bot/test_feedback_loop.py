"""From 👍/👎 in Slack to a dataset askblog train reads: votes, corrections, pseudonyms."""

from __future__ import annotations

import json

from click.testing import CliRunner

from bot import store
from bot.cli import main
from bot.fakeslack import TEAM_ID, mention, reaction
from bot.settings import Settings
from tests.conftest import wait_until

SOCCER = "How do they measure ball possession in soccer videos?"


def _answer(slack) -> str:
    event = mention(SOCCER)
    slack.send(event)
    updates = slack.fake.wait_for("chat.update", len(slack.fake.of("chat.update")) + 1)
    return updates[-1].args["ts"]


def _correct(slack, answer_ts: str, text: str):
    value = f"C0BLOG:{answer_ts}"
    clicked = slack.interact(
        {
            "type": "block_actions",
            "team": {"id": TEAM_ID},
            "user": {"id": "U0READER"},
            "api_app_id": "A0ASKBLOG",
            "trigger_id": "trigger-1",
            "channel": {"id": "C0BLOG"},
            "container": {"type": "message"},
            "actions": [
                {"action_id": "askblog_correct", "block_id": "b", "type": "button", "value": value}
            ],
        }
    )
    assert clicked.status_code == 200
    opened = slack.fake.wait_for("views.open", 1)[-1]
    view = (
        json.loads(opened.args["view"])
        if isinstance(opened.args["view"], str)
        else opened.args["view"]
    )
    assert view["private_metadata"] == value
    return slack.interact(
        {
            "type": "view_submission",
            "team": {"id": TEAM_ID},
            "user": {"id": "U0READER"},
            "api_app_id": "A0ASKBLOG",
            "view": {
                "id": "V1",
                "type": "modal",
                "callback_id": "askblog_correction",
                "private_metadata": value,
                "state": {
                    "values": {
                        "correction": {"answer": {"type": "plain_text_input", "value": text}}
                    }
                },
            },
        }
    )


def _export(db_path, tmp_path) -> list[dict]:
    out = tmp_path / "feedback.json"
    result = CliRunner().invoke(main, ["feedback", "export", str(out)], obj=Settings(db=db_path))
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text())


def test_thumbs_up_reaches_the_export_and_train_accepts_it(
    slack, db_path, tmp_path, tiny_model_dir
):
    answer_ts = _answer(slack)
    answer_text = store.history(store.open_database(db_path), 1)[0].answer
    slack.send(reaction("thumbsup", ts=answer_ts))
    wait_until(lambda: store.open_database(db_path)["feedback"].count == 1)

    records = _export(db_path, tmp_path)
    assert len(records) == 1
    record = records[0]
    assert record["questions"] == [SOCCER]
    assert record["answers"]["input_text"] == [answer_text]
    assert record["train_turns"] == [1]
    assert "ball possession" in record["story"].lower()
    exported = json.dumps(records)
    for platform_id in ("U0READER", "C0BLOG", answer_ts):
        assert platform_id not in exported
    assert record["votes"][0]["user"].startswith("u") and record["votes"][0]["vote"] == 1
    assert _export(db_path, tmp_path) == records  # the salt is kept: exports are stable

    out = tmp_path / "run"
    trained = CliRunner().invoke(
        main,
        [
            "train",
            "--model",
            str(tiny_model_dir),
            "--data",
            str(tmp_path / "feedback.json"),
            "--eval-data",
            str(tmp_path / "feedback.json"),
            "--epochs",
            "1",
            "--num-workers",
            "0",
            "--batch-size",
            "1",
            "--grad-accum",
            "1",
            "--max-input-tokens",
            "512",
            "--no-export",
            "--output",
            str(out),
        ],
        obj=Settings(),
    )
    assert trained.exit_code == 0, trained.output
    metrics = json.loads((out / "metrics.jsonl").read_text().splitlines()[0])
    assert metrics["count"] == 1 and metrics["stage"] == "blog"


def test_thumbs_down_offers_a_correction_that_replaces_the_answer(slack, db_path, tmp_path):
    answer_ts = _answer(slack)
    slack.send(reaction("thumbsdown", ts=answer_ts))
    offer = slack.fake.wait_for("chat.postEphemeral", 1)[-1]
    assert offer.args["user"] == "U0READER"
    assert _export(db_path, tmp_path) == []  # 👎 without a correction is left out

    empty = _correct(slack, answer_ts, "   ")
    assert empty.json()["response_action"] == "errors"
    saved = _correct(slack, answer_ts, "They track the ball and the nearest player.")
    assert saved.status_code == 200 and not saved.content.strip()
    records = _export(db_path, tmp_path)
    assert records[0]["answers"]["input_text"] == ["They track the ball and the nearest player."]
    assert records[0]["corrected_turns"] == [1]


def test_only_approved_turns_train_and_earlier_turns_stay_as_history(core, db_path, tmp_path):
    key = store.ConversationKey("test", "C", "T")
    first = core.ask(key, SOCCER)
    second = core.ask(key, "And how accurate is it?")
    third = core.ask(key, "Which camera?")
    for answer, message in ((first, "m1"), (second, "m2"), (third, "m3")):
        core.attach_message(answer.turn_id, "test", message)
    core.record_feedback("test", "m1", "u1", -1)
    core.record_feedback("test", "m2", "u1", 1)
    records = _export(db_path, tmp_path)
    assert records[0]["questions"] == [SOCCER, "And how accurate is it?"]
    assert records[0]["train_turns"] == [2]

    from training.data import load_source

    examples = load_source(str(tmp_path / "feedback.json"), holdout=False).validation
    assert len(examples) == 1
    assert examples[0].question == "And how accurate is it?"
    assert [t.question for t in examples[0].history] == [SOCCER]
