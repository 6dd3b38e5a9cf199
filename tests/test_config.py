"""Configuration: good values parse, bad values stop the bot with a message naming the variable."""
from __future__ import annotations

import pytest

from bot.config import ConfigError, load_settings
from tests.conftest import run_main

GOOD_TOKEN = "123456789:AAbbCCddEEffGGhhIIjjKKllMMnnOOppQQ"


def test_defaults_without_environment():
    s = load_settings({})
    assert s.token is None
    assert s.api_base_url == "https://api.telegram.org/bot"
    assert s.retention_days == 90 and s.admin_ids == frozenset()
    assert (s.content_dir / "topics").is_dir()  # found relative to the package, not the cwd


def test_full_environment():
    s = load_settings(
        {
            "TELEGRAM_BOT_TOKEN": GOOD_TOKEN,
            "TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/bot",
            "BOT_ADMIN_IDS": "42, 1001 77",
            "BOT_SECRET_KEY": "s" * 32,
            "BOT_WEBHOOK_URL": "https://bot.example.org/hook",
            "BOT_WEBHOOK_PORT": "8080",
            "BOT_RETENTION_DAYS": "30",
            "BOT_USERNAME": "@SafeMigrationBot",
        }
    )
    assert s.token == GOOD_TOKEN and s.admin_ids == {42, 1001, 77}
    assert s.webhook_port == 8080 and s.retention_days == 30 and s.bot_username == "SafeMigrationBot"


@pytest.mark.parametrize(
    "env, variable",
    [
        ({"TELEGRAM_BOT_TOKEN": "not-a-token"}, "TELEGRAM_BOT_TOKEN"),
        ({"TELEGRAM_API_BASE_URL": "ftp://x"}, "TELEGRAM_API_BASE_URL"),
        ({"BOT_ADMIN_IDS": "42,bob"}, "BOT_ADMIN_IDS"),
        ({"BOT_SECRET_KEY": "short"}, "BOT_SECRET_KEY"),
        ({"BOT_WEBHOOK_URL": "http://insecure"}, "BOT_WEBHOOK_URL"),
        ({"BOT_WEBHOOK_PORT": "99999"}, "BOT_WEBHOOK_PORT"),
        ({"BOT_RETENTION_DAYS": "ninety"}, "BOT_RETENTION_DAYS"),
        ({"BOT_MATCH_THRESHOLD": "high"}, "BOT_MATCH_THRESHOLD"),
        ({"BOT_MATCH_THRESHOLD": "25"}, "BOT_MATCH_THRESHOLD"),  # a confidence is 0-1: 25 would never answer
        ({"BOT_LOG_LEVEL": "LOUD"}, "BOT_LOG_LEVEL"),
        ({"BOT_CONTENT_DIR": "/no/such/folder"}, "BOT_CONTENT_DIR"),
        ({"BOT_USERNAME": "a b"}, "BOT_USERNAME"),
    ],
)
def test_bad_values_are_refused_with_the_variable_named(env, variable):
    with pytest.raises(ConfigError, match=variable):
        load_settings(env)


def test_bot_stops_at_start_with_a_clear_message(tmp_path):
    env = {"BOT_DATA_DIR": str(tmp_path), "BOT_ADMIN_IDS": "admin"}
    proc = run_main("run", cwd=tmp_path, env=env)
    assert proc.returncode == 78
    assert "BOT_ADMIN_IDS" in proc.stderr and "Traceback" not in proc.stderr
