import os
import re
import subprocess
import sys

import pytest

from portal.config import FIELDS, ConfigError, check_secrets, from_environment


def test_missing_secrets_stop_the_app_outside_development():
    config = from_environment({"FRONTDOOR_ENV": "production"})
    with pytest.raises(ConfigError, match="SECRET_KEY, FIELD_ENCRYPTION_KEYS, BLIND_INDEX_KEY"):
        check_secrets(config)


def test_create_app_fails_fast_without_secrets(tmp_path, monkeypatch):
    from portal import create_app

    for name in ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigError):
        create_app({"INSTANCE_PATH": str(tmp_path)})


def test_production_defaults_are_secure():
    config = from_environment({})
    assert config.force_https and config.session_cookie_secure
    assert config.out_of_hours_number == "01344 351 999"
    dev = from_environment({"FRONTDOOR_ENV": "development"})
    assert not dev.force_https


def test_database_url_defaults_to_sqlite_in_the_instance_folder_in_development_only():
    assert from_environment({"FRONTDOOR_ENV": "development"}).database_url.endswith("instance/frontdoor.db")
    assert from_environment({}).database_url == ""  # production names its database
    assert from_environment({"DATABASE_URL": "postgresql+psycopg://x/y"}).database_url == "postgresql+psycopg://x/y"


def test_write_env_generates_secrets_once(tmp_path):
    env_file = tmp_path / ".env"
    cmd = [sys.executable, "-m", "portal.cli", "dev", "write-env", str(env_file)]
    subprocess.run(cmd, check=True, capture_output=True)
    first = env_file.read_text()
    assert "FIELD_ENCRYPTION_KEYS=" in first and "FRONTDOOR_ENV=development" in first
    assert oct(env_file.stat().st_mode)[-3:] == "600"
    subprocess.run(cmd, check=True, capture_output=True)
    assert env_file.read_text() == first  # never overwrites a developer's secrets
    config = from_environment(dict(line.split("=", 1) for line in first.splitlines() if "=" in line))
    check_secrets(config)


def test_office_hours_are_a_setting(tmp_path, database_url):
    import datetime as dt

    from portal import create_app
    from portal.config import working_calendar
    from tests.conftest import app_config

    app = create_app(app_config(database_url, tmp_path, OFFICE_OPENS=dt.time(8, 30), OFFICE_CLOSES=dt.time(16, 0)))
    with app.app_context():
        calendar = working_calendar()
    assert (calendar.day_starts, calendar.day_ends) == (dt.time(8, 30), dt.time(16, 0))
    assert from_environment({"OFFICE_OPENS": "08:00"}).office_opens == dt.time(8, 0)
    with pytest.raises(ConfigError, match="OFFICE_CLOSES must be a time like 09:00, not 'five'"):
        from_environment({"OFFICE_CLOSES": "five"})


def test_the_cli_never_copies_a_dotenv_from_the_working_directory_into_the_environment(tmp_path, monkeypatch):
    # Flask's CLI would load ./.env into os.environ for the rest of the process; create_app reads the project's
    # own .env when it should. (A test suite run from a clone once signed texts with the clone's Twilio token.)
    from click.testing import CliRunner

    from portal.cli import cli

    (tmp_path / ".env").write_text("TWILIO_AUTH_TOKEN=from-the-working-directory\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TWILIO_AUTH_TOKEN", raising=False)
    CliRunner().invoke(cli, ["--help"])
    assert "TWILIO_AUTH_TOKEN" not in os.environ


def test_templates_get_the_display_settings_and_no_secret(app):
    from flask import render_template_string

    from tests.conftest import TEST_INDEX_KEY

    with app.test_request_context("/"):
        rendered = render_template_string("{{ settings }} {{ config }}")
    from portal.config import settings

    for secret in ("test-secret-key", TEST_INDEX_KEY, "test-twilio-auth-token", settings(app).database_url):
        assert secret not in rendered
    assert settings(app).council_name in rendered and settings(app).mash_number in rendered


def test_every_setting_a_template_shows_is_one_it_is_given():
    # A name missing from DISPLAY_SETTINGS would render as nothing, silently: a page without its phone number.
    from portal.config import DISPLAY_SETTINGS, ROOT

    used = {name for page in (ROOT / "portal" / "templates").rglob("*.html")
            for name in re.findall(r"\bsettings\.(\w+)", page.read_text())}
    assert "MASH_NUMBER" in used and used <= set(DISPLAY_SETTINGS)


def test_outside_development_the_app_names_every_missing_or_unsafe_setting(tmp_path, monkeypatch):
    """Found by probing: only three secrets were checked; without TWILIO_AUTH_TOKEN every text (danger too) was
    refused 403, PUBLIC_BASE_URL quietly became http://127.0.0.1, and no DATABASE_URL quietly became SQLite."""
    from portal import create_app

    for name in [*FIELDS, "REDIS_URL", "RASA_URL"]:  # whatever an earlier test left behind
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FRONTDOOR_ENV", "production")
    with pytest.raises(ConfigError) as refused:
        create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "s" * 40, "FIELD_ENCRYPTION_KEYS": ["k"],
                    "BLIND_INDEX_KEY": "b" * 40, "AUDIT_HMAC_KEYS": ["k1:" + "a" * 40],
                    "RASA_URLS": ["http://127.0.0.1:5005"]})
    said = str(refused.value)
    for name in ("DATABASE_URL", "PUBLIC_BASE_URL", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_NUMBER",
                 "RASA_AUTH_TOKEN", "RATELIMIT_STORAGE_URI", "SESSION_REDIS_URL", "JOBS_REDIS_URL"):
        assert name in said, name


def test_production_settings_pass_the_checks_and_unsafe_ones_are_named():
    from portal.config import production_problems

    good = from_environment({
        "FRONTDOOR_ENV": "production", "SECRET_KEY": "s" * 40, "FIELD_ENCRYPTION_KEYS": "k",
        "BLIND_INDEX_KEY": "b" * 40, "AUDIT_HMAC_KEYS": "k1:" + "a" * 40,
        "DATABASE_URL": "postgresql+psycopg://fd:pw@127.0.0.1/fd",
        "PUBLIC_BASE_URL": "https://frontdoor.example.gov.uk", "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
        "TWILIO_AUTH_TOKEN": "t", "TWILIO_NUMBER": "+447700900000", "RASA_AUTH_TOKEN": "r",
        "RATELIMIT_STORAGE_URI": "redis://fd:pw@127.0.0.1:6379/0", "REDIS_URL": "redis://fd:pw@127.0.0.1:6379/0"})
    assert production_problems(good) == []
    assert "SESSION_REDIS_URL has no password" in " ".join(
        production_problems(good.replace(SESSION_REDIS_URL="redis://127.0.0.1:6379/0")))
    assert "staff sessions" in " ".join(production_problems(good.replace(SESSION_REDIS_URL="")))
    unsafe = good.replace(DATABASE_URL="sqlite:///x.db", PUBLIC_BASE_URL="http://frontdoor.example.gov.uk",
                          SECRET_KEY="short", FORCE_HTTPS=False, RATELIMIT_STORAGE_URI="memory://")
    named = " ".join(production_problems(unsafe))
    for words in ("SQLite", "PUBLIC_BASE_URL", "SECRET_KEY is shorter", "FORCE_HTTPS is off", "RATELIMIT_STORAGE_URI"):
        assert words in named, words
    assert production_problems(good.replace(SMS_ENABLED=False, TWILIO_AUTH_TOKEN="")) == []


def test_with_texts_off_the_webhook_is_not_there(tmp_path, database_url):
    from portal import create_app
    from tests.bot_support import signed, sms_params
    from tests.conftest import app_config

    client = create_app(app_config(database_url, tmp_path, SMS_ENABLED=False)).test_client()
    params = sms_params("hello")
    assert client.post("/sms/inbound", data=params, headers=signed(params)).status_code == 404


def test_settings_are_one_typed_object_and_a_value_of_the_wrong_kind_is_named():
    """Settings are read once into a frozen, typed object: a bad value stops the start naming the setting, every
    bad value at once, rather than failing later in the middle of a request."""
    import dataclasses

    with pytest.raises(ConfigError) as refused:
        from_environment({"STAFF_IDLE_MINUTES": "fifteen", "SMS_ENABLED": "perhaps", "RASA_TIMEOUT_SECONDS": "3s"})
    said = str(refused.value)
    for words in ("STAFF_IDLE_MINUTES must be a whole number, not 'fifteen'", "SMS_ENABLED must be true or false",
                  "RASA_TIMEOUT_SECONDS must be a number"):
        assert words in said, words
    with pytest.raises(ConfigError, match="DRAFT_TTL_HOURS must not be negative"):
        from_environment({"DRAFT_TTL_HOURS": "-1"})
    with pytest.raises(ConfigError, match="PROXY_FIX_HOPS must be a whole number, not str"):
        from_environment({}, overrides={"PROXY_FIX_HOPS": "1"})  # a caller's override is checked too
    config = from_environment({"REDIS_URL": "redis://:pw@127.0.0.1:6379/0", "RASA_URL": "http://127.0.0.1:5006",
                               "FIELD_ENCRYPTION_KEYS": " a, b ,", "SMS_ENABLED": "off", "SMTP_HOST": ""})
    assert config.session_redis_url == config.jobs_redis_url == "redis://:pw@127.0.0.1:6379/0"
    assert config.rasa_urls == ("http://127.0.0.1:5006",) and config.field_encryption_keys == ("a", "b")
    assert config.sms_enabled is False and config.smtp_host == ""
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.sms_enabled = True  # type: ignore[misc]


def test_flask_and_templates_get_only_what_they_read(app):
    from portal.config import settings

    assert "TWILIO_AUTH_TOKEN" not in app.config and "BLIND_INDEX_KEY" not in app.config
    assert app.config["SECRET_KEY"] == settings(app).secret_key  # Flask signs with it
    assert set(settings(app).display()) == {"SERVICE_NAME", "COUNCIL_NAME", "MASH_NUMBER", "OUT_OF_HOURS_NUMBER",
                                            "OUT_OF_HOURS_TIMES", "DRAFT_TTL_HOURS"}


def test_the_production_profile_keeps_its_files_in_its_own_instance_folder(tmp_path):
    # `make run-production` once wrote FRONTDOOR_INSTANCE, which nothing reads: its spool, console outbox and job
    # queue fell back to the development instance/ folder beside it.
    from portal.production import production_settings

    generated = production_settings(root=tmp_path, port=8443, rasa_port=5005)
    assert from_environment(generated).instance_path == str(tmp_path / "instance-production")


def test_a_setting_that_cannot_be_used_stops_the_command_with_its_message_not_a_traceback(monkeypatch, capsys):
    """The live probe: REFERRAL_FIELD_RULES=ethnicity=sometimes stopped `frontdoor run` under a 43-line traceback."""
    import sys

    from portal.cli import main

    monkeypatch.setenv("FRONTDOOR_DOTENV", "0")
    monkeypatch.setenv("REFERRAL_FIELD_RULES", "ethnicity=sometimes")
    monkeypatch.setattr(sys, "argv", ["frontdoor", "routes"])
    with pytest.raises(SystemExit) as stopped:
        main()
    said = capsys.readouterr().err
    assert stopped.value.code == 1 and said.startswith("frontdoor: cannot start:")
    assert "REFERRAL_FIELD_RULES: ethnicity='sometimes'" in said and "Traceback" not in said
