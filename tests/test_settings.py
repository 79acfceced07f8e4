import pytest
from dockreview.bot.settings import Settings, SettingsError

from tests.test_webhook_app import KEY

BASE = {"APP_ID": "12", "PRIVATE_KEY": KEY, "WEBHOOK_SECRET": "s"}


def test_valid_settings_and_escaped_newlines() -> None:
    settings = Settings.from_env({**BASE, "PRIVATE_KEY": KEY.replace("\n", "\\n"), "LOG_LEVEL": "warn",
                                  "DOCKREVIEW_REDELIVER_EVERY": "15m", "DOCKREVIEW_METRICS_PORT": "9464"})
    assert settings.private_key.strip() == KEY.strip()
    assert settings.log_level == "WARNING"
    assert settings.redeliver_every == 900 and settings.metrics_port == 9464
    assert "BEGIN" not in repr(settings)


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(SettingsError) as info:
        Settings.from_env({"APP_ID": "x", "DOCKREVIEW_JOB_TIMEOUT": "5m", "REDIS_URL": "http://r",
                           "DOCKREVIEW_REDELIVER_EVERY": "9d", "LOG_LEVEL": "loud"})
    message = str(info.value)
    for part in ("APP_ID must be", "PRIVATE_KEY", "WEBHOOK_SECRET", "DOCKREVIEW_JOB_TIMEOUT", "REDIS_URL",
                 "DOCKREVIEW_REDELIVER_EVERY", "LOG_LEVEL"):
        assert part in message


def test_private_key_path_and_enterprise_api_url(tmp_path) -> None:
    key = tmp_path / "app.pem"
    key.write_text(KEY)
    settings = Settings.from_env({"APP_ID": "1", "PRIVATE_KEY_PATH": str(key), "WEBHOOK_SECRET": "s",
                                  "GITHUB_API_URL": "https://ghe.example.com/api/v3/"})
    assert settings.private_key.strip() == KEY.strip()
    assert settings.github_api_url == "https://ghe.example.com/api/v3"
    with pytest.raises(SettingsError, match="cannot be read"):
        Settings.from_env({"APP_ID": "1", "PRIVATE_KEY_PATH": str(tmp_path / "missing.pem"), "WEBHOOK_SECRET": "s"})


def test_the_reuse_ttl_is_a_finite_number_of_seconds_zero_for_none() -> None:
    assert Settings.from_env(BASE).reuse_ttl == 3 * 24 * 3600
    assert Settings.from_env({**BASE, "DOCKREVIEW_REUSE_TTL": "0"}).reuse_ttl == 0
    for bad in ("nan", "-1", "3d"):
        with pytest.raises(SettingsError, match="DOCKREVIEW_REUSE_TTL"):
            Settings.from_env({**BASE, "DOCKREVIEW_REUSE_TTL": bad})
