from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import DEFAULT_MODEL, Settings, SettingsError


def test_defaults():
    settings = Settings.from_env({}, env_file=None)
    assert settings.model == DEFAULT_MODEL
    assert settings.max_input_tokens == 7000
    assert settings.max_new_tokens == 128
    assert settings.engine == "auto"


def test_environment_overrides_the_env_file(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text(
        "ASKBLOG_MODEL=/models/from-file\nASKBLOG_THREADS=3\nSLACK_BOT_TOKEN=xoxb-1\nSLACK_SIGNING_SECRET=s\n"
    )
    settings = Settings.from_env({"ASKBLOG_MODEL": "/models/from-env"}, env_file=env_file)
    assert settings.model == "/models/from-env"
    assert settings.threads == 3
    assert settings.slack_bot_token == "xoxb-1"


def test_lists_paths_and_numbers_are_parsed():
    settings = Settings.from_env(
        {
            "ASKBLOG_FEEDS": "https://a.example/feed, b.xml,",
            "ASKBLOG_DB": "~/x.db",
            "ASKBLOG_POLL_MINUTES": "2.5",
        },
        env_file=None,
    )
    assert settings.feeds == ("https://a.example/feed", "b.xml")
    assert settings.db == Path("~/x.db").expanduser()
    assert settings.poll_minutes == 2.5


@pytest.mark.parametrize(
    "env, message",
    [
        ({"ASKBLOG_THREADS": "two"}, "ASKBLOG_THREADS must be a number"),
        ({"ASKBLOG_ENGINE": "tensorflow"}, "ASKBLOG_ENGINE must be one of"),
        ({"ASKBLOG_MAX_NEW_TOKENS": "0"}, "ASKBLOG_MAX_NEW_TOKENS must be between"),
        ({"ASKBLOG_MAX_INPUT_TOKENS": "5"}, "at least 32"),
        ({"ASKBLOG_WORKERS": "0"}, "ASKBLOG_WORKERS must be at least 1"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "neither SLACK_SIGNING_SECRET"),
        ({"SLACK_SIGNING_SECRET": "s"}, "set SLACK_BOT_TOKEN too"),
    ],
)
def test_bad_values_name_the_variable(env, message):
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(env, env_file=None)


def test_settings_are_frozen():
    with pytest.raises(AttributeError):
        Settings().model = "x"  # type: ignore[misc]


def test_every_setting_is_in_env_example():
    example = (Path(__file__).parents[2] / ".env.example").read_text()
    for name in Settings().masked():
        assert f"{name}=" in example, f"{name} is missing from .env.example"
